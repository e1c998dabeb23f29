"""Morpheme boundaries of a document's bytes, from a language engine (Patok's step 1).

Patok works on bytes; the language enters only through the engine
(:func:`morphtok.lang.engine.get_engine`): its ``word_pattern`` (a bytes regex) finds
the words, its ``analyse`` gives their ranked analyses. A word contributes boundaries
only when its best analysis is *confident* (the engine's calibrated confidence; see
:mod:`morphtok.lang.fil.ranking`), so a doubtful parse adds no token boundary.

Capitalised words in the middle of a sentence are names and stay whole. The byte
stream is cut at spaces into chunks, and each chunk type is analysed once (cached)
as if mid-sentence; a chunk that starts a sentence (the last non-space byte before
it is one of ``. ! ? : ;`` or a newline, or it starts the document) and starts with
a capital is looked up in a second cache analysed as sentence-initial.

Values per chunk (relative to it; ``+ start * (KEY + 1)`` moves them to byte ``start``):
boundary ``b`` is ``BOUND + b``; affix span ``(s, e)`` is the key ``(s + 2) * KEY + e`` and,
when it starts the chunk, also ``(s + 1) * KEY + e`` (the span with the space before it).
Documents stay below 1 GiB, so every value fits an int64.
"""

from __future__ import annotations

import numpy as np

from morphtok.lang.engine import LanguageEngine, get_engine
from morphtok.segment.pieces import char_byte_offsets

KEY = 1 << 32
BOUND = 1 << 62
_SENTENCE_END = frozenset(b".!?:;\n")
_OPENERS = b"\"'([\xe2\x80\x9c\xe2\x80\x98*-"
_MAX_CACHE = 1 << 20


class MorphBoundaries:
    """Per-engine caches of word and chunk analyses (module doc)."""

    def __init__(self, engine: LanguageEngine):
        self.engine = engine
        self.pattern = engine.word_pattern
        self.words: dict[tuple[bytes, bool], tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self.mid: dict[bytes, tuple[int, ...]] = {}
        self.initial: dict[bytes, tuple[int, ...]] = {}

    def clear(self) -> None:
        """Drop the word and chunk caches, and the engine's own (when it has ``clear_caches``)."""
        self.words.clear()
        self.mid.clear()
        self.initial.clear()
        getattr(self.engine, "clear_caches", lambda: None)()

    def word(self, word: bytes, mid_sentence: bool) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(internal morpheme boundaries, flat affix spans ``(s0, e0, ...)``) as byte offsets of ``word``."""
        key = (word, mid_sentence)
        found = self.words.get(key)
        if found is None:
            if len(self.words) > _MAX_CACHE:
                self.words.clear()
            text = word.decode("utf-8")
            best = self.engine.analyse(text, mid_sentence=mid_sentence)[0]
            found = ((), ())
            if best.is_affixed and best.confident:
                to_byte = char_byte_offsets(text)
                found = (tuple(to_byte[b] for b in best.boundaries),
                         tuple(to_byte[x] for m in best.morphemes if m.type != "root" for x in (m.start, m.end)))
            self.words[key] = found
        return found

    def chunk_values(self, chunk: bytes, initial: bool) -> tuple[int, ...]:
        """The cached values (module doc) of a space-free chunk; ``()`` when it has no boundary."""
        bounds: list[int] = []
        spans: list[int] = []
        for match in self.pattern.finditer(chunk):
            start = match.start()
            mid = not (initial and _only_openers(chunk[:start])) and not _after_sentence_end(chunk, start)
            word_bounds, word_spans = self.word(match.group(), mid)
            bounds.extend(start + x for x in word_bounds)
            spans.extend(start + x for x in word_spans)
        if not bounds:
            return ()
        pairs = list(zip(spans[::2], spans[1::2], strict=True))
        keys = [(s + 2) * KEY + e for s, e in pairs] + [(s + 1) * KEY + e for s, e in pairs if s == 0]
        return (*[BOUND + b for b in bounds], *keys)

    def document(self, doc: bytes) -> tuple[list[bytes], list[tuple[int, ...]]]:
        """The document's chunks and their values (mid-sentence cache, then sentence starts fixed up)."""
        chunks = doc.split(b" ")
        try:
            records = list(map(self.mid.__getitem__, chunks))
        except KeyError:
            if len(self.mid) > _MAX_CACHE:
                self.mid.clear()
            self.mid.update((c, self.chunk_values(c, False)) for c in set(chunks).difference(self.mid))
            records = list(map(self.mid.__getitem__, chunks))
        for index in _capitalised_sentence_starts(doc, chunks):
            chunk = chunks[index]
            if chunk not in self.initial:
                if len(self.initial) > _MAX_CACHE:
                    self.initial.clear()
                self.initial[chunk] = self.chunk_values(chunk, True)
            records[index] = self.initial[chunk]
        return chunks, records


def _capitalised_sentence_starts(doc: bytes, chunks: list[bytes]) -> list[int]:
    """Indices of chunks that may start with a capital (after openers) and begin a sentence.

    One table lookup over the chunk starts, then a short backward scan per candidate
    (about one per sentence). Over-selecting is harmless: a chunk whose first word is
    lower case analyses the same either way.
    """
    raw = np.frombuffer(doc, dtype=np.uint8)
    if raw.size == 0:
        return []
    starts = np.concatenate((_ZERO, (raw == 0x20).nonzero()[0] + 1))
    starts = starts[starts < raw.size]
    out = []
    for index, start in zip(np.flatnonzero(_CAPITAL_OR_OPENER[raw[starts]]).tolist(),
                            starts[_CAPITAL_OR_OPENER[raw[starts]]].tolist(), strict=True):
        k = start - 1
        while k >= 0 and doc[k] in (0x20, 0x09):
            k -= 1
        if k < 0 or doc[k] in _SENTENCE_END:
            out.append(index)
    return out


_CAPITAL_OR_OPENER = np.zeros(256, dtype=bool)
_CAPITAL_OR_OPENER[0x41:0x5B] = True
_CAPITAL_OR_OPENER[list(set(_OPENERS))] = True
_ZERO = np.zeros(1, dtype=np.int64)


def _only_openers(prefix: bytes) -> bool:
    return all(b in _OPENERS for b in prefix)


def _after_sentence_end(chunk: bytes, start: int) -> bool:
    """Inside a chunk: does a sentence end (". ", "\\n") precede the word, openers aside?"""
    k = start - 1
    while k >= 0 and chunk[k] in _OPENERS:
        k -= 1
    return k >= 0 and chunk[k] in _SENTENCE_END


_BY_LANGUAGE: dict[str, MorphBoundaries] = {}


def morph_boundaries(language: str) -> MorphBoundaries:
    """The shared :class:`MorphBoundaries` of a language code."""
    engine = get_engine(language)
    if engine.code not in _BY_LANGUAGE:
        _BY_LANGUAGE[engine.code] = MorphBoundaries(engine)
    return _BY_LANGUAGE[engine.code]
