"""Roots outside the dictionary: Tagalog phonotactics, English loans and English plurals.

Every analysis used to need a root in the lexicon, so nagdeklara, nagsisimba,
hinaharass and nag-commit stayed whole. A *guessed* root is accepted when

* it is Tagalog-shaped (:func:`tagalog_shaped`: every consonant run is one native
  coda + onset, ``ng`` counting as one consonant, or a loan onset cluster such as
  pr/tr/bl/ky/sw; at least two syllables), and other counted word forms back it
  (paradigm evidence from :mod:`morphtok.lang.fil.evidence`, beyond the word itself); or
* it is an English word (taglid's English frequency list, count >= 2), the usual
  root of Taglish verbs (nag-commit, na-detect, i-share).

Guessed roots rank below attested ones (:mod:`morphtok.lang.fil.ranking`).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache

from morphtok.lang.fil.phonology import VOWELS

_LOAN_ONSETS = frozenset(
    "pr br tr dr kr gr fr pl bl kl gl fl sl ky by dy gy hy ly my ny py sy ty kw gw sw tw dw bw hw".split()
)
_CODA_ONSET_MAX = 2  # native medial clusters: one coda + one onset (ak-lat, bun-dok)
MIN_ENGLISH_COUNT = 2


@lru_cache(maxsize=1)
def english_counts() -> dict[str, int]:
    """taglid's English word counts (lower-cased; the list holds no plural forms)."""
    from morphtok.lang.fil.lexicon import _package_file

    path = _package_file("taglid", "resources", "freqlist", "eng_freqlist.csv")
    out: dict[str, int] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 2 and row[1].isdigit():
                out[row[0].lower()] = out.get(row[0].lower(), 0) + int(row[1])
    return out


def is_english(word: str) -> bool:
    return len(word) >= 3 and english_counts().get(word, 0) >= MIN_ENGLISH_COUNT


_VOWEL = re.compile("[" + "".join(sorted(VOWELS)) + "]")


def _consonant_runs(word: str) -> list[str]:
    """The consonant runs around each vowel ("" between two vowels); ``ng`` is one consonant, N."""
    return _VOWEL.split(word.replace("ng", "N"))


@lru_cache(maxsize=1 << 16)
def tagalog_shaped(root: str) -> bool:
    """Syllables (C)(C)V(C): medial runs of <= 2 consonants (a loan onset may follow a coda)."""
    if len(root) < 3 or not root.isalpha() or VOWELS.isdisjoint(root):
        return False
    runs = _consonant_runs(root)
    first, medial, last = runs[0], runs[1:-1], runs[-1]
    if len(first) > 1 and first.replace("N", "ng") not in _LOAN_ONSETS:
        return False
    if len(last) > 1:
        return False
    for run in medial:
        if len(run) > _CODA_ONSET_MAX and run[-2:].replace("N", "ng") not in _LOAN_ONSETS:
            return False
        if len(run) > 3:
            return False
    return sum(map(VOWELS.__contains__, root)) >= 2


def english_plural(word: str) -> str | None:
    """The English singular of ``word`` (events -> event, schools -> school, cities -> city), else None."""
    if len(word) < 4 or not word.endswith("s") or word.endswith("ss"):
        return None
    candidates = [word[:-1]]
    if word.endswith("ies"):
        candidates.insert(0, word[:-3] + "y")
    if word.endswith(("ses", "xes", "ches", "shes", "zes")):
        candidates.append(word[:-2])
    for singular in candidates:
        if is_english(singular):
            return singular
    return None
