"""A tiny Indonesian engine: meN- (with its nasal assimilation), ber-, -kan, -an over a 12-root lexicon.

Enough of morphtok's LanguageEngine protocol for Patok, the plan and a benchmark family to run
on ``corpus.language: id``; not a real analyzer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from morphtok.lang.engine import Normalised

ROOTS = {"baca": 40, "tulis": 30, "main": 25, "ajar": 20, "jalan": 35, "kerja": 30, "pakai": 15,
         "tanam": 10, "sapu": 5, "kirim": 12, "datang": 22, "ganti": 9}
# meN- before the root's first letter: (prefix written, letters of the root it replaces)
_MEN = [("meny", "s"), ("mem", "p"), ("men", "t"), ("meng", "k"), ("mem", ""), ("men", ""), ("meng", ""), ("me", "")]


@dataclass(frozen=True)
class Morpheme:
    text: str
    type: str
    start: int
    end: int


@dataclass(frozen=True)
class Analysis:
    word: str
    root: str
    morphemes: tuple[Morpheme, ...]
    confidence: float = 1.0

    @property
    def confident(self) -> bool:
        return self.is_affixed

    @property
    def boundaries(self) -> list[int]:
        return [m.start for m in self.morphemes[1:]]

    @property
    def is_affixed(self) -> bool:
        return len(self.morphemes) > 1


class Lexicon:
    def attested(self, word: str) -> bool:
        return word.lower() in ROOTS

    def frequency(self, word: str) -> float:
        return ROOTS.get(word.lower(), 0) / sum(ROOTS.values())


class IndonesianEngine:
    code = "id"
    name = "Indonesian (toy)"
    word_pattern = re.compile(rb"[A-Za-z]+")
    lexicon = Lexicon()

    def normalise(self, text: str) -> Normalised:
        return Normalised(text, text, tuple((i, i + 1) for i in range(len(text))))

    def find_words(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in re.finditer(r"[A-Za-z]+", text)]

    def analyse(self, word: str, mid_sentence: bool = False) -> list[Analysis]:
        found = _parse(word.lower())
        if found is None:
            return [Analysis(word, word, (Morpheme(word, "root", 0, len(word)),), confidence=0.0)]
        prefix, body, root, suffix = found
        spans, at = [], 0
        for text, kind in ((prefix, "prefix"), (body, "root"), (suffix, "suffix")):
            if text:
                spans.append(Morpheme(word[at:at + len(text)], kind, at, at + len(text)))
                at += len(text)
        return [Analysis(word, root, tuple(spans))]

    def analyse_text(self, text: str) -> list[tuple[int, int, Analysis]]:
        return [(a, b, self.analyse(text[a:b])[0]) for a, b in self.find_words(text)]

    def generate(self, root: str, affix: str) -> str:
        if affix == "ber-":
            return "ber" + root
        if affix in ("-kan", "-an"):
            return root + affix[1:]
        if affix == "meN-":
            for prefix, dropped in _MEN:
                if dropped and root.startswith(dropped):
                    return prefix + root[len(dropped):]
            return ("mem" if root[0] in "b" else "men" if root[0] in "dj" else "meng" if root[0] in "aeioug" else "me") + root
        raise ValueError(f"unknown affix {affix!r}")

    def syllabify(self, word: str) -> list[str]:
        return re.findall(r"[^aeiou]*[aeiou]+(?:[^aeiou](?![aeiou]))?", word) or [word]


def _parse(word: str) -> tuple[str, str, str, str] | None:
    """(prefix, written root, root, suffix) of an affixed word over the lexicon, or None."""
    for suffix in ("kan", "an", ""):
        stem = word[: len(word) - len(suffix)] if suffix else word
        for prefix in ("ber", *(p for p, _ in _MEN), ""):
            if not stem.startswith(prefix) or not (prefix or suffix):
                continue
            body = stem[len(prefix):]
            for dropped in {d for p, d in _MEN if p == prefix} | {""}:
                if dropped + body in ROOTS:
                    return prefix, body, dropped + body, suffix
    return None
