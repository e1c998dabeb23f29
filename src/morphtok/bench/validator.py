"""Validity checks for benchmark files, run at generation time and in the tests.

Checks (each returns a list of problems; an empty list means the file passes):
  one_answer    the rule, recomputed from the item's metadata, gives ``answer``;
                for MCQ, ``options[answer_index] == answer`` and it occurs once
  distinct      MCQ options are pairwise distinct and non-empty
  position      gold positions are uniform (chi-square, p >= 0.001) -- MCQ files
  length_cue    per subtask (n >= 30), the gold is not the strictly longest or
                shortest option in more than half of the items
  leak          a non-numeric answer does not appear verbatim, as a whole word, in
                the prompt (except selection subtasks: "which of these words ...")
  changes       manipulation items change their input word
  duplicates    no prompt repeats within a file or across the MCQ/GEN pair
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from scipy.stats import chisquare

from morphtok.bench.schema import Item
from morphtok.bench.tasks import SUBTASKS
from morphtok.bench.text_tasks import SELECTION_SUBTASKS

_SOLVERS = {(t.family, t.name): t.solve for t in SUBTASKS}
_CHANGING = {"delete", "insert", "substitute", "swap", "uppercase", "lowercase", "capitalize", "strip_diacritics",
             "delete_char", "remove_prefix", "replace_prefix"}


def validate(items: list[Item], other: list[Item] | None = None) -> dict[str, list[str]]:
    """Problems per check for one file (``other``: the file of the other format)."""
    problems: dict[str, list[str]] = defaultdict(list)
    mcq = [i for i in items if i.format == "mcq"]
    for item in items:
        solver = _SOLVERS.get((item.family, item.subtask))
        # Legacy items (earlier formats) carry no rule inputs to recompute from.
        if solver is not None and "legacy" not in item.metadata and solver(item.metadata) != item.answer:
            problems["one_answer"].append(f"{item.id}: rule gives {solver(item.metadata)!r}, item says {item.answer!r}")
        if item.format == "mcq":
            options = item.options or []
            if item.answer_index is None or not 0 <= item.answer_index < len(options):
                problems["one_answer"].append(f"{item.id}: answer_index out of range")
                continue
            if options[item.answer_index] != item.answer or options.count(item.answer) != 1:
                problems["one_answer"].append(f"{item.id}: the gold option is not the answer exactly once")
            if len(set(options)) != len(options) or any(not o for o in options):
                problems["distinct"].append(f"{item.id}: options repeat or are empty")
        if leaks(item):
            problems["leak"].append(f"{item.id}: answer {item.answer!r} appears in the prompt")
        if item.subtask in _CHANGING and item.answer == item.metadata.get("word"):
            problems["changes"].append(f"{item.id}: the answer equals the input")
    seen = Counter(i.prompt_en for i in items)
    problems["duplicates"] += [f"repeated prompt: {p!r}" for p, n in seen.items() if n > 1]
    if other:
        shared = seen.keys() & {i.prompt_en for i in other}
        problems["duplicates"] += [f"prompt in both MCQ and GEN: {p!r}" for p in sorted(shared)[:10]]
    if mcq:
        problems["position"] += _position_problems(mcq)
        problems["length_cue"] += _length_problems(mcq)
    return {k: v for k, v in problems.items() if v}


def leaks(item: Item) -> bool:
    """The answer stands in the prompt as a whole word (the generator skips such candidates)."""
    answer = item.answer
    if answer.isdigit() or len(answer) < 3 or item.subtask in SELECTION_SUBTASKS:
        return False
    pattern = rf"(?<![\w-]){re.escape(answer)}(?![\w-])"
    return bool(re.search(pattern, item.prompt_en) or re.search(pattern, item.prompt_tl))


def gold_positions(items: list[Item]) -> list[int]:
    width = max(len(i.options or []) for i in items)
    counts = Counter(i.answer_index for i in items)
    return [counts.get(k, 0) for k in range(width)]


def _position_problems(items: list[Item]) -> list[str]:
    observed = gold_positions(items)
    if len(items) < 20:
        return []
    p_value = chisquare(observed).pvalue
    return [] if p_value >= 0.001 else [f"gold positions {observed} are not uniform (chi-square p={p_value:.2g})"]


def length_ranks(items: list[Item]) -> dict[str, dict[str, float]]:
    """Per subtask: share of items whose gold is the strictly longest / shortest option."""
    table: dict[str, Counter] = defaultdict(Counter)
    for item in items:
        lengths = [len(o) for o in item.options or []]
        gold = lengths[item.answer_index]
        table[item.subtask]["n"] += 1
        table[item.subtask]["longest"] += gold == max(lengths) and lengths.count(gold) == 1
        table[item.subtask]["shortest"] += gold == min(lengths) and lengths.count(gold) == 1
    return {k: {"n": v["n"], "longest": v["longest"] / v["n"], "shortest": v["shortest"] / v["n"]} for k, v in table.items()}


def _length_problems(items: list[Item]) -> list[str]:
    out = []
    for subtask, row in length_ranks(items).items():
        if row["n"] >= 30 and (row["longest"] > 0.5 or row["shortest"] > 0.5):
            out.append(f"{subtask}: gold is longest in {row['longest']:.0%}, shortest in {row['shortest']:.0%}")
    return out
