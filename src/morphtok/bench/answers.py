"""The rules that give the gold answer of the character and syllable subtasks, from the item's
inputs (``metadata``). Generation and the validator both call them; the morphology rules live
with their subtasks (:mod:`bench.tasks`, :mod:`bench.tasks2`)."""

from __future__ import annotations

from morphtok.bench.subtask import Meta
from morphtok.lang.fil import strip_diacritics, syllabify


def spelled(meta: Meta) -> str:
    return " ".join(meta["word"])


def letter_count(meta: Meta) -> str:
    return str(meta["word"].lower().count(meta["char"]))


def length(meta: Meta) -> str:
    return str(sum(c.isalpha() for c in meta["word"]))


def vowel_count(meta: Meta) -> str:
    return str(sum(c in "aeiouAEIOU" for c in strip_diacritics(meta["word"])))


def uppercase_count(meta: Meta) -> str:
    return str(sum(c.isupper() for c in meta["word"]))


def mark_count(meta: Meta) -> str:
    """Letters carrying an accent mark."""
    return str(sum(strip_diacritics(c) != c for c in meta["word"]))


def deleted(meta: Meta) -> str:
    return meta["word"][: meta["index"]] + meta["word"][meta["index"] + 1 :]


def inserted(meta: Meta) -> str:
    return meta["word"][: meta["index"]] + meta["char"] + meta["word"][meta["index"] :]


def substituted(meta: Meta) -> str:
    return meta["word"][: meta["index"]] + meta["char"] + meta["word"][meta["index"] + 1 :]


def swapped(meta: Meta) -> str:
    w, i = meta["word"], meta["index"]
    return w[:i] + w[i + 1] + w[i] + w[i + 2 :]


def uppercased(meta: Meta) -> str:
    return meta["word"].upper()


def lowercased(meta: Meta) -> str:
    return meta["word"].lower()


def capitalized(meta: Meta) -> str:
    return meta["word"][:1].upper() + meta["word"][1:]


def duplicated(meta: Meta) -> str:
    return f"{meta['word']}-{meta['word']}"


def unaccented(meta: Meta) -> str:
    return strip_diacritics(meta["word"])


def syllable_count(meta: Meta) -> str:
    return str(len(syllabify(meta["word"])))


def nth_syllable(meta: Meta) -> str:
    return syllabify(meta["word"])[meta["n"] - 1]


def nth_letter(meta: Meta) -> str:
    return meta["word"][meta["n"] - 1]
