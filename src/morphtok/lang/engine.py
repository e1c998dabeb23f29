"""The language-engine interface: everything the rest of morphtok may ask of a language.

Patok, the tokenization metrics and the benchmark generator reach a language only
through a :class:`LanguageEngine` returned by :func:`get_engine` (the code comes from
the config's ``corpus.language``; ``"fil"`` by default), never by importing the
language's package. A second language is one package implementing this protocol
plus one entry point in the group ``morphtok.languages`` (a factory per name: see
:data:`ENGINES`).

What an engine provides:

* ``normalise(text) -> Normalised``: the text the analyzer sees (NFC, invisible
  characters such as U+00AD dropped) and, for every normalised character, the span of
  the original it came from, so offsets map back exactly (round trips stay exact);
* ``find_words(text) -> [(start, end)]``: word spans in the original text, and
  ``word_pattern``, the same notion of a word as a compiled *bytes* regex over UTF-8
  (Patok works on bytes and must not hard-code a language's letters);
* ``analyse(word, mid_sentence=False) -> [Analysis]``: ranked analyses (best first,
  never empty; ``mid_sentence``: a capitalised word there is a name) with
  morpheme spans that index the original word and a calibrated ``confidence``
  (the probability, estimated on development data, that the analysis's boundaries are
  all right); ``confident`` marks the analyses a tokenizer may build boundaries on;
  ``analyse_text(text)`` gives (start, end, best analysis) for every word in context;
* ``generate(root, affix) -> str``: inflection, the inverse of ``analyse``;
* ``syllabify(word) -> [str]``; and ``lexicon`` with ``attested(word)`` and
  ``frequency(word)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from morphtok.errors import ConfigError
from morphtok.registry import Registry

DEFAULT_LANGUAGE = "fil"


@dataclass(frozen=True)
class Normalised:
    """``text`` as the analyzer sees it; character ``i`` of it came from ``original[spans[i][0]:spans[i][1]]``.

    Dropped characters (invisible ones) belong to no normalised character; composed
    ones (NFC) map several original characters to one.
    """

    original: str
    text: str
    spans: tuple[tuple[int, int], ...]

    def to_original(self, offset: int) -> int:
        """The original offset of normalised boundary ``offset`` (0..len(text)).

        A boundary before normalised character ``i`` maps to the start of its
        original span, so characters dropped just before it stay with the
        morpheme on the left; the end maps to the end of the original.
        """
        if offset >= len(self.text):
            return len(self.original)
        return self.spans[offset][0]


class MorphemeLike(Protocol):
    text: str
    type: str  # prefix | infix | suffix | root | redup | clitic
    start: int
    end: int


class AnalysisLike(Protocol):
    word: str
    root: str
    morphemes: Sequence[MorphemeLike]
    confidence: float
    confident: bool

    @property
    def boundaries(self) -> list[int]: ...

    @property
    def is_affixed(self) -> bool: ...


class LexiconLike(Protocol):
    def attested(self, word: str) -> bool: ...

    def frequency(self, word: str) -> float: ...


@runtime_checkable
class LanguageEngine(Protocol):
    code: str
    name: str
    word_pattern: re.Pattern[bytes]

    @property
    def lexicon(self) -> LexiconLike: ...

    def normalise(self, text: str) -> Normalised: ...

    def find_words(self, text: str) -> list[tuple[int, int]]: ...

    def analyse(self, word: str, mid_sentence: bool = False) -> Sequence[AnalysisLike]: ...

    def analyse_text(self, text: str) -> list[tuple[int, int, AnalysisLike]]: ...

    def generate(self, root: str, affix: str) -> str: ...

    def syllabify(self, word: str) -> list[str]: ...


# Languages are entry points of the group ``morphtok.languages``: name -> a factory taking no
# argument (the built-in ``fil`` in pyproject.toml is morphtok.lang.fil.engine:FilipinoEngine).
ENGINES: Registry[Callable[[], LanguageEngine]] = Registry("language engine", group="morphtok.languages")
ALIASES = {"tl": "fil", "tgl": "fil", "filipino": "fil", "tagalog": "fil"}
_BUILT: dict[str, LanguageEngine] = {}


def get_engine(code: str = DEFAULT_LANGUAGE) -> LanguageEngine:
    """The engine for language ``code`` (built once per process)."""
    key = ALIASES.get(str(code).lower(), str(code).lower())
    if key not in ENGINES:
        raise ConfigError(
            f"no language engine for '{code}'",
            hint=f"available: {', '.join(ENGINES.names())} (set corpus.language)",
        )
    if key not in _BUILT:
        _BUILT[key] = ENGINES.get(key)()
    return _BUILT[key]


def language_codes() -> list[str]:
    return ENGINES.names()
