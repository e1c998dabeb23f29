from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from morphtok.eval.runner import run, subset, wilson
from morphtok.eval.scoring import ScoringModel, cut_at_stop, pick, split_request
from morphtok.train.models import LoadedModel, tiny_model

# Only the four basic composition subtasks: small, fast files.
NEW_COMPOSITION_OFF = {"count_uppercase": 0, "count_diacritics": 0, "compare": 0}


@pytest.fixture(scope="module")
def scorer(gemma_tokenizer):
    model = tiny_model(262_144, seed=3).eval()
    return ScoringModel(LoadedModel(model, gemma_tokenizer, None, "tiny-full", "float32"), batch_size=3)


def _reference(scorer, context, continuation):
    """Hand computation: one forward over [bos]+whole, sum log p(continuation token | prefix)."""
    tok = scorer.tokenizer
    whole = tok.encode(context + continuation)
    n = len(tok.encode(context))
    ids = [tok.bos_id, *whole]
    with torch.no_grad():
        logprobs = torch.log_softmax(scorer.model(input_ids=torch.tensor([ids])).logits[0].float(), -1)
    return sum(float(logprobs[p - 1, ids[p]]) for p in range(n + 1, len(ids)))


def test_loglikelihood_matches_hand_computation(scorer):
    context = "Question: What is the root word of 'kumain'?\nAnswer:"
    requests = [split_request(context, option) for option in ["kain", "umain", "nagluto 🍜", "Ñoño"]]
    scores = scorer.loglikelihood(requests)
    for request, score in zip(requests, scores, strict=True):
        assert score == pytest.approx(_reference(scorer, request.context, request.continuation), abs=1e-4)
    assert all(s < 0 for s in scores)
    shared = scorer.score_options(context, ["kain", "umain", "nagluto 🍜", "Ñoño"])
    assert shared == pytest.approx(scores, abs=1e-4)


def test_split_moves_trailing_whitespace():
    request = split_request("Answer: ", "kain")
    assert request.context == "Answer:" and request.continuation == "  kain"


def test_ties_are_broken_by_seeded_random_choice():
    picks = {pick([-1.0, -1.0, -2.0, -1.0], np.random.default_rng(seed)) for seed in range(40)}
    assert picks == {0, 1, 3}
    assert pick([-3.0, -1.0, -2.0], np.random.default_rng(0)) == 1
    first = [pick([0.0, 0.0], np.random.default_rng(7)) for _ in range(3)]
    assert len(set(first)) == 1


def test_generation_stops_and_is_extracted_from_ids(scorer):
    assert cut_at_stop("kumain\nQuestion: next") == "kumain"
    assert cut_at_stop("kain Question: x") == "kain "
    out = scorer.generate_until(["Question: Spell 'kain'.\nAnswer:"], max_new_tokens=5)
    assert len(out) == 1 and "\n" not in out[0]


def test_wilson_interval():
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-3) and hi == pytest.approx(0.5962, abs=1e-3)
    assert wilson(0, 10)[0] == 0.0


def test_runner_results_resume_and_repeat(tmp_path, gemma_tokenizer):
    from morphtok.bench.generate import generate, write

    write({k: v for k, v in generate(5, {n: 3 for n in ("spell", "length", "count_char", "count_vowels")} | NEW_COMPOSITION_OFF,
                                     ["composition"]).items()}, tmp_path / "bench", 5)
    model_dir = tmp_path / "model"
    tiny_model(262_144, seed=1).save_pretrained(model_dir)
    gemma_tokenizer.save(model_dir)
    run({"m": str(model_dir)}, tmp_path / "bench", tmp_path / "r1", limit=5, seed=1, benchmarks=["composition"],
        mode="mcq")
    first = (tmp_path / "r1" / "m" / "composition_mcq.jsonl").read_text()
    assert len(first.splitlines()) == 5
    summary = json.loads((tmp_path / "r1" / "m" / "summary.json").read_text())
    overall = summary["benchmarks"]["composition_mcq"]["overall"]
    assert overall["n"] == 5 and 0 <= overall["acc"] <= 1 and len(overall["acc_ci95"]) == 2
    # A killed run: keep two finished items and a torn line; the rerun completes identically.
    lines = first.splitlines()
    (tmp_path / "r2" / "m").mkdir(parents=True)
    (tmp_path / "r2" / "m" / "composition_mcq.jsonl").write_text("\n".join(lines[:2]) + "\n" + lines[2][:20])
    run({"m": str(model_dir)}, tmp_path / "bench", tmp_path / "r2", limit=5, seed=1, benchmarks=["composition"],
        mode="mcq")
    redone = [json.loads(x) for x in (tmp_path / "r2" / "m" / "composition_mcq.jsonl").read_text().splitlines()
              if x.strip().endswith("}")]
    assert sorted(r["id"] for r in redone) == sorted(json.loads(x)["id"] for x in lines)
    # What was evaluated is recorded: the same model and settings give the same hashes, other weights do not.
    again = json.loads((tmp_path / "r2" / "m" / "summary.json").read_text())
    keys = ("model_sha256", "model_config_sha256", "tokenizer_hash", "eval_config_sha256")
    assert all(summary[k] for k in keys) and [summary[k] for k in keys] == [again[k] for k in keys]
    assert summary["tokenizer_hash"] == gemma_tokenizer.content_hash
    other_dir = tmp_path / "other"
    tiny_model(262_144, seed=2).save_pretrained(other_dir)
    gemma_tokenizer.save(other_dir)
    run({"m": str(other_dir)}, tmp_path / "bench", tmp_path / "r3", limit=2, seed=1, benchmarks=["composition"],
        mode="mcq")
    third = json.loads((tmp_path / "r3" / "m" / "summary.json").read_text())
    assert third["model_sha256"] != summary["model_sha256"]
    assert third["model_config_sha256"] == summary["model_config_sha256"]
    assert third["eval_config_sha256"] != summary["eval_config_sha256"]  # limit 2 vs 5


