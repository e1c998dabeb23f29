"""The generator 2.0 item checks of the validator: distractors (1), trusted golds (5), "ng" (6)."""

from __future__ import annotations

from morphtok.bench.option_sets import has_ng
from morphtok.bench.schema import Item, inputs
from morphtok.bench.subtask import Meta, Subtask
from morphtok.bench.trust import distrust
from morphtok.lang.fil import analyze

FORM_ANSWERS = frozenset({"inflect", "apply_affix", "replace_prefix", "root_then_affix"})


def check_v2(item: Item, task: Subtask, problems: dict[str, list[str]]) -> None:
    meta = inputs(item)
    if task.letters and has_ng(meta):
        problems["ng"].append(f"{item.label}: a letter-position task on a word with \"ng\" (one Filipino letter, "
                              "two characters)")
    variants = [meta]
    if item.format == "mcq" and item.options:
        found = _distractor_problem(item, task, meta)
        if found:
            problems["distractors"].append(f"{item.label}: {found}")
        elif not task.counts:
            variants = list(item.metadata["options_from"].values())
    if task.morphology:
        for variant in variants:
            reason = _trust_problem(task, variant)
            if reason:
                problems["trusted"].append(f"{item.label}: {reason}")
                break


def _distractor_problem(item: Item, task: Subtask, meta: Meta) -> str | None:
    """Why the options are not answers to nearby questions (None when they are)."""
    options = item.options
    if task.counts:
        try:
            values = sorted(int(o) for o in options)
        except ValueError:
            return "a count's options are not numbers"
        if values != list(range(values[0], values[0] + len(values))) or item.answer not in options:
            return f"a count's options {options} are not consecutive numbers around the gold"
        return None
    sources = item.metadata.get("options_from")
    if not isinstance(sources, dict) or set(sources) != set(options):
        return "options without the inputs they answer (metadata options_from): perturbed gold?"
    for option, source in sources.items():
        if not isinstance(source, dict) or task.solve(source) != option:
            return f"option {option!r} is not the rule's answer to its stored inputs"
        if (option == item.answer) != (source == meta):
            return f"option {option!r}: only the gold may answer the item's own inputs"
    return None


def _trust_problem(task: Subtask, meta: Meta) -> str | None:
    word = meta.get("word")
    if isinstance(word, str):
        reason = distrust(word)
        if reason:
            return f"'{word}': {reason}"
        if task.name == "reduplication" and not analyze(word)[0].reduplication:
            return f"'{word}': the analyzer finds no reduplication"
    if task.name in FORM_ANSWERS:
        form = task.solve(meta)
        root = meta.get("root") or analyze(word)[0].root
        reason = distrust(form)
        if reason:
            return f"answer '{form}': {reason}"
        if analyze(form)[0].root != root:
            return f"answer '{form}' is analysed with root '{analyze(form)[0].root}', not '{root}'"
    return None
