"""Paradigm evidence: how much running text a candidate root explains, over its whole paradigm.

The surface frequency of a root string rewards shallow parses: the derived headword
*iwasan* is counted 43 times, the root *iwas* 3 times, yet *iwas* is the root of
umiwas, iiwas, pag-iwas, maiwasan, iniwasan... So candidates are ranked by
``evidence(stem)``: the summed corpus counts of every counted word form (taglid) that
reduces to ``stem`` by peeling affixes off its edges.

:func:`stems_of` is that peeling, deliberately cheap and generous (it has no lexicon,
so it over-generates: that only spreads evidence to strings no candidate root will
ever be). Per form it peels, in order: the linker (-ng after a vowel, -g after n), up
to two prefixes from :data:`PEEL_PREFIXES` (with their hyphen), a CV/V
reduplicant, the infix -um-/-in- (after the first consonant, or initial before a
vowel), and one suffix (-an/-in/-han/-hin/-nan/-nin, undoing o -> u).

``extra_evidence(deep, shallow)`` = evidence(deep) - evidence(shallow): the forms
only the deeper root explains (umiwas, pag-iwas for iwas vs iwasan). A derived
headword is decomposed only when that extra evidence is substantial.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

PEEL_PREFIXES = (
    "nakikipag", "makikipag", "nakapag", "makapag", "nakipag", "makipag", "pinagka", "pagkaka", "magkaka",
    "ipinag", "tagapag", "pinaka", "napaka", "nagpa", "magpa", "nagka", "magka", "pagka", "ipina", "isina",
    "pakiki", "pinag", "ipag", "ipa", "isa", "ika", "mag", "nag", "pag", "mang", "nang", "pang", "man", "nan",
    "pan", "mam", "nam", "pam", "maka", "naka", "maki", "naki", "mai", "nai", "ma", "na", "pa", "ka", "i",
    "taga", "tag", "pina", "sing", "kasing",
)
_SUFFIXES = ("han", "hin", "nan", "nin", "an", "in")
_VOWELS = frozenset("aeiou")


def stems_of(form: str) -> set[str]:
    """Every string ``form`` may reduce to by peeling affixes (see module doc); ``form`` included."""
    out = {form}
    bases = [form]
    if form.endswith("ng") and len(form) > 4 and form[-3] in _VOWELS:
        bases.append(form[:-2])
    elif form.endswith("ng") and len(form) > 4 and form[-3] == "n":
        bases.append(form[:-1])
    for base in bases:
        for after_prefix in _peel_prefixes(base):
            for body in _peel_infix(_peel_redup(after_prefix)):
                out.update(_peel_suffix(body))
    return {s for s in out if len(s) >= 2}


def _peel_prefixes(word: str) -> list[str]:
    out = [word]
    for first in _strip_prefix(word):
        out.append(first)
        out.extend(_strip_prefix(first))
    return out


# PEEL_PREFIXES as (length, prefixes of that length): at most one prefix of each length can
# start a word, so one slice and one set lookup per length replace 54 startswith calls.
_PREFIXES_BY_LENGTH = tuple(
    (n, frozenset(p for p in PEEL_PREFIXES if len(p) == n)) for n in sorted({len(p) for p in PEEL_PREFIXES})
)


def _strip_prefix(word: str) -> list[str]:
    """``word`` without each prefix it starts with (and that prefix's hyphen), >= 3 letters left.

    In order of prefix length, not of PEEL_PREFIXES: every caller collects the results into a set."""
    out = []
    longest = len(word) - 3
    for n, prefixes in _PREFIXES_BY_LENGTH:
        if n > longest:
            break
        if word[:n] in prefixes:
            rest = word[n:]
            out.append(rest[1:] if rest.startswith("-") else rest)
    return out


def _peel_redup(word: str) -> list[str]:
    out = [word]
    for k in (1, 2, 3):
        if len(word) - k >= 3 and word[:k] == word[k : 2 * k] and not _VOWELS.isdisjoint(word[:k]):
            out.append(word[k:])
    if "-" in word:
        left, _, right = word.partition("-")
        if right.startswith(left) or left.startswith(right):
            out.append(right)
    return out


def _peel_infix(words: Iterable[str]) -> list[str]:
    out = []
    for word in words:
        out.append(word)
        if len(word) > 4 and word[0] not in _VOWELS and word[1:3] in ("um", "in") and word[3] in _VOWELS:
            out.append(word[0] + word[3:])
        elif len(word) > 3 and word[:2] in ("um", "in") and word[2] in _VOWELS:
            out.append(word[2:])
        elif len(word) > 3 and word.startswith("ni") and word[2] in "lyr":
            out.append(word[2:])
    return out


def _peel_suffix(word: str) -> list[str]:
    out = [word]
    if not word.endswith(("an", "in")):  # every suffix ends in one of these
        return out
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            stem = word[: -len(suffix)]
            out.append(stem)
            if stem[-1] == "u":
                out.append(stem[:-1] + "o")
            last_u = stem.rfind("u")
            if last_u >= 0 and stem[last_u + 1 :] and _VOWELS.isdisjoint(stem[last_u + 1 :]):
                out.append(stem[:last_u] + "o" + stem[last_u + 1 :])
    return out


def build_evidence(counts: dict[str, int]) -> dict[str, int]:
    """stem -> summed count of the word forms that reduce to it (see module doc)."""
    evidence: dict[str, int] = defaultdict(int)
    for form, count in counts.items():
        if not form.isalpha() and "-" not in form:
            continue
        for stem in stems_of(form):
            evidence[stem] += count
    # A fresh dict of str -> int is not tracked by the garbage collector (dict(defaultdict) would be).
    return {stem: count for stem, count in evidence.items()}
