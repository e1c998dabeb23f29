"""Statistics by hand, and the report from real (tiny-model) evaluation results."""

from __future__ import annotations

import json

import pytest

from morphtok.analysis.report import build
from morphtok.analysis.statistics import holm, mcnemar
from morphtok.errors import EvaluationError
from morphtok.eval.runner import run
from morphtok.train.models import tiny_model

# Only the four basic composition subtasks: small, fast files.
NEW_COMPOSITION_OFF = {"count_uppercase": 0, "count_diacritics": 0, "compare": 0}


def test_exact_mcnemar_by_hand():
    # A right on i0..i10, B right on i8..i12: 8 items only A, 2 only B, 3 both.
    a = {f"i{k}": k < 11 for k in range(13)}
    b = {f"i{k}": k >= 8 for k in range(13)}
    a |= {"only-in-a": True}  # not shared: ignored
    row = mcnemar(a, b)
    assert (row["n"], row["only_a"], row["only_b"]) == (13, 8, 2)
    # Two-sided exact binomial: p = 2 * P(X <= 2 | n=10, 1/2) = 2 * (1 + 10 + 45) / 1024.
    assert row["p_value"] == pytest.approx(2 * 56 / 1024)
    assert mcnemar({"x": True}, {"x": True})["p_value"] == 1.0


def test_holm_steps_down_and_stops():
    assert holm([0.01, 0.04, 0.03]) == [True, False, False]
    assert holm([0.01, 0.02, 0.03]) == [True, True, True]
    assert holm([0.2, 0.001]) == [False, True]


@pytest.fixture(scope="module")
def results(tmp_path_factory, gemma_tokenizer):
    from morphtok.bench.generate import generate, write

    root = tmp_path_factory.mktemp("analysis")
    write(generate(5, {n: 10 for n in ("spell", "length", "count_char", "count_vowels")} | NEW_COMPOSITION_OFF, ["composition"]),
          root / "bench", 5)
    models = {}
    for seed in (1, 2):
        directory = root / f"model{seed}"
        tiny_model(262_144, seed=seed).save_pretrained(directory)
        gemma_tokenizer.save(directory)
        models[f"m{seed}"] = str(directory)
    # MCQ only: GEN with an untrained model decodes to the token limit, slow and not what is tested here.
    run(models, root / "bench", root / "results", limit=24, seed=3, benchmarks=["composition"], mode="mcq")
    return root


def test_report_has_tables_significance_and_inline_plots(results, tmp_path):
    paths = build(results / "results", tmp_path)
    report = paths["report_md"].read_text()
    for needle in ("| m1 | composition_mcq | 24 |", "| m2 | composition_mcq | 24 |", "Exact McNemar",
                   "| composition_mcq | m1 | m2 | 24 |", "| m1 | composition_mcq | count_vowels |"):
        assert needle in report, needle
    assert ("No difference between models is significant" in report) or ("Significant after correction" in report)
    for png in ("accuracy_by_benchmark.png", "subtask_heatmap.png"):
        assert (tmp_path / png).stat().st_size > 1000
    page = paths["report_html"].read_text()
    assert page.count("data:image/png;base64,") >= 2 and "src=\"http" not in page


def _copy_results(results, tmp_path):
    import shutil

    shutil.copytree(results / "results", tmp_path / "r")
    return tmp_path / "r"


def test_mixed_benchmark_versions_are_named(results, tmp_path):
    copy = _copy_results(results, tmp_path)
    summary_path = copy / "m2" / "summary.json"
    summary = json.loads(summary_path.read_text())
    summary["benchmarks"]["composition_mcq"]["sha256"] = "0" * 64
    summary_path.write_text(json.dumps(summary))
    with pytest.raises(EvaluationError, match=r"composition_mcq of model m1 .* and of model m2"):
        build(copy, tmp_path / "out")


def test_models_scored_with_different_settings_are_refused(results, tmp_path):
    copy = _copy_results(results, tmp_path)
    summary_path = copy / "m2" / "summary.json"
    summary = json.loads(summary_path.read_text())
    summary["num_fewshot"] = 3
    summary_path.write_text(json.dumps(summary))
    with pytest.raises(EvaluationError, match="num_fewshot"):
        build(copy, tmp_path / "out")


def test_a_torn_result_line_is_named_with_file_and_line(results, tmp_path):
    copy = _copy_results(results, tmp_path)
    path = copy / "m1" / "composition_mcq.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:5]) + "\n" + lines[5][:30] + "\n")
    with pytest.raises(EvaluationError) as err:
        build(copy, tmp_path / "out")
    assert "composition_mcq.jsonl:6" in str(err.value)
