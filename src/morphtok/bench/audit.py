"""Option-only audit: how well guessers that never read the question do on MCQ items.

Each heuristic looks at one item's options (and, for the priors, at the golds of the other
half of the subtask's items) and returns the options it would pick; an item scores ``1/len(picks)`` when the
gold is among them (a tie is a uniform guess), so a heuristic with no information scores the
chance rate 1/len(options). The battery is a registry: add a function to ``HEURISTICS``.

Benchmarks 2.0 build every MCQ option set first and draw the asked option uniformly from it
(``bench.generate``), so no function of the options can beat chance in expectation; the audit
checks that this holds in the files, per subtask, with the threshold ``MAX_OPTION_ONLY``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import lru_cache

from morphtok.bench.schema import Item

MAX_OPTION_ONLY = 0.40  # 4 options: chance is 0.25
MIN_AUDIT_ITEMS = 50  # below this a subtask's scores are reported, not enforced (too noisy)

Picks = set[int]


def edit_reference(a: str, b: str) -> int:
    """Levenshtein distance, the plain dynamic programme (the reference :func:`_edit` is tested against)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _edit(a: str, b: str) -> int:
    """Levenshtein distance, bit-parallel (Myers 1999 / Hyyrö 2003): one pass over ``a`` with the
    column of the DP matrix held as bit vectors over ``b``; equal to :func:`edit_reference`."""
    if not b:
        return len(a)
    mask = (1 << len(b)) - 1
    last = 1 << (len(b) - 1)
    peq: dict[str, int] = {}
    for i, c in enumerate(b):
        peq[c] = peq.get(c, 0) | (1 << i)
    positive, negative, score = mask, 0, len(b)
    for c in a:
        eq = peq.get(c, 0)
        xv = eq | negative
        xh = (((eq & positive) + positive) ^ positive) | eq
        ph = negative | (~(xh | positive) & mask)
        mh = positive & xh
        score += bool(ph & last) - bool(mh & last)
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        positive = mh | (~(xv | ph) & mask)
        negative = ph & xv
    return score


def _argbest(values: list[float], best=max) -> Picks:
    target = best(values)
    return {k for k, v in enumerate(values) if v == target}


def _plain(option: str) -> str:
    """The option as a word: lower-case, without the spaces and hyphens of spelled/affix forms."""
    return re.sub(r"[\s\-]", "", option.casefold())


def _number(option: str) -> float | None:
    try:
        return float(option)
    except ValueError:
        return None


def _size(options: list[str]) -> list[float]:
    """Numeric value when every option is a number, else the length."""
    numbers = [_number(o) for o in options]
    return [n for n in numbers] if all(n is not None for n in numbers) else [float(len(o)) for o in options]