def test_subset_is_seeded_and_shared():
    items = list(range(50))
    assert subset(items, 10, 3) == subset(items, 10, 3)
    assert subset(items, 10, 3) != subset(items, 10, 4)
    assert subset(items, None, 3) == items
    assert math.isclose(len(subset(items, 10, 0)), 10)


def test_model_labels_name_runs_and_refuse_collisions():
    import typer

    from morphtok.eval.cli import model_labels

    labels = model_labels(["runs/x/train/patok/export", "runs/x/train/patok/step_0000120", "gemma3-270m",
                           "google/gemma-3-1b-pt"])
    assert list(labels) == ["patok", "patok-step_0000120", "gemma3-270m", "gemma-3-1b-pt"]
    with pytest.raises(typer.BadParameter, match="would both write results/baseline/"):
        model_labels(["runs/a/train/baseline/export", "runs/b/train/baseline/export"])


SHARED_PREFIX_QUESTIONS = [
    ("Question: What is the root word of 'kumain'?\nAnswer:", ["kain", "umain", "nagluto 🍜", "Ñoño"]),
    ("Tanong: Ilang pantig ang 'problema'?\nSagot: ", ["3", "4", "2", "5"]),  # trailing space moves
    ("Q:", ["a", "abc abc abc abc abc", "🍜🍜", "x"]),
    ("Question: Spell 'bulaklak' with spaces.\nAnswer:", ["b u l a k l a k", "b u l a k a k", "bulaklak", "b u l"]),
]


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
def test_shared_prefix_pass_equals_the_plain_rows(gemma_tokenizer, attention):
    from morphtok.eval.shared_prefix import score_questions

    model = tiny_model(262_144, seed=5).eval()
    model.config._attn_implementation = attention
    scorer = ScoringModel(LoadedModel(model, gemma_tokenizer, None, "tiny-full", "float32"), batch_size=4)
    prepared = [[scorer._prepare(split_request(c, o)) for o in options] for c, options in SHARED_PREFIX_QUESTIONS]
    flat = score_questions(scorer, prepared)
    assert flat is not None  # the shared path ran, not the fallback
    shared = [flat[4 * q : 4 * q + 4] for q in range(len(SHARED_PREFIX_QUESTIONS))]
    for (context, options), got in zip(SHARED_PREFIX_QUESTIONS, shared, strict=True):
        plain = scorer.loglikelihood([split_request(context, o) for o in options])
        assert got == pytest.approx(plain, abs=1e-4)
        for option, score in zip(options, got, strict=True):
            assert score == pytest.approx(_reference(scorer, *vars(split_request(context, option)).values()), abs=1e-4)
    assert scorer.score_many(SHARED_PREFIX_QUESTIONS) == shared  # score_many takes this path


def test_shared_prefix_falls_back_where_it_does_not_apply(gemma_tokenizer, monkeypatch):
    from morphtok.eval.shared_prefix import score_questions

    model = tiny_model(262_144, seed=5).eval()
    scorer = ScoringModel(LoadedModel(model, gemma_tokenizer, None, "tiny-full", "float32"), batch_size=4)
    prepared = [[scorer._prepare(split_request(c, o)) for o in options] for c, options in SHARED_PREFIX_QUESTIONS]
    with monkeypatch.context() as patch:
        patch.setattr(model.config, "sliding_window", 8)
        assert score_questions(scorer, prepared) is None  # longer than the sliding window
    monkeypatch.setenv("MORPHTOK_SHARED_PREFIX", "0")
    assert score_questions(scorer, prepared) is None
    plain = scorer.score_many(SHARED_PREFIX_QUESTIONS)
    assert plain[0] == pytest.approx(scorer.loglikelihood([split_request(SHARED_PREFIX_QUESTIONS[0][0], o)
                                                            for o in SHARED_PREFIX_QUESTIONS[0][1]]), abs=1e-6)


def test_a_model_that_fails_to_load_is_named_and_the_others_continue(tmp_path, gemma_tokenizer, caplog):
    from morphtok.bench.generate import generate, write
    from morphtok.errors import EvaluationError

    write(generate(5, {n: 3 for n in ("spell", "length", "count_char", "count_vowels")} | NEW_COMPOSITION_OFF,
                   ["composition"]), tmp_path / "bench", 5)
    model_dir = tmp_path / "model"
    tiny_model(262_144, seed=1).save_pretrained(model_dir)
    gemma_tokenizer.save(model_dir)
    broken = tmp_path / "broken"
    broken.mkdir()  # a directory without config.json
    with caplog.at_level("ERROR"):
        run({"broken": str(broken), "good": str(model_dir)}, tmp_path / "bench", tmp_path / "r", limit=3,
            benchmarks=["composition"], mode="mcq")
    assert "model broken failed" in caplog.text and str(broken) in caplog.text
    assert len((tmp_path / "r" / "good" / "composition_mcq.jsonl").read_text().splitlines()) == 3
    with pytest.raises(EvaluationError, match="every model failed"):
        run({"broken": str(broken)}, tmp_path / "bench", tmp_path / "r2", limit=3, benchmarks=["composition"],
            mode="mcq")
