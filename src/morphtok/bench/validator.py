"""Validity checks for benchmark files, run at generation time, at evaluation and in the tests.

``validate(items)`` returns problems per check (an empty dict means the file passes); it never
raises on a malformed item, it names the item (``file:line (id)`` when read from a file).
Checks on every file:

  one_answer    the rule, recomputed from the item's metadata, gives ``answer``; for MCQ,
                ``options[answer_index] == answer`` exactly once (and the index is in range)
  malformed     an item the rule cannot be run on (missing or wrong metadata)
  distinct      MCQ options are pairwise distinct and non-empty
  position      gold positions are uniform (chi-square, p >= 0.001) -- MCQ files
  length_cue    per subtask (n >= 30), the gold is not the strictly longest or shortest
                option in more than half of the items
  leak          a non-numeric answer does not appear verbatim, as a whole word, in the
                prompt (except selection subtasks: "which of these words ...")
  changes       manipulation items change their input word
  duplicates    no prompt repeats within a file or across the MCQ/GEN pair
  upstream_gold an earlier-format item whose gold our recomputation contradicts
                (:mod:`bench.recompute`; counted per level)

Checks on generator 2.0 items (``metadata["generator"] == "2.0"``), one per issue #14 point:

  distractors   (1) every option is the rule's answer to stored nearby inputs
                (``metadata["options_from"]``), the gold to the item's own; a count's options
                are four consecutive numbers around the gold
  option_only   (2) no option-only heuristic (:mod:`bench.audit`) beats ``MAX_OPTION_ONLY`` on a
                subtask of at least ``MIN_AUDIT_ITEMS`` MCQ items (also applied, with
                ``option_audit=True``, to any file: the evaluation does so)
  trusted       (5) every word a morphology gold rests on passes :func:`bench.trust.distrust`
  ng            (6) no word with "ng" in a subtask that counts letters or names positions
  families      (7) no prompt in two families (:func:`validate_collection`, across files)
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from scipy.stats import chisquare

from morphtok.bench.checks2 import check_v2
from morphtok.bench.family import subtask as registered_subtask
from morphtok.bench.schema import Item, inputs
from morphtok.bench.subtask import Subtask
from morphtok.bench.text_tasks import SELECTION_SUBTASKS
from morphtok.errors import MorphtokError

# The 1.x and earlier-format subtasks that change their input (2.0 subtasks declare the "changes" check).
_CHANGING = {"delete", "insert", "substitute", "swap", "uppercase", "lowercase", "capitalize", "strip_diacritics",
             "delete_char", "remove_prefix", "replace_prefix"}
# What a malformed item's rule may raise; anything else is a bug in the validator itself.
_MALFORMED = (KeyError, IndexError, TypeError, ValueError, AttributeError, MorphtokError)


def _subtask(version: str | None, family: str, name: str) -> Subtask | None:
    """The rule an item was made by: a registered family's (2.0) or the frozen 1.x records."""
    if version == "2.0":
        return registered_subtask(family, name)
    from morphtok.bench.tasks import SUBTASKS

    return next((t for t in SUBTASKS if t.family == family and t.name == name), None)


def validate(items: list[Item], other: list[Item] | None = None, *, option_audit: bool | None = None) -> dict[str, list[str]]:
    """Problems per check for one file (``other``: the file of the other format).

    ``option_audit``: run the option-only audit (default: on generator 2.0 files only)."""
    problems: dict[str, list[str]] = defaultdict(list)
    well_formed = []
    for item in items:
        version = item.metadata.get("generator") if isinstance(item.metadata, dict) else None
        try:
            if _check_item(item, _subtask(version, item.family, item.subtask), problems):
                well_formed.append(item)
        except _MALFORMED as err:
            problems["malformed"].append(f"{item.label}: {type(err).__name__}: {err}")
    seen = Counter(i.prompt.get("en", "") for i in items)
    problems["duplicates"] += [f"repeated prompt: {p!r}" for p, n in seen.items() if n > 1]
    if other:
        shared = seen.keys() & {i.prompt.get("en", "") for i in other}
        problems["duplicates"] += [f"prompt in both MCQ and GEN: {p!r}" for p in sorted(shared)[:10]]
    problems["upstream_gold"] += _upstream_problems(items)
    mcq = [i for i in well_formed if i.format == "mcq"]
    if mcq:
        problems["position"] += _position_problems(mcq)
        problems["length_cue"] += _length_problems(mcq)
        if option_audit or (option_audit is None and any(i.metadata.get("generator") == "2.0" for i in mcq)):
            from morphtok.bench.audit import audit_problems

            problems["option_only"] += audit_problems(mcq)
    return {k: v for k, v in problems.items() if v}