def _shape(option: str) -> tuple:
    case = ("lower" if option.islower() else "upper" if option.isupper() else
            "title" if option[:1].isupper() and option[1:] == option[1:].lower() else "mixed")
    return (case, " " in option, option.count("-"), option.startswith("-"), option.endswith("-"),
            len(option) // 3, option.isdigit(), option.isascii())


@lru_cache(maxsize=1 << 16)
def _frequency(word: str) -> float:
    from morphtok.lang.fil import Lexicon

    return Lexicon.default().frequency(word) if word else 0.0


@lru_cache(maxsize=1 << 16)
def _attested(word: str) -> bool:
    from morphtok.lang.fil import Lexicon

    lexicon = Lexicon.default()
    return bool(word) and (word in lexicon.roots or lexicon.frequency(word) > 0)


def _summed_distances(options: list[str], context: dict) -> list[int]:
    """Each option's summed edit distance to the others (computed once per item)."""
    if "distances" not in context:
        pair = {(i, j): _edit(options[i], options[j]) for i in range(len(options)) for j in range(i + 1, len(options))}
        context["distances"] = [sum(pair[min(i, j), max(i, j)] for j in range(len(options)) if j != i)
                                for i in range(len(options))]
    return context["distances"]


def closest_to_others(options: list[str], context: dict) -> Picks:
    return _argbest(_summed_distances(options, context), min)


def farthest_from_others(options: list[str], context: dict) -> Picks:
    return _argbest(_summed_distances(options, context), max)


def longest(options: list[str], context: dict) -> Picks:
    return _argbest(_size(options), max)


def shortest(options: list[str], context: dict) -> Picks:
    return _argbest(_size(options), min)


def middle(options: list[str], context: dict) -> Picks:
    """The options of middle size (value for numbers, else length)."""
    sizes = sorted(set(_size(options)))
    if len(sizes) < 3:
        return set(range(len(options)))
    inner = set(sizes[1:-1])
    return {k for k, s in enumerate(_size(options)) if s in inner}


def odd_shape(options: list[str], context: dict) -> Picks:
    """The one option whose shape (case pattern, spaces, hyphens, length class, digits) no other shares."""
    shapes = [_shape(o) for o in options]
    counts = Counter(shapes)
    unique = {k for k, s in enumerate(shapes) if counts[s] == 1}
    return unique if len(unique) == 1 else set(range(len(options)))


def most_frequent_word(options: list[str], context: dict) -> Picks:
    return _argbest([_frequency(_plain(o)) for o in options], max)


def least_frequent_word(options: list[str], context: dict) -> Picks:
    return _argbest([_frequency(_plain(o)) for o in options], min)


def only_real_word(options: list[str], context: dict) -> Picks:
    """The options that are attested words, when some are and some are not."""
    real = {k for k, o in enumerate(options) if _attested(_plain(o))}
    return real if real else set(range(len(options)))


def most_shared_characters(options: list[str], context: dict) -> Picks:
    counters = [Counter(o) for o in options]
    return _argbest([sum(sum((c & d).values()) for d in counters) for c in counters], max)


def bigram_medoid(options: list[str], context: dict) -> Picks:
    grams = [{o[i : i + 2] for i in range(len(o) - 1)} or {o} for o in options]
    return _argbest([sum(len(g & h) / len(g | h) for h in grams) for g in grams], max)


def contains_others(options: list[str], context: dict) -> Picks:
    """The option that holds most of the others as substrings (or is held by most)."""
    return _argbest([sum((p in o) + (o in p) for p in options if p != o) for o in options], max)


def odd_first_letter(options: list[str], context: dict) -> Picks:
    counts = Counter(o[:1] for o in options)
    unique = {k for k, o in enumerate(options) if counts[o[:1]] == 1}
    return unique if len(unique) == 1 else set(range(len(options)))


def odd_last_letter(options: list[str], context: dict) -> Picks:
    counts = Counter(o[-1:] for o in options)
    unique = {k for k, o in enumerate(options) if counts[o[-1:]] == 1}
    return unique if len(unique) == 1 else set(range(len(options)))


def gold_prior(options: list[str], context: dict) -> Picks:
    """The option most often the gold in the other half of the subtask's items (a prior learnt
    elsewhere; not leave-one-out, which exact balancing would turn into a give-away)."""
    counts = context["gold_counts"]
    return _argbest([counts.get(o, 0) for o in options], max)


def position_prior(options: list[str], context: dict) -> Picks:
    """The position most often the gold in the other half of the subtask's items."""
    counts = context["position_counts"]
    return _argbest([counts.get(k, 0) for k in range(len(options))], max)


HEURISTICS: dict[str, Callable[[list[str], dict], Picks]] = {
    "closest_to_others": closest_to_others,
    "farthest_from_others": farthest_from_others,
    "longest": longest,
    "shortest": shortest,
    "middle_size": middle,
    "odd_shape": odd_shape,
    "most_frequent_word": most_frequent_word,
    "least_frequent_word": least_frequent_word,
    "only_real_word": only_real_word,
    "most_shared_characters": most_shared_characters,
    "bigram_medoid": bigram_medoid,
    "contains_others": contains_others,
    "odd_first_letter": odd_first_letter,
    "odd_last_letter": odd_last_letter,
    "gold_prior": gold_prior,
    "position_prior": position_prior,
}


def audit(items: list[Item]) -> dict[str, dict]:
    """Per MCQ subtask: n, every heuristic's accuracy, and the best (``max``, ``best``)."""
    by_subtask: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        options = item.options or []
        if item.format == "mcq" and len(options) >= 2 and item.answer_index is not None \
                and 0 <= item.answer_index < len(options):
            by_subtask[item.subtask].append(item)
    table: dict[str, dict[str, float]] = {}
    for subtask, group in sorted(by_subtask.items()):
        # Priors come from the other fold (items alternate between two folds).
        folds = [group[0::2], group[1::2]]
        gold_counts = [Counter(i.answer for i in fold) for fold in folds]
        position_counts = [Counter(i.answer_index for i in fold) for fold in folds]
        scores = dict.fromkeys(HEURISTICS, 0.0)
        for k, item in enumerate(group):
            other = 1 - k % 2
            context = {"gold_counts": gold_counts[other], "position_counts": position_counts[other]}
            for name, heuristic in HEURISTICS.items():
                picks = heuristic(item.options, context)
                scores[name] += (item.answer_index in picks) / len(picks)
        row = {name: score / len(group) for name, score in scores.items()}
        best = max(row, key=row.get)
        table[subtask] = {"n": len(group), **row, "max": row[best], "best": best}
    return table


def audit_problems(items: list[Item], threshold: float = MAX_OPTION_ONLY, table: dict | None = None) -> list[str]:
    """Subtasks (with at least ``MIN_AUDIT_ITEMS`` items) an option-only heuristic answers too well
    (``table``: an :func:`audit` of ``items`` already computed)."""
    out = []
    for subtask, row in (table if table is not None else audit(items)).items():
        if row["n"] >= MIN_AUDIT_ITEMS and row["max"] > threshold:
            out.append(f"{subtask}: option-only heuristic '{row['best']}' scores {row['max']:.2f} > {threshold:.2f} "
                       f"over {row['n']} items (chance {1 / 4:.2f})")
    return out
