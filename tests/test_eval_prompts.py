"""k-shot and letter-mode prompts, per-item tie-breaks, batching, early stopping and the
validator gate at evaluation time."""

from __future__ import annotations

import json
import logging

import pytest
import torch

from morphtok.bench.schema import Item, prompt_text
from morphtok.eval.prompts import (
    FEWSHOT_DELIMITER,
    build_prompt,
    choices,
    item_rng,
    shots_for,
    split_fewshot,
)
from morphtok.eval.runner import run, subset
from morphtok.eval.scoring import ScoringModel, cut_at_stop, split_request
from morphtok.train.models import LoadedModel, tiny_model

# Only the four basic composition subtasks: small, fast files.
NEW_COMPOSITION_OFF = {"count_uppercase": 0, "count_diacritics": 0, "compare": 0}


def _items(n_per_subtask: int = 10) -> list[Item]:
    items = []
    for subtask in ("spell", "length"):
        for k in range(n_per_subtask):
            items.append(Item(id=f"{subtask}-{k}", family="composition", subtask=subtask, prompt={"en": f"{subtask} {k}?"},
                              answer=f"a{k}", format="mcq", options=[f"a{k}", f"b{k}", f"c{k}"],
                              answer_index=0))
    return items


def test_fewshot_pool_is_disjoint_seeded_and_independent_of_k():
    items = _items()
    evaluated, pool = split_fewshot(items, seed=3)
    pooled = {i.id for group in pool.values() for i in group}
    assert pooled and not pooled & {i.id for i in evaluated}
    assert len(evaluated) + len(pooled) == len(items)
    assert all(len(group) == 5 for group in pool.values())  # half of a 10-item subtask
    assert split_fewshot(items, 3) == (evaluated, pool)  # k is not an argument: the same split for every k
    assert split_fewshot(items, 4)[1] != pool


def test_shots_are_same_subtask_seeded_per_item_and_joined_by_blank_line():
    items = _items()
    evaluated, pool = split_fewshot(items, seed=3)
    item = evaluated[0]
    shots = shots_for(item, pool, 3, seed=3)
    assert len(shots) == 3 and {s.subtask for s in shots} == {item.subtask} and len({s.id for s in shots}) == 3
    assert shots == shots_for(item, pool, 3, seed=3)
    prompt = build_prompt(item, shots)
    parts = prompt.split(FEWSHOT_DELIMITER)
    assert parts[-1] == prompt_text(item)
    assert parts[0] == f"{prompt_text(shots[0])} {shots[0].answer}"
    assert shots_for(item, pool, 99, seed=3) and len(shots_for(item, pool, 99, seed=3)) == 5  # capped by the pool


def test_letter_mode_lists_options_and_scores_letters():
    item = _items()[0]
    prompt = build_prompt(item, [], "letter")
    assert prompt == f"Question: {item.prompt['en']}\nA. a0\nB. b0\nC. c0\nAnswer:"
    assert choices(item, "letter") == ["A", "B", "C"] and choices(item) == item.options


def test_item_rng_depends_only_on_seed_and_id():
    assert item_rng(1, "x").integers(0, 10**9) == item_rng(1, "x").integers(0, 10**9)
    assert item_rng(1, "x").integers(0, 10**9) != item_rng(1, "y").integers(0, 10**9)


def test_smaller_limit_is_a_subset_of_a_larger_one():
    items = list(range(200))
    assert set(subset(items, 20, 5)) <= set(subset(items, 100, 5))


@pytest.fixture(scope="module")
def scorer(gemma_tokenizer):
    model = tiny_model(262_144, seed=5).eval()
    return ScoringModel(LoadedModel(model, gemma_tokenizer, None, "tiny-full", "float32"), batch_size=5)


def test_batched_questions_equal_one_at_a_time(scorer):
    questions = [("Question: What is the root of 'kumain'?\nAnswer:", ["kain", "umain", "nagluto 🍜"]),
                 ("Question: Spell 'bahay'.\nAnswer:", ["b-a-h-a-y", "b-a-y", "Ñoño", "h"]),
                 ("Question: x\nAnswer: ", ["a", "bb"])]
    together = scorer.score_many(questions)
    for (context, options), scores in zip(questions, together, strict=True):
        alone = [scorer.loglikelihood([split_request(context, o)])[0] for o in options]
        assert scores == pytest.approx(alone, abs=1e-4)
    assert scorer.score_many(questions) == together  # same batching, same numbers


