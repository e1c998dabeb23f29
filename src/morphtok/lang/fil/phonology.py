"""Tagalog orthographic phonology: letters, syllables, nasal assimilation, stress marks.

Syllabification follows the standard orthographic rules: ``ng`` is one
consonant; every vowel is a nucleus (adjacent vowels are separated by an
implied glottal stop: ``a-ak-yat``); one consonant between vowels opens the
next syllable (``ba-hay``); two are split (``ak-lat``) unless they form a
loanword onset cluster (p/b/t/d/f + r, p/b/f + l: ``pro-ble-ma``); word-initial and
word-final consonant runs stay with their syllable (``tren``, ``trak``).
"""

from __future__ import annotations

import unicodedata

VOWELS = frozenset("aeiouáéíóúàèìòùâêîôû")
# Word-medial onset clusters of loanwords (pro-ble-ma, si-ne-tra). Native words
# split every medial cluster (ak-lat, bu-lak-lak, nag-lu-lu-to), so k/g + l/r
# clusters, common in native roots, are split too.
_MEDIAL_CLUSTERS = frozenset({"pr", "br", "tr", "dr", "fr", "pl", "bl", "fl"})

ACUTE = {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u"}
GRAVE = {"à": "a", "è": "e", "ì": "i", "ò": "o", "ù": "u"}
CIRCUMFLEX = {"â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u"}


def is_vowel(ch: str) -> bool:
    return ch.lower() in VOWELS


def units(word: str) -> list[str]:
    """Letters of ``word`` with ``ng`` as one unit (case kept)."""
    out, i = [], 0
    while i < len(word):
        if word[i : i + 2].lower() == "ng":
            out.append(word[i : i + 2])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def syllabify(word: str) -> list[str]:
    """Orthographic syllables of one word; ``"".join`` of them gives ``word`` back.

    A hyphen stays attached to the syllable before it. A word with no vowel is
    one syllable.
    """
    if not word:
        return []
    parts = word.split("-")
    syllables: list[str] = []
    for index, part in enumerate(parts):
        pieces = _syllabify_part(part) if part else [""]
        if index < len(parts) - 1:
            pieces[-1] += "-"
        syllables.extend(p for p in pieces if p)
    return syllables


def _syllabify_part(part: str) -> list[str]:
    letters = units(part)
    nuclei = [i for i, u in enumerate(letters) if is_vowel(u)]
    if not nuclei:
        return [part]
    cuts = []
    for left, right in zip(nuclei, nuclei[1:], strict=False):
        between = right - left - 1
        if between == 0:
            cuts.append(right)
        elif between == 1:
            cuts.append(right - 1)
        else:
            pair = (letters[right - 2] + letters[right - 1]).lower()
            cuts.append(right - 2 if pair in _MEDIAL_CLUSTERS else right - 1)
    bounds = [0, *cuts, len(letters)]
    return ["".join(letters[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def syllable_count(word: str) -> int:
    return len(syllabify(word))


def strip_diacritics(text: str) -> str:
    """Remove accent marks but keep ñ/Ñ (a letter of its own)."""
    out = []
    for ch in text:
        if ch in "ñÑ":
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return unicodedata.normalize("NFC", "".join(out))


def stress_type(word: str) -> str | None:
    """Stress class from written accent marks, or None when the word shows none.

    malumay: penultimate stress (acute on the penult, usually unwritten);
    mabilis: final stress (acute on the last vowel); malumi: penultimate stress
    with final glottal stop (grave on the last vowel); maragsa: final stress
    with final glottal stop (circumflex on the last vowel).
    """
    syllables = syllabify(word.lower())
    if not syllables:
        return None
    last = syllables[-1]
    if any(ch in CIRCUMFLEX for ch in last):
        return "maragsa"
    if any(ch in GRAVE for ch in last):
        return "malumi"
    if any(ch in ACUTE for ch in last):
        return "mabilis"
    if len(syllables) > 1 and any(ch in ACUTE for ch in syllables[-2]):
        return "malumay"
    return None


def nasal_for(root: str) -> str:
    """The assimilated nasal of mang-/pang-/sing-: m before b/p, n before d/l/r/s/t, else ng."""
    first = root[:1].lower()
    if first in ("b", "p"):
        return "m"
    if first in ("d", "l", "r", "s", "t"):
        return "n"
    return "ng"


# Root consonants that drop after the assimilated nasal (pang+bili -> pamili).
NASAL_DELETION = {"m": ("b", "p"), "n": ("d", "s", "t"), "ng": ("k",)}
