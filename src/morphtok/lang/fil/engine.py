"""The Filipino (Tagalog) engine: :class:`morphtok.lang.engine.LanguageEngine` for ``fil``."""

from __future__ import annotations

from morphtok.lang.engine import Normalised
from morphtok.lang.fil.analyzer import Analysis, analyze
from morphtok.lang.fil.generator import inflect
from morphtok.lang.fil.lexicon import Lexicon
from morphtok.lang.fil.normalise import WORD, WORD_BYTES, normalise, sentence_initial
from morphtok.lang.fil.phonology import syllabify


class FilipinoEngine:
    """Tagalog analyzer, generator, syllabifier and lexicon behind the engine protocol."""

    code = "fil"
    name = "Filipino (Tagalog)"
    word_pattern = WORD_BYTES

    @property
    def lexicon(self) -> Lexicon:
        return Lexicon.default()

    def normalise(self, text: str) -> Normalised:
        return normalise(text)

    def find_words(self, text: str) -> list[tuple[int, int]]:
        return [match.span() for match in WORD.finditer(text)]

    def analyse(self, word: str, mid_sentence: bool = False) -> list[Analysis]:
        """Ranked analyses; ``mid_sentence``: the word is inside a sentence (capitalised = a name)."""
        return analyze(word, mid_sentence=mid_sentence)

    def analyse_text(self, text: str) -> list[tuple[int, int, Analysis]]:
        """(start, end, best analysis) of every word of ``text``, names mid-sentence left whole."""
        return [(a, b, analyze(text[a:b], mid_sentence=not sentence_initial(text, a))[0])
                for a, b in self.find_words(text)]

    def clear_caches(self) -> None:
        """Forget cached analyses (the lexicon and its evidence table stay loaded)."""
        from morphtok.lang.fil.analyzer import _analyze_cached, _analyze_lower
        from morphtok.lang.fil.parser import _root_options, _static_kind

        _analyze_cached.cache_clear()
        _analyze_lower.cache_clear()
        _static_kind.cache_clear()
        _root_options.cache_clear()

    def generate(self, root: str, affix: str) -> str:
        return inflect(root, affix)

    def syllabify(self, word: str) -> list[str]:
        return syllabify(word)

    def __repr__(self) -> str:
        return f"FilipinoEngine(code={self.code!r})"
