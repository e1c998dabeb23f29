"""Records know what made them (issue #17 item 1) and runs with different k are paired (#14 point 4)."""

from __future__ import annotations

import json

import pytest

from morphtok.errors import EvaluationError
from morphtok.eval.runner import run
from morphtok.train.models import tiny_model

SMALL = {"spell": 8, "length": 8, "count_char": 8, "count_vowels": 8, "count_uppercase": 0, "count_diacritics": 0,
         "compare": 0}


@pytest.fixture(scope="module")
def setup(tmp_path_factory, gemma_tokenizer):
    from morphtok.bench.generate import generate, write

    root = tmp_path_factory.mktemp("identity")
    write(generate(5, SMALL, ["composition"]), root / "bench", 5)
    models = {}
    for name, seed in (("a", 1), ("b", 2)):
        tiny_model(262_144, seed=seed).save_pretrained(root / name)
        gemma_tokenizer.save(root / name)
        models[name] = str(root / name)
    return root, models


def _records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_another_models_records_are_an_error_naming_both_fingerprints(setup, tmp_path):
    root, models = setup
    options = {"limit": 6, "seed": 1, "benchmarks": ["composition"], "mode": "mcq"}
    run({"m": models["a"]}, root / "bench", tmp_path, **options)
    first = (tmp_path / "m" / "composition_mcq.jsonl").read_text()
    a_hash = json.loads((tmp_path / "m" / "summary.json").read_text())["model_sha256"]
    with pytest.raises(EvaluationError) as err:
        run({"m": models["b"]}, root / "bench", tmp_path, **options)
    assert a_hash[:12] in str(err.value) and "--force" in str(err.value)
    assert (tmp_path / "m" / "composition_mcq.jsonl").read_text() == first  # A's records untouched
    run({"m": models["b"]}, root / "bench", tmp_path, force=True, **options)
    summary = json.loads((tmp_path / "m" / "summary.json").read_text())
    records = _records(tmp_path / "m" / "composition_mcq.jsonl")
    assert summary["model_sha256"] != a_hash and len(records) == 6
    assert {r["model_sha256"] for r in records} == {summary["model_sha256"]}
    assert summary["benchmarks"]["composition_mcq"]["overall"]["n"] == 6


@pytest.mark.parametrize("change", [{"mcq_style": "letter"}, {"num_fewshot": 2}, {"limit": 4}])
def test_changed_settings_never_mix_records(setup, tmp_path, change):
    root, models = setup
    options = {"limit": 6, "seed": 1, "benchmarks": ["composition"], "mode": "mcq"}
    run({"m": models["a"]}, root / "bench", tmp_path, **options)
    with pytest.raises(EvaluationError, match="settings"):
        run({"m": models["a"]}, root / "bench", tmp_path, **(options | change))
    run({"m": models["a"]}, root / "bench", tmp_path, force=True, **(options | change))
    records = _records(tmp_path / "m" / "composition_mcq.jsonl")
    summary = json.loads((tmp_path / "m" / "summary.json").read_text())
    assert len(records) == (options | change)["limit"] == summary["benchmarks"]["composition_mcq"]["overall"]["n"]
    assert {r["settings_sha256"] for r in records} == {summary["eval_config_sha256"]}


def test_zero_and_k_shot_runs_score_the_same_items(setup, tmp_path):
    root, models = setup
    ids = {}
    for k in (0, 2):
        run({"m": models["a"]}, root / "bench", tmp_path / str(k), limit=5, seed=1, benchmarks=["composition"],
            mode="mcq", num_fewshot=k)
        ids[k] = [r["id"] for r in _records(tmp_path / str(k) / "m" / "composition_mcq.jsonl")]
    assert ids[0] == ids[2] and len(ids[0]) == 5
