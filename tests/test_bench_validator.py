"""The validator on malformed items, and unknown benchmark / family names (issue #17 item 15)."""

from __future__ import annotations

import json

import pytest

from morphtok.bench.reader import read_items
from morphtok.bench.validator import validate
from morphtok.errors import BenchmarkError, EvaluationError


def _mcq(k: int, **change) -> dict:
    record = {"id": f"x-{k}", "family": "composition", "subtask": "legacy_task", "prompt_en": f"Question {k}?",
              "prompt_tl": "", "answer": f"a{k}", "format": "mcq", "options": [f"a{k}", f"b{k}", f"c{k}", f"d{k}"],
              "answer_index": 0, "metadata": {"legacy": "test"}}
    return record | change


def test_empty_options_and_out_of_range_answer_are_item_errors_with_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    rows = [_mcq(k, answer_index=k % 4, options=[f"a{k}", f"b{k}", f"c{k}", f"d{k}"][k % 4:] + [f"a{k}", f"b{k}",
            f"c{k}", f"d{k}"][: k % 4]) for k in range(40)]
    for row in rows:
        row["answer"] = row["options"][row["answer_index"]]
    rows[3] = _mcq(3, options=[], answer_index=0)
    rows[7] = _mcq(7, answer_index=9)
    rows[11] = _mcq(11, answer_index=None)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    problems = validate(read_items(path))  # must not raise
    messages = " | ".join(m for msgs in problems.values() for m in msgs)
    assert f"{path}:4" in messages and f"{path}:8" in messages and f"{path}:12" in messages
    assert "x-3" in messages and "x-7" in messages


def test_a_misspelled_benchmark_name_is_an_error_listing_the_valid_names(tmp_path):
    from morphtok.eval.runner import benchmark_files

    (tmp_path / "composition_mcq.jsonl").write_text("")
    with pytest.raises(EvaluationError) as err:
        benchmark_files(tmp_path, ["compostion"], "mcq")
    assert "compostion" in str(err.value) and "composition" in str(err.value) and "hierarchical" in str(err.value)


def test_a_misspelled_family_is_an_error_never_all_families(tmp_path):
    from morphtok.bench.generate import run
    from morphtok.config import BenchConfig

    with pytest.raises(BenchmarkError) as err:
        run(BenchConfig(families=["afixation"], scale=0.02), tmp_path / "b")
    assert "afixation" in str(err.value) and "affixation" in str(err.value)
    assert not (tmp_path / "b" / "composition_mcq.jsonl").exists()
