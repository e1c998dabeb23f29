"""Benchmark families come from the ``morphtok.benchmarks`` registry: a family registered from
outside morphtok (here in-process, as a plugin's entry point would) is generated, validated and
accepted by the evaluation's benchmark names, without editing morphtok."""

from __future__ import annotations

import json

import pytest

from morphtok.bench import family
from morphtok.bench import option_sets as sets
from morphtok.bench.generate import generate, write
from morphtok.bench.reader import read_items
from morphtok.bench.subtask import Subtask
from morphtok.bench.validator import validate
from morphtok.errors import BenchmarkError
from morphtok.eval.runner import benchmark_files, benchmark_names

PROMPTS = {"family": "reversal", "subtasks": {"reverse": {"prompt": {
    "en": "Write '{word}' backwards.", "tl": "Isulat nang pabaligtad ang '{word}'."}}}}


def _make(word, rng):
    return {"word": word} if len(word) >= 4 and word != word[::-1] else None


def _reversed(meta):
    return meta["word"][::-1]


def _reversal() -> family.Family:
    return family.define("reversal", sizes={"mcq": 40, "gen": 20}, prompts=PROMPTS, subtasks=[
        Subtask(name="reverse", make=_make, solve=_reversed, variants=sets.clique, checks={"changes"})])


@pytest.fixture
def reversal():
    family.FAMILIES.register("reversal")(_reversal())
    try:
        yield "reversal"
    finally:
        family.FAMILIES.unregister("reversal")


def test_a_registered_family_is_generated_validated_and_evaluable(reversal, tmp_path):
    assert reversal in family.names() and family.names()[-1] == reversal  # after the built-ins (order 100)
    files = generate(7, None, [reversal])
    assert sorted(files) == ["reversal_gen", "reversal_mcq"]
    assert [len(files["reversal_mcq"]), len(files["reversal_gen"])] == [40, 20]
    for item in files["reversal_mcq"] + files["reversal_gen"]:
        assert item.answer == item.metadata["word"][::-1]
        assert item.prompt == {"en": f"Write '{item.metadata['word']}' backwards.",
                               "tl": f"Isulat nang pabaligtad ang '{item.metadata['word']}'."}
    write(files, tmp_path, 7)  # validates every file (a failing one is refused)
    mcq = read_items(tmp_path / "reversal_mcq.jsonl")
    assert mcq == files["reversal_mcq"] and not validate(mcq)
    broken = read_items(tmp_path / "reversal_gen.jsonl")
    broken[0].answer = broken[0].metadata["word"]  # the registered rule and the "changes" check both catch it
    assert {"one_answer", "changes"} <= set(validate(broken))
    assert reversal in benchmark_names() and family.origin(reversal) == "registered in-process"
    assert family.origin("composition") == "morphtok.bench.families.composition:COMPOSITION"
    assert [p.name for p in benchmark_files(tmp_path, [reversal], "both")] == ["reversal_mcq.jsonl",
                                                                            "reversal_gen.jsonl"]


def test_an_unknown_family_lists_the_registered_ones(reversal, tmp_path):
    with pytest.raises(BenchmarkError) as err:
        generate(7, None, ["reversed"])
    assert "reversal" in str(err.value.hint) and "hierarchical" in str(err.value.hint)
    from morphtok.errors import EvaluationError

    with pytest.raises(EvaluationError) as err:
        benchmark_files(tmp_path, ["reversed"], "both")
    assert "reversal" in str(err.value.hint)


def test_an_unregistered_family_is_gone(tmp_path):
    family.FAMILIES.register("reversal")(_reversal())
    family.FAMILIES.unregister("reversal")
    assert "reversal" not in family.names() and "reversal" not in benchmark_names()
    with pytest.raises(BenchmarkError, match="unknown benchmark family 'reversal'"):
        family.check_families(["reversal"])


def test_generator_1_3_refuses_a_family_it_does_not_know(reversal):
    with pytest.raises(BenchmarkError, match="no generator 1.3 subtasks"):
        generate(7, None, [reversal], version="1.3")


@pytest.mark.parametrize("prompts, message", [
    ({"family": "reversal", "subtasks": {}}, "without prompts"),
    ({"family": "reversal", "subtasks": {"reverse": {"prompt": {"tl": "x"}}}}, "no 'en' prompt"),
    ({"family": "other", "subtasks": {}}, "family: reversal"),
    ({**PROMPTS, "subtasks": {**PROMPTS["subtasks"], "extra": {"prompt": {"en": "?"}}}}, "undeclared"),
])
def test_a_family_definition_with_bad_prompts_is_refused(prompts, message):
    with pytest.raises(BenchmarkError, match=message):
        family.define("reversal", sizes={"mcq": 1, "gen": 1}, prompts=prompts,
                      subtasks=[Subtask(name="reverse", make=_make, solve=_reversed)])


def test_an_unknown_check_or_pool_is_refused():
    with pytest.raises(ValueError, match="unknown check"):
        Subtask(name="reverse", make=_make, solve=_reversed, checks={"spelling"})
    with pytest.raises(ValueError, match="unknown pool"):
        Subtask(name="reverse", make=_make, solve=_reversed, pool="nouns")


def test_builtin_prompts_come_from_the_yaml_files_and_match_generator_1_3():
    from morphtok.bench.tasks import SUBTASKS as SUBTASKS_1

    v1 = {(t.family, t.name): dict(t.prompt) for t in SUBTASKS_1}
    v2 = {(t.family, t.name): dict(t.prompt) for t in family.subtasks()}
    assert v1 == v2 and all(set(p) == {"en", "tl"} for p in v2.values())
    assert family.suite_members("pacute") == ["affixation", "composition", "manipulation", "syllabification"]


def test_an_item_file_of_the_1x_shape_is_read_with_the_prompt_per_language(tmp_path):
    record = {"id": "a", "family": "composition", "subtask": "length", "format": "gen", "answer": "4",
              "prompt_en": "How many letters are in the word 'bata'?", "prompt_tl": "Ilang titik mayroon ang "
              "salitang 'bata'?", "metadata": {"word": "bata"}, "level": None, "options": None, "answer_index": None}
    path = tmp_path / "composition_gen.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (item,) = read_items(path)
    assert item.prompt == {"en": record["prompt_en"], "tl": record["prompt_tl"]}
    assert json.loads(item.to_json(prompt_fields=True)) == record  # 1.3 writes this shape back
    path.write_text(json.dumps({**record, "prompt": "not a mapping"}) + "\n")
    with pytest.raises(BenchmarkError, match="language codes"):
        read_items(path)


def test_config_bench_families_are_checked_against_the_registry(reversal):
    from morphtok.config import load_config
    from morphtok.errors import ConfigError

    assert load_config(None, [f"bench.families=[composition,{reversal}]"]).bench.families == ["composition", reversal]
    with pytest.raises(ConfigError, match=r"bench.families\[0\]: must be one of .*reversal \(registered benchmark families\)"):
        load_config(None, ["bench.families=[reversed]"])
