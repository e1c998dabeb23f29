from __future__ import annotations

import copy
import json
import unicodedata
from collections import Counter

import pytest

from morphtok.bench.generate import generate, write
from morphtok.bench.reader import read_items
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
    for fmt in ("mcq", "gen"):  # 100 per level, however many subtasks a level has
        assert Counter(i.level for i in files[f"hierarchical_{fmt}"]) == dict.fromkeys(range(6), 100)
    expected = {
        "composition": {"spell", "count_char", "length", "count_vowels", "count_uppercase", "count_diacritics", "compare"},
        "manipulation": {"delete", "insert", "substitute", "swap", "uppercase", "lowercase", "capitalize", "duplicate",
                         "strip_diacritics"},
        "hierarchical": {"char_at", "delete_char", "find_root", "identify_affix", "remove_prefix", "replace_prefix",
                         "apply_affix", "root_then_affix"},
    }
    gen_only = {"find_root", "remove_prefix"}  # 2.0: GEN only (the manifest says why)
    for family, subtasks in expected.items():
        assert {i.subtask for i in files[f"{family}_gen"]} == subtasks
        assert {i.subtask for i in files[f"{family}_mcq"]} == subtasks - gen_only
    for name, items in files.items():
        assert all(i.prompt["en"] and i.prompt["tl"] for i in items)
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

    roots = [i for i in files["hierarchical_gen"] if i.subtask == "find_root"]  # GEN only since 2.0
    assert len(roots) >= 20
    for item in roots:
        word = item.metadata["word"]
        # A real part of the word: never the word itself nor a 1-2 letter fragment, and the analyzer's
        # root (not always a substring: kahulugan -> hulog).
        assert item.answer != word and len(item.answer) > 2, (word, item.answer)
        assert analyze(word)[0].root == item.answer, (word, item.answer)
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
        ("leak", lambda i: i.prompt.update(en=f"{i.prompt['en']} (answer: {i.answer})")),
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


def test_case_accent_and_comparison_items_are_right(files):
    """Recomputed here without the generator's code: counts, removals and the one word that answers."""
    composition = files["composition_mcq"] + files["composition_gen"]
    for item in (i for i in composition if i.subtask == "count_uppercase"):
        word = item.metadata["word"]
        if item.format == "gen":
            assert word != word.lower() and word != word.upper()  # both cases shown
        assert item.answer == str(sum("A" <= c <= "Z" for c in word))
    for item in (i for i in composition if i.subtask == "count_diacritics"):
        word = item.metadata["word"]
        assert word == unicodedata.normalize("NFC", word)
        # 2.0 MCQ counts may be 0 (a window of four numbers with the gold at a uniform offset)
        assert item.answer == str(sum(not c.isascii() for c in word)) and int(item.answer) >= (item.format == "gen")
    for item in (i for i in composition if i.subtask == "compare"):
        words, char = item.metadata["words"], item.metadata["char"]
        counts = [w.count(char) for w in words]
        target = {"most": max(counts), "fewest": min(counts)}.get(item.metadata["mode"], item.metadata.get("n"))
        assert [w for w, c in zip(words, counts, strict=True) if c == target] == [item.answer]
        assert all(f"'{w}'" in item.prompt["en"] and f"'{w}'" in item.prompt["tl"] for w in words)
        if item.format == "mcq":
            assert sorted(item.options) == sorted(words)
    manipulation = files["manipulation_mcq"] + files["manipulation_gen"]
    for item in (i for i in manipulation if i.subtask == "lowercase"):
        assert item.metadata["word"] != item.answer and item.answer == item.metadata["word"].lower()
    for item in (i for i in manipulation if i.subtask == "strip_diacritics"):
        plain = "".join(c for c in unicodedata.normalize("NFD", item.metadata["word"]) if not unicodedata.combining(c))
        assert item.answer == plain and item.answer.isascii() and item.answer != item.metadata["word"]


def test_morphology_items_build_only_on_trusted_analyses(files):
    from morphtok.bench.trust import distrust, trusted
    from morphtok.lang.fil import analyze, inflect

    # "magasin" (magazine) is not mag- + asin: standard spelling would be "mag-asin".
    assert distrust("magasin") is not None and trusted("mag-aral").root == "aral"
    for item in files["hierarchical_mcq"] + files["hierarchical_gen"] + files["affixation_mcq"] + files["affixation_gen"]:
        if item.subtask == "replace_prefix":
            root = analyze(item.metadata["word"])[0].root
            assert item.answer == inflect(root, item.metadata["new"]) and analyze(item.answer)[0].root == root
            assert not item.metadata["new"].startswith(item.metadata["prefix"] + "-")
            assert distrust(item.answer) is None
        if "word" in item.metadata and item.subtask not in ("char_at", "delete_char"):
            assert distrust(item.metadata["word"]) is None, item.metadata["word"]


def test_validator_exempts_only_selection_tasks_from_the_leak_check(files):
    compare = copy.deepcopy([i for i in files["composition_gen"] if i.subtask == "compare"][:5])
    assert all(f"'{i.answer}'" in i.prompt["en"] for i in compare) and "leak" not in validate(compare)
    lowered = copy.deepcopy([i for i in files["manipulation_mcq"] if i.subtask == "lowercase"][:40])
    lowered[0].metadata["word"] = lowered[0].answer  # nothing left to lower-case
    assert "changes" in validate(lowered)


def test_gold_positions_are_balanced_within_every_subtask(files):
    for name, items in files.items():
        if not name.endswith("_mcq"):
            continue
        by_subtask: dict[str, Counter] = {}
        for item in items:
            assert item.options[item.answer_index] == item.answer
            by_subtask.setdefault(item.subtask, Counter())[item.answer_index] += 1
        for subtask, counts in by_subtask.items():
            assert max(counts.values()) - min(counts.get(k, 0) for k in range(4)) <= 1, (name, subtask, counts)
        # balanced, yet not a cycle: the gold of consecutive items is not a function of the index
        golds = [i.answer_index for i in items]
        assert golds != [k % 4 for k in range(len(golds))]
        assert len({tuple(golds[k:k + 4]) for k in range(0, len(golds) - 3, 4)}) > 4
