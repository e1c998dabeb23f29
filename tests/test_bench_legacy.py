"""Benchmark files in the earlier public formats are read with the right gold and evaluated."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from morphtok.bench.reader import read_items
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
    assert gen[0].prompt["tl"].startswith("Idagdag")


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


def test_the_other_upstream_families_are_read():
    cute = read_items(FIXTURES / "cute_gen_legacy.jsonl")
    assert {i.family for i in cute} == {"cute"} and [i.subtask for i in cute] == ["spell", "del_char", "spell"]
    assert cute[0].prompt["en"].endswith('" bahay ".\nAnswer:') and cute[0].metadata["verbatim_prompt"]
    from morphtok.bench.schema import prompt_text

    assert prompt_text(cute[0]) == cute[0].prompt["en"]  # the file's own prompt, examples included
    game = read_items(FIXTURES / "langgame_mcq_legacy.jsonl")
    assert [i.answer for i in game] == ["kalabaw", "bahay"] and all(" " not in "".join(i.options) for i in game)
    assert all(i.options[i.answer_index] == i.answer for i in game)
    addition = read_items(FIXTURES / "multi_digit_addition_mcq_legacy.jsonl")
    assert {i.family for i in addition} == {"multi_digit_addition"} and addition[0].prompt == {"en": "341+114="}
    assert {i.answer_index for i in addition} != {0}  # the gold is listed first in the file: shuffled
    stress = read_items(FIXTURES / "stress_mcq_legacy.jsonl")
    assert [(i.family, i.subtask, i.answer) for i in stress] == [
        ("stress", "syllable_position", "3rd"), ("stress", "syllable_position", "2nd"),
        ("stress", "stress_type", "mabilis (acute á)")]


def test_an_unknown_record_shape_is_refused_in_one_line_naming_file_and_family(tmp_path):
    path = tmp_path / "langgame_train.jsonl"
    path.write_text(json.dumps({"text": "x", "label": 1}) + "\n")
    with pytest.raises(BenchmarkError) as err:
        read_items(path)
    message = str(err.value)
    assert "\n" not in message and f"{path}:1" in message and "langgame" in message and "unknown shape" in message
    ours = tmp_path / "composition_mcq.jsonl"
    ours.write_text(json.dumps({"id": "a", "family": "composition", "format": "gen", "subtask": "x", "prompt_en": "?",
                                "prompt_tl": "", "answer": "a", "question": "?"}) + "\n")
    with pytest.raises(BenchmarkError, match="unknown item field"):
        read_items(ours)


def test_contradicted_upstream_golds_are_counted_per_level():
    problems = {}
    for name in ("hierarchical_upstream_legacy.jsonl", "multi_digit_addition_mcq_legacy.jsonl",
                 "cute_gen_legacy.jsonl", "stress_mcq_legacy.jsonl"):
        problems[name] = validate(read_items(FIXTURES / name)).get("upstream_gold", [])
    assert "2 earlier-format golds" in problems["hierarchical_upstream_legacy.jsonl"][0]
    assert "'4': 1, '5': 1" in problems["hierarchical_upstream_legacy.jsonl"][0]
    assert "mda-wrong" in problems["multi_digit_addition_mcq_legacy.jsonl"][0]
    assert "cute-spell-wrong" in problems["cute_gen_legacy.jsonl"][0]
    assert "stress-malumi" in problems["stress_mcq_legacy.jsonl"][0]


def test_no_validate_scores_contradicted_golds_and_marks_them(tmp_path, gemma_tokenizer):
    from morphtok.eval.runner import run
    from morphtok.train.models import tiny_model

    model_dir = tmp_path / "model"
    tiny_model(262_144, seed=2).save_pretrained(model_dir)
    gemma_tokenizer.save(model_dir)
    path = shutil.copy(FIXTURES / "hierarchical_upstream_legacy.jsonl", tmp_path / "hierarchical_upstream.jsonl")
    with pytest.raises(Exception, match="every benchmark file fails the validator"):
        run({"tiny": str(model_dir)}, tmp_path, tmp_path / "strict", benchmarks=[str(path)], seed=3)
    run({"tiny": str(model_dir)}, tmp_path, tmp_path / "loose", benchmarks=[str(path)], seed=3, validate=False)
    records = {json.loads(x)["id"]: json.loads(x)
               for x in (tmp_path / "loose" / "tiny" / "hierarchical_upstream.jsonl").read_text().splitlines()}
    assert {k for k, r in records.items() if r.get("gold_contradicted")} == {"hu-4", "hu-5"}
    summary = json.loads((tmp_path / "loose" / "tiny" / "summary.json").read_text())
    marked = summary["benchmarks"]["hierarchical_upstream"]["gold_contradicted"]
    assert marked["items_in_file"] == {"4": 1, "5": 1} and marked["scored"] == 2
