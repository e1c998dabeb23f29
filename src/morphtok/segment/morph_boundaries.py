"""Morpheme boundaries of a document's bytes, from a language engine (Patok's step 1).

Patok works on bytes; the language enters only through the engine
(:func:`morphtok.lang.engine.get_engine`): its ``word_pattern`` (a bytes regex) finds
the words, its ``analyse`` gives their ranked analyses. A word contributes boundaries
only when its best analysis is *confident* (the engine's calibrated confidence; see
:mod:`morphtok.lang.fil.ranking`), so a doubtful parse adds no token boundary.

Capitalised words in the middle of a sentence are names and stay whole. Each document's
bytes are cut at spaces into chunks (Patok hands over a batch of documents laid end to
end; a document always starts a chunk), and each chunk type is analysed once (cached)
as if mid-sentence; a chunk that starts a sentence (the last byte before it that is not
a space or tab is one of ``. ! ? : ;`` or a newline, or there is none in its document)
and starts with a capital is looked up in a second cache analysed as sentence-initial.

Values per chunk (relative to it; ``+ start * (KEY + 1)`` moves them to byte ``start``):
boundary ``b`` is ``BOUND + b``; affix span ``(s, e)`` is the key ``(s + 2) * KEY + e`` and,
when it starts the chunk, also ``(s + 1) * KEY + e`` (the span with the space before it).
A batch stays below 1 GiB, so every value fits an int64. A chunk's values are cached as one
bytes object of native int64s (``b""`` when it has none): a batch's values are then one
``bytes.join``, not one Python int object per value to chase after the encode evicted them.
"""

from __future__ import annotations

from itertools import chain, pairwise

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
        self.mid: dict[bytes, bytes] = {}
        self.initial: dict[bytes, bytes] = {}

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

    def chunk_values(self, chunk: bytes, initial: bool) -> bytes:
        """The values (module doc) of a space-free chunk as packed int64s; ``b""`` when it has no boundary."""
        bounds: list[int] = []
        spans: list[int] = []
        for match in self.pattern.finditer(chunk):
            start = match.start()
            mid = not (initial and _only_openers(chunk[:start])) and not _after_sentence_end(chunk, start)
            word_bounds, word_spans = self.word(match.group(), mid)
            bounds.extend(start + x for x in word_bounds)
            spans.extend(start + x for x in word_spans)
        if not bounds:
            return b""
        pairs = list(zip(spans[::2], spans[1::2], strict=True))
        keys = [(s + 2) * KEY + e for s, e in pairs] + [(s + 1) * KEY + e for s, e in pairs if s == 0]
        return np.array([*[BOUND + b for b in bounds], *keys], dtype=np.int64).tobytes()

    def values(self, data: bytes, doc_starts: np.ndarray) -> np.ndarray:
        """The values (module doc) of one or more documents laid end to end, at their byte offsets.

        ``doc_starts``: each document's first byte in ``data``, then ``len(data)``. Chunks are
        cut per document (a document starts a chunk and a sentence); the mid-sentence cache
        serves every chunk, then the chunks that start a sentence with a capital are looked up
        again in the sentence-initial cache. One dict lookup per chunk, the rest vectorised.
        """
        raw = np.frombuffer(data, dtype=np.uint8)
        documents = (data[a:b] for a, b in pairwise(doc_starts.tolist()))  # one document: data itself, no copy
        chunks = list(filter(None, chain.from_iterable(doc.split(b" ") for doc in documents)))
        try:
            records = list(map(self.mid.__getitem__, chunks))
        except KeyError:
            if len(self.mid) > _MAX_CACHE:
                self.mid.clear()
            self.mid.update((c, self.chunk_values(c, False)) for c in set(chunks).difference(self.mid))
            records = list(map(self.mid.__getitem__, chunks))
        # Non-empty chunks start at a document start or after a space, on a byte that is not one.
        first = np.zeros(raw.size, dtype=bool)
        first[1:] = raw[:-1] == 0x20
        first[doc_starts[:-1][doc_starts[:-1] < raw.size]] = True
        first &= raw != 0x20
        first = first.nonzero()[0]
        for index in _capitalised_sentence_starts(raw, first, doc_starts).tolist():
            chunk = chunks[index]
            if chunk not in self.initial:
                if len(self.initial) > _MAX_CACHE:
                    self.initial.clear()
                self.initial[chunk] = self.chunk_values(chunk, True)
            records[index] = self.initial[chunk]
        found = np.frombuffer(b"".join(records), dtype=np.int64)
        if not found.size:
            return _EMPTY
        # A chunk's values are relative to it: move them to its first byte.
        counts = np.fromiter(map(len, records), dtype=np.int64, count=len(records)) >> 3
        return found + (first * (KEY + 1)).repeat(counts)


def _capitalised_sentence_starts(raw: np.ndarray, first: np.ndarray, doc_starts: np.ndarray) -> np.ndarray:
    """Indices of the chunks (first bytes ``first``) that may start with a capital (after openers)
    and begin a sentence: the last byte before them that is not a space or tab ends a sentence
    (``. ! ? : ;`` or a newline), or there is none in their document.

    Over-selecting is harmless: a chunk whose first word is lower case analyses the same either way.
    """
    candidates = np.flatnonzero(_CAPITAL_OR_OPENER[raw[first]])
    at = first[candidates]
    printed = np.flatnonzero(~_BLANK[raw])
    before = printed.searchsorted(at) - 1
    previous = np.where(before >= 0, printed[before], -1)
    own_start = doc_starts[doc_starts.searchsorted(at, side="right") - 1]
    starts = (previous < own_start) | _ENDS_SENTENCE[raw[np.maximum(previous, 0)]]
    return candidates[starts]


_CAPITAL_OR_OPENER = np.zeros(256, dtype=bool)
_CAPITAL_OR_OPENER[0x41:0x5B] = True
_CAPITAL_OR_OPENER[list(set(_OPENERS))] = True
_BLANK = np.zeros(256, dtype=bool)
_BLANK[[0x20, 0x09]] = True
_ENDS_SENTENCE = np.zeros(256, dtype=bool)
_ENDS_SENTENCE[list(_SENTENCE_END)] = True
_EMPTY = np.zeros(0, dtype=np.int64)


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