def _check_item(item: Item, task, problems: dict[str, list[str]]) -> bool:
    """Add the item's problems; True when its MCQ structure is sound (file-level checks use it)."""
    is_v2 = item.metadata.get("generator") == "2.0"
    legacy = "legacy" in item.metadata
    if task is not None and not legacy:
        expected = task.solve(inputs(item))
        if expected != item.answer:
            problems["one_answer"].append(f"{item.label}: rule gives {expected!r}, item says {item.answer!r}")
    sound = True
    if item.format == "mcq":
        options = item.options
        if not isinstance(options, list) or not options:
            problems["one_answer"].append(f"{item.label}: an MCQ item without options")
            return False
        index = item.answer_index
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(options):
            problems["one_answer"].append(f"{item.label}: answer_index {index!r} out of range for {len(options)} options")
            return False
        if options[index] != item.answer or options.count(item.answer) != 1:
            problems["one_answer"].append(f"{item.label}: the gold option is not the answer exactly once")
            sound = False
        if len(set(options)) != len(options) or any(not isinstance(o, str) or not o for o in options):
            problems["distinct"].append(f"{item.label}: options repeat or are empty")
            sound = False
    if leaks(item):
        problems["leak"].append(f"{item.label}: answer {item.answer!r} appears in the prompt")
    changes = "changes" in task.checks if is_v2 and task is not None else item.subtask in _CHANGING
    if changes and item.answer == item.metadata.get("word"):
        problems["changes"].append(f"{item.label}: the answer equals the input")
    if is_v2 and task is not None:
        check_v2(item, task, problems)
    return sound


def _upstream_problems(items: list[Item]) -> list[str]:
    from morphtok.bench.recompute import contradictions

    found = contradictions([i for i in items if isinstance(i.metadata, dict) and "legacy" in i.metadata])
    if not found:
        return []
    levels = Counter("all" if item.level is None else str(item.level) for item, _ in found)
    examples = "; ".join(f"{item.label}: gold {item.answer!r}, ours {ours!r}" for item, ours in found[:3])
    return [f"{len(found)} earlier-format golds contradict our recomputation (per level: "
            f"{dict(sorted(levels.items()))}), e.g. {examples}"]


def validate_collection(files: dict[str, list[Item]]) -> list[str]:
    """Cross-file check (7): no prompt appears in two families."""
    families: dict[str, set[str]] = defaultdict(set)
    for items in files.values():
        for item in items:
            families[item.prompt.get("en", "")].add(item.family)
    shared = sorted(p for p, fams in families.items() if len(fams) > 1)
    return [f"prompt in families {', '.join(sorted(families[p]))}: {p!r}" for p in shared]


def is_selection(item: Item) -> bool:
    """The answer is one of the words the question lists, by the nature of the task."""
    task = registered_subtask(item.family, item.subtask) if item.metadata.get("generator") == "2.0" else None
    if task is not None:
        return "no_leak" in task.checks
    return (item.subtask in SELECTION_SUBTASKS or item.family == "langgame"
            or (item.family == "cute" and item.subtask in ("orth", "sem")))


def leaks(item: Item) -> bool:
    """The answer stands in the prompt as a whole word (the generator skips such candidates)."""
    answer = item.answer
    if not isinstance(answer, str) or answer.isdigit() or len(answer) < 3 or is_selection(item):
        return False
    pattern = rf"(?<![\w-]){re.escape(answer)}(?![\w-])"
    return any(re.search(pattern, text or "") for text in item.prompt.values())


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
