"""Generator 2.0 (issue #14): each validator check with a fixture that fails it, and the
properties the generator promises (options answer nearby questions, option-only guessers at
chance, trusted golds, the "ng" convention, families disjoint, GEN-only subtasks)."""

from __future__ import annotations

import copy
import json

import pytest

from morphtok.bench.audit import MAX_OPTION_ONLY, audit
from morphtok.bench.family import subtasks
from morphtok.bench.generate import generate, write
from morphtok.bench.option_sets import has_ng
from morphtok.bench.schema import Item
from morphtok.bench.validator import inputs, validate, validate_collection

SUBTASKS = subtasks()

LETTER_TASKS = {t.name for t in SUBTASKS if t.letters}


@pytest.fixture(scope="module")
def files():
    return generate(1859)


@pytest.fixture(scope="module")
def manifest(files, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench2")
    write(files, out, 1859)
    return json.loads((out / "manifest.json").read_text())


def _subtask(files, name, fmt="mcq"):
    family = next(t.family for t in SUBTASKS if t.name == name)
    return copy.deepcopy([i for i in files[f"{family}_{fmt}"] if i.subtask == name])


def test_every_option_answers_a_nearby_question(files):
    tasks = {(t.family, t.name): t for t in SUBTASKS}
    for items in files.values():
        for item in (i for i in items if i.format == "mcq"):
            task = tasks[(item.family, item.subtask)]
            if task.counts:
                values = sorted(int(o) for o in item.options)
                assert values == list(range(values[0], values[0] + 4)) and item.answer in item.options
                continue
            sources = item.metadata["options_from"]
            assert sorted(sources) == sorted(item.options)
            assert all(task.solve(source) == option for option, source in sources.items())
            assert sources[item.answer] == inputs(item)
            assert all(source != inputs(item) for option, source in sources.items() if option != item.answer)


def test_option_only_heuristics_stay_near_chance_and_the_manifest_records_them(files, manifest):
    for name, entry in manifest["files"].items():
        if not name.endswith("_mcq.jsonl"):
            continue
        for subtask, row in entry["option_only_audit"].items():
            assert row["max"] <= MAX_OPTION_ONLY, (name, subtask, row["best"], row["max"])
            assert {"closest_to_others", "longest", "shortest", "odd_shape", "most_frequent_word",
                    "only_real_word", "gold_prior"} <= row.keys()


def test_the_audit_finds_the_13_answer_leaks():
    old = generate(1859, families=["hierarchical", "manipulation"], version="1.3")
    table = audit(old["hierarchical_mcq"]) | audit(old["manipulation_mcq"])
    assert table["replace_prefix"]["closest_to_others"] > 0.9  # issue #14: 0.98
    assert table["uppercase"]["max"] > 0.9 and table["capitalize"]["max"] > 0.9
    problems = validate(old["manipulation_mcq"], option_audit=True)
    assert "option_only" in problems and "distractors" not in problems  # 1.3 items: 2.0 checks do not apply


def test_gen_only_subtasks_are_named_with_the_reason(files, manifest):
    mcq = {i.subtask for i in files["hierarchical_mcq"]}
    gen = {i.subtask for i in files["hierarchical_gen"]}
    assert {"find_root", "remove_prefix"} <= gen and not {"find_root", "remove_prefix"} & mcq
    assert set(manifest["gen_only"]) == {"hierarchical/find_root", "hierarchical/remove_prefix"}
    assert all("option-only" in reason for reason in manifest["gen_only"].values())


def test_no_letter_task_is_asked_of_a_word_with_ng(files):
    asked = [i for items in files.values() for i in items if i.subtask in LETTER_TASKS]
    assert asked and not any(has_ng(inputs(i)) for i in asked)
    for item in (i for i in asked if i.format == "mcq" and "options_from" in i.metadata):
        assert not any(has_ng(source) for source in item.metadata["options_from"].values())
    # The example: "Delete the 5th letter of 'gulang'" (gold gulag) is never generated.
    assert not any("'gulang'" in i.prompt["en"] for i in asked)


def test_no_prompt_is_in_two_families_or_formats(files):
    assert validate_collection(files) == []
    prompts = [i.prompt["en"] for items in files.values() for i in items]
    assert len(prompts) == len(set(prompts))


def test_morphology_golds_rest_on_trusted_attested_words(files):
    from morphtok.bench.trust import attested, distrust

    morphology = {t.name for t in SUBTASKS if t.morphology}
    for items in files.values():
        for item in (i for i in items if i.subtask in morphology):
            word = item.metadata.get("word")
            if word:
                assert distrust(word) is None, (item.id, word, distrust(word))
            if item.subtask in ("inflect", "apply_affix", "replace_prefix", "root_then_affix"):
                assert distrust(item.answer) is None and attested(item.answer), (item.id, item.answer)


# ----------------------------------------------------------------------------- one failing fixture per check
def _break_distractors(files):
    items = _subtask(files, "apply_affix")[:60]
    item = items[0]
    wrong = next(o for o in item.options if o != item.answer)
    perturbed = item.answer[:-1] + item.answer[-1] * 2  # a 1.x distractor: the gold with a doubled letter
    item.options[item.options.index(wrong)] = perturbed
    item.metadata["options_from"][perturbed] = item.metadata["options_from"].pop(wrong)
    return items, "distractors"


def _break_option_only(files):
    items = _subtask(files, "length")
    for item in items:  # every gold the smallest of its four numbers: the window is still consecutive
        start = int(item.answer)
        item.options = [str(start + k) for k in range(4)]
        shift = item.answer_index
        item.options = item.options[-shift:] + item.options[:-shift] if shift else item.options
        item.answer_index = item.options.index(item.answer)
    return items, "option_only"


def _break_trusted(files):
    items = _subtask(files, "find_root", "gen")[:5]
    # "tungkulan": the analyzer's tungkol + -an, but the form is not attested in running text (issue #14).
    items[0].metadata["word"] = "tungkulan"
    items[0].prompt["en"] = "What is the root word of 'tungkulan'?"
    items[0].answer = "tungkol"
    return items, "trusted"


def _break_ng(files):
    items = _subtask(files, "delete", "gen")[:5]
    items[0].metadata.update(word="gulang", index=4)
    items[0].prompt["en"], items[0].answer = "Delete the 5th letter of 'gulang'.", "gulag"
    return items, "ng"


@pytest.mark.parametrize("breaker", [_break_distractors, _break_option_only, _break_trusted, _break_ng])
def test_each_check_fails_its_fixture(files, breaker):
    items, check = breaker(files)
    assert check in validate(items), check
    intact = _subtask(files, items[0].subtask, items[0].format)
    assert check not in validate(intact)


def test_families_check_fails_a_prompt_shared_by_two_families(files):
    shared = copy.deepcopy(files["manipulation_gen"][0])
    shared.family, shared.subtask, shared.level = "hierarchical", "delete_char", 1
    broken = {"manipulation_gen": files["manipulation_gen"][:5], "hierarchical_gen": [shared]}
    assert validate_collection(broken) and "manipulation" in validate_collection(broken)[0]


def test_validator_names_a_rule_it_cannot_run_as_malformed():
    item = Item(id="x", family="manipulation", subtask="delete", prompt={"en": "?"}, answer="a",
                format="gen", metadata={"generator": "2.0", "word": "bahay"})  # no index
    assert "malformed" in validate([item])


def test_version_13_stays_available_and_says_so(tmp_path):
    old = generate(5, families=["composition"], scale=0.05, version="1.3")
    again = generate(5, families=["composition"], scale=0.05, version="1.3")
    assert [i.to_json() for i in old["composition_mcq"]] == [i.to_json() for i in again["composition_mcq"]]
    assert not any("generator" in i.metadata for items in old.values() for i in items)
    write(old, tmp_path, 5)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["generator_version"] == "1.3" and "gen_only" not in manifest
    with pytest.raises(Exception, match="unknown generator version"):
        generate(5, families=["composition"], version="1.4")