def test_generation_stops_early_with_the_same_answer(scorer):
    prompt = "Question: Spell 'kain'.\nAnswer:"
    ids = [scorer.tokenizer.bos_id, *scorer.tokenizer.encode(prompt)]
    with torch.no_grad():
        full = scorer.model.generate(input_ids=torch.tensor([ids]), max_new_tokens=12, do_sample=False,
                                     attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                     pad_token_id=0)[0, len(ids):].tolist()
    assert scorer.generate_until([prompt], max_new_tokens=12) == [cut_at_stop(scorer._decode_generated(full))]


def _write_bench(directory, gemma_tokenizer, tmp_path):
    from morphtok.bench.generate import generate, write

    files = generate(5, {n: 12 for n in ("spell", "length", "count_char", "count_vowels")} | NEW_COMPOSITION_OFF, ["composition"])
    write(files, directory, 5)
    model_dir = tmp_path / "model"
    tiny_model(262_144, seed=1).save_pretrained(model_dir)
    gemma_tokenizer.save(model_dir)
    return model_dir


def test_kshot_letter_run_records_shots_and_resumes_identically(tmp_path, gemma_tokenizer):
    model_dir = _write_bench(tmp_path / "bench", gemma_tokenizer, tmp_path)
    options = {"limit": 20, "seed": 2, "num_fewshot": 2, "mcq_style": "letter", "benchmarks": ["composition"],
               "mode": "mcq"}
    run({"m": str(model_dir)}, tmp_path / "bench", tmp_path / "r1", **options)
    first = (tmp_path / "r1" / "m" / "composition_mcq.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in first]
    assert len(records) == 20 and all(len(r["shots"]) == 2 for r in records)
    evaluated = {r["id"] for r in records}
    assert not evaluated & {s for r in records for s in r["shots"]}
    assert all(r["scored"] == ["A", "B", "C", "D"][: len(r["options"])] for r in records)
    summary = json.loads((tmp_path / "r1" / "m" / "summary.json").read_text())
    assert summary["num_fewshot"] == 2 and summary["mcq_style"] == "letter"
    # Killed after 18 items (mid-group) with a torn line: the rerun writes the same records.
    (tmp_path / "r2" / "m").mkdir(parents=True)
    (tmp_path / "r2" / "m" / "composition_mcq.jsonl").write_text("\n".join(first[:18]) + "\n" + first[18][:15])
    run({"m": str(model_dir)}, tmp_path / "bench", tmp_path / "r2", **options)
    again = (tmp_path / "r2" / "m" / "composition_mcq.jsonl").read_text().splitlines()
    assert sorted(again) == sorted(first)


def test_a_file_failing_the_validator_is_skipped_by_name(tmp_path, gemma_tokenizer, caplog):
    model_dir = _write_bench(tmp_path / "bench", gemma_tokenizer, tmp_path)
    bad = tmp_path / "broken.jsonl"
    item = json.loads((tmp_path / "bench" / "composition_mcq.jsonl").read_text().splitlines()[0])
    item["answer_index"] = (item["answer_index"] + 1) % len(item["options"])  # the gold no longer matches
    bad.write_text(json.dumps(item) + "\n")
    with caplog.at_level(logging.ERROR):
        run({"m": str(model_dir)}, tmp_path / "bench", tmp_path / "r", limit=4, mode="mcq",
            benchmarks=["composition", str(bad)])
    assert any("broken.jsonl" in r.message and "one_answer" in r.message for r in caplog.records)
    rejected = json.loads((tmp_path / "r" / "rejected_benchmarks.json").read_text())
    assert list(rejected) == [str(bad)] and "one_answer" in rejected[str(bad)]
    assert (tmp_path / "r" / "m" / "composition_mcq.jsonl").is_file()
    assert not (tmp_path / "r" / "m" / "broken.jsonl").exists()
    run({"m": str(model_dir)}, tmp_path / "bench", tmp_path / "r", limit=4, mode="mcq", benchmarks=[str(bad)],
        validate=False)
    assert (tmp_path / "r" / "m" / "broken.jsonl").is_file()
