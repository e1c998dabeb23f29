"""Statistics by hand, and the report from real (tiny-model) evaluation results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from morphtok.analysis.report import build
from morphtok.analysis.statistics import (
    above_control,
    cluster_bootstrap,
    holm,
    holm_non_degenerate,
    mcnemar,
)
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


def test_degenerate_comparisons_are_reported_not_counted():
    zeros = mcnemar({"a": False, "b": False}, {"a": False, "b": False})
    ones = mcnemar({"a": True}, {"a": True})
    tied = mcnemar({"a": True, "b": False}, {"a": True, "b": False})
    assert zeros["degenerate"] and ones["degenerate"] and not tied["degenerate"]
    tests = [{"p_value": 0.04, "degenerate": False}, {"p_value": 1.0, "degenerate": True},
             {"p_value": 0.01, "degenerate": False}]
    # Two counted tests: 0.01 <= 0.05/2 and 0.04 <= 0.05/1; the degenerate one would have made it 3.
    assert holm_non_degenerate(tests) == [True, None, True]
    assert holm([0.04, 1.0, 0.01]) == [False, False, True]


def test_control_test_is_one_sided_exact_mcnemar():
    full = {f"i{k}": k < 9 for k in range(12)}  # right on i0..i8
    blind = {f"i{k}": k in (0, 9) for k in range(12)}  # right on i0, i9
    row = above_control(full, blind)
    assert (row["only_full"], row["only_blind"]) == (8, 1)
    # P(X >= 8 | n=9, 1/2) = (9 + 1) / 512
    assert row["p_value"] == pytest.approx(10 / 512) and row["difference"] == pytest.approx(7 / 12)


def test_bootstrap_clustered_by_word_is_wider_when_words_repeat():
    correct = {f"i{k}": k % 8 < 4 for k in range(80)}
    # Ten words, each holding eight items that are all right or all wrong, against eighty words.
    by_word = {f"i{k}": f"w{k // 8}" for k in range(80)}
    correct_words = {f"i{k}": (k // 8) % 2 == 0 for k in range(80)}
    lo_c, hi_c = cluster_bootstrap(correct_words, by_word, samples=2000, seed=1)
    lo_i, hi_i = cluster_bootstrap(correct, {}, samples=2000, seed=1)
    assert lo_c < 0.5 < hi_c and lo_i < 0.5 < hi_i
    assert (hi_c - lo_c) > 2 * (hi_i - lo_i)
    assert cluster_bootstrap(correct, by_word, samples=500, seed=3) == cluster_bootstrap(correct, by_word, 500, 3)


@pytest.fixture(scope="module")
def results(tmp_path_factory, gemma_tokenizer):
    from morphtok.bench.generate import generate, write

    root = tmp_path_factory.mktemp("analysis")
    # 16 per subtask: 8 of each go to the few-shot pool, 32 remain for the 24-item subset
    write(generate(5, {n: 16 for n in ("spell", "length", "count_char", "count_vowels")} | NEW_COMPOSITION_OFF, ["composition"]),
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
                   "| composition_mcq | m1 | m2 | 24 |", "| m1 | composition_mcq | count_vowels |",
                   "acc_question_blind | acc_calibrated | acc - blind", "non-degenerate"):
        assert needle in report, needle
    # The verdict line follows the table: significant exactly when a counted row says so.
    row = [line for line in report.splitlines() if line.startswith("| composition_mcq | m1 | m2 |")][0]
    significant = row.rstrip(" |").endswith("yes")
    assert ("Significant after correction" in report) == significant
    assert ("No difference between models is significant" in report) == (not significant)
    # Untrained models cannot beat their question-blind control: each benchmark is flagged.
    assert "**Flagged**" in report and "m1 on composition_mcq" in report
    for png in ("accuracy_by_benchmark.png", "subtask_heatmap.png"):
        assert (tmp_path / png).stat().st_size > 1000
    page = paths["report_html"].read_text()
    assert page.count("data:image/png;base64,") >= 2 and "src=\"http" not in page


def _copy_results(results, tmp_path):
    import shutil

    shutil.copytree(results / "results", tmp_path / "r")
    return tmp_path / "r"


def _set_correct(results_dir: Path, model: str, value) -> None:
    """Rewrite ``model``'s composition_mcq outcomes: ``value(item_id)`` says whether each item is right."""
    path = results_dir / model / "composition_mcq.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for record in records:
        record["correct"] = value(record["id"])
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


@pytest.mark.parametrize("m1_right, m2_right, significant", [
    (lambda i: True, lambda i: False, True),  # 24 discordant pairs, all for m1: p = 2 * 0.5**24
    (lambda i: sum(map(ord, i)) % 2 == 0, lambda i: sum(map(ord, i)) % 2 == 0, False),  # the same outcome on every item
])
def test_significance_verdict_follows_the_paired_outcomes(results, tmp_path, m1_right, m2_right, significant):
    copy = _copy_results(results, tmp_path)
    _set_correct(copy, "m1", m1_right)
    _set_correct(copy, "m2", m2_right)
    report = build(copy, tmp_path / "out")["report_md"].read_text()
    assert ("Significant after correction: m1 vs m2 on composition_mcq (m1 better" in report) == significant
    assert ("No difference between models is significant" in report) == (not significant)


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


def test_the_gold_set_ships_in_the_package_and_a_missing_one_is_an_error(tmp_path):
    from morphtok.errors import CorpusError
    from morphtok.lang.fil.evaluation import gold_path, load_gold

    assert "tests" not in gold_path().parts and len(load_gold()) > 300
    with pytest.raises(CorpusError, match="gold set is missing"):
        load_gold(tmp_path / "morph_gold.tsv")


def test_the_tokenization_table_accounts_for_every_input_record(tmp_path):
    from morphtok.analysis.report import _tokenization_section
    from morphtok.data.preprocess import preprocess

    corpus = tmp_path / "in.jsonl"
    good = [json.dumps({"id": f"d{k}", "text": f"Kumain ang bata ng mangga {k}."}) for k in range(6)]
    corpus.write_text("\n".join([*good, "{not json", json.dumps({"id": "e", "text": ""})]) + "\n", encoding="utf-8")
    preprocess(corpus, tmp_path / "baseline" / "chunk_0001", "baseline", val_fraction=0.0)
    stats = json.loads((tmp_path / "baseline" / "chunk_0001.stats.json").read_text())
    row = next(line for line in _tokenization_section({"baseline": [str(tmp_path / "baseline" / "chunk_0001")]})
               if line.startswith("| baseline"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] == "6" and cells[5] == "8" and cells[6] == "0"
    assert cells[7].startswith("2 (") and stats["skipped"]["total"] == 2  # both bad lines, with their reasons
