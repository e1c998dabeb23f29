"""Benchmark files in the earlier public formats are read with the right gold and evaluated."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from morphtok.bench.schema import read_items
from morphtok.bench.validator import validate
from morphtok.errors import BenchmarkError

FIXTURES = Path(__file__).parent / "data" / "bench_fixtures"


def test_pacute_format_gold_is_the_correct_option_not_position_zero():
    items = read_items(FIXTURES / "pacute_affixation_legacy.jsonl")
    mcq = [i for i in items if i.format == "mcq"]
    gen = [i for i in items if i.format == "gen"]
    assert [i.id for i in mcq] == ["affix-001", "affix-002", "affix-003"]
    assert [i.answer for i in mcq] == ["kumain", "labahan", "nag-"]
    for item in mcq:
        assert item.family == "affixation" and len(item.options) == 4
        assert item.options[item.answer_index] == item.answer
        assert sorted(item.options) == sorted(item.metadata["legacy_options"])
    # The earlier files put the correct option first; the shuffle (seeded by id) must not.
    assert {i.answer_index for i in mcq} != {0}
    assert read_items(FIXTURES / "pacute_affixation_legacy.jsonl") == items
    assert [(i.answer, i.subtask) for i in gen] == [("sinulat", "infix_in"), ("mag-aral", "prefix_mag")]
    assert gen[0].prompt_tl.startswith("Idagdag")


def test_hierarchical_format_gold_is_the_answer_field():
    items = read_items(FIXTURES / "hierarchical_legacy.jsonl")
    by_id = {i.id: i for i in items}
    assert [i.level for i in items] == [0, 1, 2, 3, 4, 5]
    assert by_id["h2-1"].answer == "kain" and by_id["h2-1"].answer_index == 1
    assert by_id["h3-1"].answer_index == 3
    assert by_id["h4-1"].answer == "inumin"  # an integer answer that is not an option is an index
    assert by_id["h5-1"].format == "gen" and by_id["h5-1"].answer == "lumuto"
    assert all(i.family == "hierarchical" for i in items)
    assert not validate([i for i in items if i.format == "mcq"]).get("one_answer")


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"level": 2, "prompt_en": "Root of 'kumain'?", "options": ["a", "b"], "answer": "kain"}, "not one of the options"),
        ({"prompts": [{"text_en": "x", "mcq_options": {"incorrect1": "a"}}], "label": "b"}, "has no 'correct'"),
        ({"prompts": [{"text_en": "x"}]}, "neither mcq_options nor a label"),
        ({"prompts": []}, "no prompts"),
    ],
)
def test_malformed_legacy_records_name_file_and_line(tmp_path, record, message):
    path = tmp_path / "old.jsonl"
    good = json.dumps({"level": 0, "prompt_en": "First letter of 'aso'?", "options": ["a", "s"], "answer": "a"})
    path.write_text(good + "\n" + json.dumps(record) + "\n")
    with pytest.raises(BenchmarkError) as err:
        read_items(path)
    assert message in str(err.value) and f"{path}:2" in str(err.value)


def test_legacy_files_are_evaluated_end_to_end(tmp_path, gemma_tokenizer):
    from morphtok.eval.runner import run
    from morphtok.train.models import tiny_model

    model_dir = tmp_path / "model"
    tiny_model(262_144, seed=2).save_pretrained(model_dir)
    gemma_tokenizer.save(model_dir)
    files = [shutil.copy(FIXTURES / name, tmp_path / name)
             for name in ("pacute_affixation_legacy.jsonl", "hierarchical_legacy.jsonl")]
    run({"tiny": str(model_dir)}, tmp_path, tmp_path / "results", benchmarks=[str(f) for f in files], seed=3)
    summary = json.loads((tmp_path / "results" / "tiny" / "summary.json").read_text())
    pacute = summary["benchmarks"]["pacute_affixation_legacy"]["overall"]
    assert (pacute["n"], pacute["n_mcq"], pacute["n_gen"]) == (5, 3, 2)
    assert {"acc", "acc_norm", "exact_match", "lenient_match"} <= pacute.keys()
    levels = summary["benchmarks"]["hierarchical_legacy"]["by_level"]
    assert sorted(levels) == ["0", "1", "2", "3", "4", "5"]
    rows = [json.loads(x) for x in (tmp_path / "results" / "tiny" / "hierarchical_legacy.jsonl").read_text().splitlines()]
    h4 = next(r for r in rows if r["id"] == "h4-1")
    assert h4["gold"] == "inumin" and h4["correct"] == (h4["prediction"] == 1)
