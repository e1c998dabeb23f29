"""GEN matching rules and the MCQ controls (question-blind, calibrated) in records and summaries."""

from __future__ import annotations

import json

import pytest

from morphtok.bench.schema import Item
from morphtok.eval.grading import neutral_scores
from morphtok.eval.metrics import exact_match, lenient_match, normalise
from morphtok.eval.prompts import NEUTRAL_PROMPT
from morphtok.eval.runner import run
from morphtok.eval.scoring import ScoringModel
from morphtok.train.models import LoadedModel, tiny_model


def _gen(answer: str, word: str, subtask: str = "spell", **meta) -> Item:
    return Item(id="g", family="composition", subtask=subtask, prompt={"en": "?"}, answer=answer,
                format="gen", metadata={"word": word, **meta})


@pytest.mark.parametrize(("generated", "item", "exact", "lenient"), [
    (" b a h a y", _gen("b a h a y", "bahay"), True, True),
    ("bahay", _gen("b a h a y", "bahay"), False, False),  # echoing the input earns nothing
    ("'B A H A Y'.", _gen("b a h a y", "bahay"), False, True),  # quotes, a period, case
    ("Bahay", _gen("BAHAY", "bahay", "uppercase"), False, False),  # a re-cased echo of the input
    ("BAHAY", _gen("BAHAY", "bahay", "uppercase"), True, True),
    ("-in-", _gen("-in", "kainin", "identify"), False, False),  # infix is not suffix
    ("-hin", _gen("-in", "basahin", "identify", accept=["-hin"]), True, True),  # allomorph accepted
    ("10 letters", _gen("10", "kalabasaan", "length"), False, False),
])
def test_exact_and_lenient_match(generated, item, exact, lenient):
    assert exact_match(generated, item) is exact and lenient_match(generated, item) is lenient


def test_normalise_keeps_hyphens_and_inner_spaces():
    assert normalise("  «Mag-Aral»!  ") == "mag-aral" and normalise("a   b\tc") == "a b c"


def test_blind_scores_are_one_per_distinct_option_and_equal_the_neutral_prompt_scores(gemma_tokenizer):
    scorer = ScoringModel(LoadedModel(tiny_model(262_144, seed=4).eval(), gemma_tokenizer, None, "t", "float32"),
                          batch_size=4)
    scores = neutral_scores(scorer, ["1", "2", "3", "4", "2", "1", "5"])
    assert sorted(scores) == ["1", "2", "3", "4", "5"]
    direct = scorer.score_options(NEUTRAL_PROMPT, ["1", "2", "3", "4", "5"])
    assert [scores[o] for o in "12345"] == pytest.approx(direct, abs=1e-4)
    assert neutral_scores(scorer, ["5", "3", "1", "4", "2"]) == scores  # sorted first: the same pass whatever the order


def test_mcq_records_and_summary_carry_the_controls(tmp_path, gemma_tokenizer):
    from morphtok.bench.generate import generate, write

    sizes = {"spell": 12, "length": 12, "count_char": 12, "count_vowels": 12, "count_uppercase": 0,
             "count_diacritics": 0, "compare": 0}
    write(generate(5, sizes, ["composition"]), tmp_path / "bench", 5)
    tiny_model(262_144, seed=1).save_pretrained(tmp_path / "m")
    gemma_tokenizer.save(tmp_path / "m")
    run({"m": str(tmp_path / "m")}, tmp_path / "bench", tmp_path / "r", limit=20, seed=1, benchmarks=["composition"],
        mode="mcq")
    records = [json.loads(x) for x in (tmp_path / "r" / "m" / "composition_mcq.jsonl").read_text().splitlines()]
    for record in records:
        calibrated = [s - b for s, b in zip(record["logprobs"], record["logprobs_blind"], strict=True)]
        assert record["prediction_calibrated"] in [k for k, v in enumerate(calibrated) if v == max(calibrated)]
        assert record["prediction_blind"] in [k for k, v in enumerate(record["logprobs_blind"])
                                              if v == max(record["logprobs_blind"])]
        assert record["word"]
    # The same option string has the same blind score in every item (one neutral prompt).
    seen: dict[str, float] = {}
    for record in records:
        for option, score in zip(record["options"], record["logprobs_blind"], strict=True):
            assert seen.setdefault(option, score) == pytest.approx(score, abs=1e-4)
    # Killed in the second group of 16 with a torn line: the rerun writes exactly the same records
    # (its first group is done, so the second group's option strings are scored without it).
    lines = (tmp_path / "r" / "m" / "composition_mcq.jsonl").read_text().splitlines()
    (tmp_path / "r2" / "m").mkdir(parents=True)
    (tmp_path / "r2" / "m" / "composition_mcq.jsonl").write_text("\n".join(lines[:18]) + "\n" + lines[18][:25])
    run({"m": str(tmp_path / "m")}, tmp_path / "bench", tmp_path / "r2", limit=20, seed=1, benchmarks=["composition"],
        mode="mcq")
    assert sorted((tmp_path / "r2" / "m" / "composition_mcq.jsonl").read_text().splitlines()) == sorted(lines)
    summary = json.loads((tmp_path / "r" / "m" / "summary.json").read_text())
    for row in (summary["benchmarks"]["composition_mcq"]["overall"],
                *summary["benchmarks"]["composition_mcq"]["by_subtask"].values()):
        for key in ("acc", "acc_norm", "acc_question_blind", "acc_calibrated"):
            assert 0 <= row[key] <= 1 and len(row[f"{key}_ci95"]) == 2


def test_zero_and_three_shot_gen_score_the_same_items(tmp_path, gemma_tokenizer):
    from morphtok.bench.generate import generate, write

    write(generate(6, {"spell": 8, "length": 8, "count_char": 0, "count_vowels": 0, "count_uppercase": 0,
                       "count_diacritics": 0, "compare": 0}, ["composition"]), tmp_path / "bench", 6)
    tiny_model(262_144, seed=1).save_pretrained(tmp_path / "m")
    gemma_tokenizer.save(tmp_path / "m")
    ids, summaries = {}, {}
    for k in (0, 3):
        out = tmp_path / f"k{k}"
        run({"m": str(tmp_path / "m")}, tmp_path / "bench", out, limit=3, seed=2, benchmarks=["composition"],
            mode="gen", gen_fewshot=k)
        records = [json.loads(x) for x in (out / "m" / "composition_gen.jsonl").read_text().splitlines()]
        ids[k] = [r["id"] for r in records]
        summaries[k] = json.loads((out / "m" / "summary.json").read_text())
        assert all(len(r.get("shots", [])) == k for r in records)
    assert ids[0] == ids[3] and len(ids[0]) == 3
    assert summaries[0]["gen_mode"] == "format check (0-shot)" and summaries[3]["gen_mode"] == "3-shot"
