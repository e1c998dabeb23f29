from __future__ import annotations

import copy
import json

import pytest

from morphtok.bench.generate import generate, write
from morphtok.bench.schema import read_items
from morphtok.bench.validator import validate
from morphtok.errors import BenchmarkError


@pytest.fixture(scope="module")
def files():
    return generate(1859)


def test_default_sizes_and_formats(files):
    counts = {name: len(items) for name, items in files.items()}
    assert counts["affixation_mcq"] >= 140 and counts["affixation_gen"] >= 140
    assert counts["composition_mcq"] >= 900 and counts["composition_gen"] >= 500
    assert counts["manipulation_mcq"] >= 800 and counts["syllabification_mcq"] >= 400
    assert counts["hierarchical_mcq"] >= 600
    levels = {i.level for i in files["hierarchical_mcq"]}
    assert levels == {0, 1, 2, 3, 4, 5}
    for name, items in files.items():
        assert all(i.prompt_en and i.prompt_tl for i in items)
        if name.endswith("_gen"):
            assert all(i.options is None and i.answer_index is None for i in items)


def test_every_file_passes_validation(files):
    for name, items in files.items():
        family, fmt = name.rsplit("_", 1)
        assert validate(items, files[f"{family}_{'gen' if fmt == 'mcq' else 'mcq'}"]) == {}, name


def test_same_seed_is_byte_identical(tmp_path, files):
    write(files, tmp_path / "a", 1859)
    write(generate(1859), tmp_path / "b", 1859)
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["seed"] == 1859 and "stress" in manifest["omitted"] and manifest["lexicon_hash"]
    assert read_items(tmp_path / "a" / "affixation_mcq.jsonl")[0].answer == files["affixation_mcq"][0].answer


def test_morphology_items_are_linguistically_right(files):
    from morphtok.lang.fil import analyze, inflect

    roots = [i for i in files["hierarchical_mcq"] if i.level == 2]
    assert all(i.answer != i.metadata["word"] and i.answer in i.metadata["word"] or len(i.answer) > 2 for i in roots)
    for item in (i for i in files["affixation_mcq"] if i.subtask == "inflect"):
        assert item.answer == inflect(item.metadata["root"], item.metadata["affix"])
        assert analyze(item.answer)[0].root == item.metadata["root"]  # valid by construction
    # Never a syllable split of an unaffixed word (the earlier attempt's adolfo = ado + lfo).
    assert all(analyze(i.metadata["word"])[0].is_affixed for i in roots)


@pytest.mark.parametrize(
    ("check", "breaker"),
    [
        ("one_answer", lambda i: setattr(i, "answer", i.answer + "x")),
        ("distinct", lambda i: i.options.__setitem__((i.answer_index + 1) % 4, i.options[(i.answer_index + 2) % 4])),
        ("leak", lambda i: setattr(i, "prompt_en", f"{i.prompt_en} (answer: {i.answer})")),
        ("changes", lambda i: (setattr(i, "answer", i.metadata["word"]), i.options.__setitem__(i.answer_index, i.metadata["word"]))),
    ],
)
def test_validator_catches_each_defect(files, check, breaker):
    items = copy.deepcopy([i for i in files["manipulation_mcq"] if i.subtask == "delete"][:40])
    breaker(items[0])
    assert check in validate(items)


def test_validator_catches_position_length_and_duplicates(files):
    items = copy.deepcopy(files["composition_mcq"][:200])
    for item in items:  # gold always first -> position bias
        gold = item.options.pop(item.answer_index)
        item.options.insert(0, gold)
        item.answer_index = 0
    assert "position" in validate(items)
    spelled = copy.deepcopy([i for i in files["composition_mcq"] if i.subtask == "spell"][:60])
    for item in spelled:  # gold padded to be the longest
        item.answer = item.options[item.answer_index] = item.answer + "      "
        item.metadata["word"] = item.metadata["word"]
    assert "length_cue" in validate(spelled)
    assert "duplicates" in validate([files["composition_mcq"][0], copy.deepcopy(files["composition_mcq"][0])])


def test_generator_refuses_a_failing_file(tmp_path, files):
    broken = copy.deepcopy(files)
    broken["composition_mcq"][0].answer = "wrong"
    with pytest.raises(BenchmarkError, match="fails validation"):
        write(broken, tmp_path, 1859)
    assert not (tmp_path / "composition_mcq.jsonl").exists()
