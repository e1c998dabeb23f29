"""Patok: morphology-aware contract-expand tokenization (the study's third arm).

Everything happens on token ids and byte offsets; text is never decoded and
re-encoded, so multi-byte characters survive and ``decode(patok(ids)) ==
decode(ids)`` byte for byte.

Algorithm, for one document with canonical ids ``t_0 .. t_{L-1}`` (specials,
ids outside the vocabulary and empty tokens are *fixed*: they always pass
through alone and untouched):

1. **Morpheme boundaries.** The document's bytes are split at spaces into
   chunks; every Filipino word in a chunk (ASCII letters, Latin-1 letters such
   as ñ and accented vowels, hyphens) is analysed with
   :func:`morphtok.lang.fil.analyze`, and the best analysis's internal
   boundaries (prefix|root, infix edges, root|suffix, reduplicant edges)
   become byte offsets. Each boundary is *kept* independently with
   probability ``affix_awareness`` (one draw per boundary, in document order).
2. **Contract.** The positions are covered left to right by segments: with
   probability ``contract_prop`` a *window* of ``n`` tokens, ``n`` drawn from
   ``num_toks_to_cont`` with weights ``contract_prob``, otherwise a single
   token that stays as it is. Each segment's draws are independent, so the
   segment lengths are i.i.d. (a renewal process): they are drawn in one batch
   and summed. The last window is cut at the document end; a window holding a
   fixed token is cut around it. A window's byte span is cut at the kept
   morpheme boundaries strictly inside it, and each piece between cuts is
   re-segmented into the *fewest* vocabulary tokens whose bytes spell it (a
   shortest-path DP over a bytes -> id table, split points restricted to
   character boundaries unless the bytes are not valid UTF-8; among equally
   short segmentations, the one whose cut points come earliest: the last
   token as long as possible, then the one before it, and so on). So
   sub-affix fragments contract into whole-affix tokens where the vocabulary
   has them ("N" + "agl" -> "Nag" + "l..."; "▁nag", "um", "an"), and tokens
   straddling a kept boundary are split there. A piece without any vocabulary path (impossible with byte fallback or
   a byte-level vocabulary) leaves its whole window as it was.
3. **Expand.** A StochasTok pass (:func:`morphtok.segment.stochastok.expand`,
   same rule as the StochasTok arm) at ``expand_prop`` over the result; tokens
   whose bytes are exactly one affix morpheme (optionally with the word's
   leading space, "▁nag") are protected: only non-affix tokens are split.

Random stream per document (from :func:`~morphtok.segment.processor.document_rng`):
the keep draws of step 1, the segment draws of step 2, then step 3's draws.

Parameters and their observable effects: ``contract_prop = 0`` leaves the
canonical ids, followed by the final expansion; ``affix_awareness`` moves the
share of morpheme boundaries that end up as token boundaries (MorphScore);
the realised window sizes follow ``contract_prob`` (see ``last_stats``).

Cost is O(L): the analysis is cached per chunk type and the re-segmentation
per piece (Zipf makes both hit rates high); per token there are only C-level
list/bytes operations and numpy calls.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate, chain, compress, count, repeat
from operator import itemgetter

import numpy as np

from morphtok.errors import ParameterError
from morphtok.segment.processor import PROCESSORS, Processor, check_probability
from morphtok.segment.stochastok import ExpansionTable, expand_list
from morphtok.segment.tokenizer import Tokenizer

# A Filipino word in UTF-8 bytes: ASCII letters, Latin-1 letters (ñ, á, ...), hyphens.
# One byte class (fast): a run that is not a valid word (stray continuation bytes,
# edge hyphens) simply fails analysis and contributes no boundary.
_WORD_SPLIT = re.compile(rb"[A-Za-z\xc3\x80-\xbf-]+")
_CONTINUATION = bytes(range(0x80, 0xC0))


@lru_cache(maxsize=1 << 17)
def word_boundaries(word: bytes) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(internal morpheme boundaries, flat affix spans ``(s0, e0, s1, e1, ...)``) of one word, as byte offsets."""
    from morphtok.lang.fil import analyze

    text = word.decode("utf-8")
    best = analyze(text)[0]
    if not best.is_affixed:
        return (), ()
    to_byte = _char_to_byte(text)
    bounds = tuple(to_byte[b] for b in best.boundaries)
    affixes = tuple(to_byte[x] for m in best.morphemes if m.type != "root" for x in (m.start, m.end))
    return bounds, affixes


def chunk_boundaries(chunk: bytes) -> tuple[tuple[int, ...], tuple[int, ...]] | tuple[()]:
    """:func:`word_boundaries` of every word in a space-free chunk, offsets relative to the chunk.

    ``()`` (falsy) when the chunk has no morpheme boundary.
    """
    bounds: list[int] = []
    spans: list[int] = []
    for match in _WORD_SPLIT.finditer(chunk):
        # The byte class also matches the tails of other multi-byte characters ("東kain"):
        # trim stray continuation bytes and a dangling lead byte off the edges first.
        word = match.group().lstrip(_CONTINUATION)
        offset = match.start() + len(match.group()) - len(word)
        word = word.rstrip(b"\xc3")
        if not word:
            continue
        try:
            word_bounds, word_spans = word_boundaries(word)
        except UnicodeDecodeError:  # still not whole characters: not a word
            continue
        bounds.extend(offset + x for x in word_bounds)
        spans.extend(offset + x for x in word_spans)
    return (tuple(bounds), tuple(spans)) if bounds else ()


def _char_to_byte(text: str) -> list[int]:
    offsets, total = [0], 0
    for ch in text:
        total += len(ch.encode("utf-8"))
        offsets.append(total)
    return offsets


class _PieceTable:
    """bytes -> id for ordinary tokens, and the cached fewest-token segmentation."""

    def __init__(self, tokenizer: Tokenizer):
        added = set(int(i) for i in tokenizer.hf.get_added_tokens_decoder())
        fallback = tokenizer.is_byte_fallback
        self.lookup: dict[bytes, int] = {}
        for token_id, raw in enumerate(tokenizer.token_bytes):
            if token_id in added or not raw:
                continue
            if raw not in self.lookup or fallback[self.lookup[raw]]:
                self.lookup[raw] = token_id
        self.max_len = max(map(len, self.lookup))
        self.cache: dict[bytes, tuple[int, ...] | None] = {}

    def segment(self, piece: bytes) -> tuple[int, ...] | None:
        """Fewest-token segmentation of ``piece`` (cached; the cache is bounded)."""
        found = self.cache.get(piece, _MISSING)
        if found is _MISSING:
            if len(self.cache) > 1 << 19:
                self.cache.clear()
            found = self.cache[piece] = self._segment(piece)
        return found

    def _segment(self, piece: bytes) -> tuple[int, ...] | None:
        n = len(piece)
        max_len = min(n, self.max_len)
        try:
            text = piece.decode("utf-8")
            allowed = _char_to_byte(text)
        except UnicodeDecodeError:
            allowed = list(range(n + 1))
        allowed_set = set(allowed)
        inf = n + 1
        cost = [inf] * (n + 1)
        back = [-1] * (n + 1)
        cost[0] = 0
        lookup = self.lookup
        for i in allowed:
            if cost[i] >= inf or i == n:
                continue
            step = cost[i] + 1
            # Positions are settled left to right and only a strictly cheaper path replaces
            # one: among fewest-token paths, the earliest cut points win (longest last token).
            for j in range(min(n, i + max_len), i, -1):
                if j in allowed_set and step < cost[j] and piece[i:j] in lookup:
                    cost[j] = step
                    back[j] = i
        if cost[n] >= inf:
            return None
        out, j = [], n
        while j > 0:
            i = back[j]
            out.append(lookup[piece[i:j]])
            j = i
        return tuple(reversed(out))


_PIECES: dict[str, _PieceTable] = {}


@PROCESSORS.register("patok")
class PatokProcessor(Processor):
    """Morphology-aware contract-expand (see module docstring)."""

    name = "patok"

    def __init__(
        self,
        tokenizer: Tokenizer,
        contract_prop: float = 0.9,
        expand_prop: float = 0.1,
        affix_awareness: float = 0.95,
        num_toks_to_cont: Sequence[int] = (2, 3, 4),
        contract_prob: Sequence[float] = (0.35, 0.35, 0.3),
    ):
        super().__init__(tokenizer)
        self.contract_prop = check_probability("contract_prop", contract_prop)
        self.expand_prop = check_probability("expand_prop", expand_prop)
        self.affix_awareness = check_probability("affix_awareness", affix_awareness)
        sizes = [int(n) for n in num_toks_to_cont]
        probs = [check_probability("contract_prob", p) for p in contract_prob]
        if not sizes or any(n < 1 for n in sizes):
            raise ParameterError(f"num_toks_to_cont must be positive window sizes, got {list(num_toks_to_cont)}")
        if len(sizes) != len(probs):
            raise ParameterError(
                f"num_toks_to_cont ({len(sizes)} sizes) and contract_prob ({len(probs)} weights) differ in length"
            )
        if abs(sum(probs) - 1.0) > 1e-6:
            raise ParameterError(f"contract_prob must sum to 1, got {sum(probs):.6f}", hint="e.g. [0.35, 0.35, 0.3]")
        self.num_toks_to_cont = sizes
        self.contract_prob = probs
        self._cumulative = np.cumsum(probs)
        self._sizes = np.asarray(sizes, dtype=np.int64)
        self._size_edges = np.append(self._cumulative[:-1], np.inf)
        self._mean_segment = 1.0 - self.contract_prop + self.contract_prop * float(np.dot(sizes, probs))
        self.table = ExpansionTable.for_tokenizer(tokenizer)
        key = tokenizer.content_hash
        if key not in _PIECES:
            _PIECES[key] = _PieceTable(tokenizer)
        self.pieces = _PIECES[key]
        self.token_bytes = tokenizer.token_bytes
        self.special = np.asarray(tokenizer.special_mask, dtype=bool)
        self.byte_lengths = np.fromiter(map(len, self.token_bytes), dtype=np.int64, count=len(self.token_bytes))
        self.fixed = self.special | (self.byte_lengths == 0)
        self._last: tuple | None = None

    def params(self) -> dict:
        return {
            "contract_prop": self.contract_prop,
            "expand_prop": self.expand_prop,
            "affix_awareness": self.affix_awareness,
            "num_toks_to_cont": list(self.num_toks_to_cont),
            "contract_prob": list(self.contract_prob),
        }

    # ------------------------------------------------------------------ main
    def process(self, text_or_ids, rng: np.random.Generator) -> list[int]:
        if isinstance(text_or_ids, str):
            ids = self.tokenizer.encode(text_or_ids)
        elif isinstance(text_or_ids, np.ndarray):
            ids = text_or_ids.reshape(-1).tolist()
        else:
            ids = list(text_or_ids)
            if ids and type(ids[0]) is not int:  # e.g. numpy integers: output plain ints
                ids = [int(i) for i in ids]
        if not ids:
            self._last = ([], _EMPTY, _EMPTY)
            return []
        token_bytes = self.token_bytes
        arr = np.array(ids, dtype=np.int64)
        valid = bool(arr.min() >= 0) and bool(arr.max() < len(token_bytes))
        starts = np.zeros(len(ids) + 1, dtype=np.int64)
        if valid:
            np.cumsum(self.byte_lengths[arr], out=starts[1:])
            doc = b"".join(map(token_bytes.__getitem__, ids))
            # Specials and empty tokens are never part of a window.
            fixed = self.fixed[arr]
        else:  # ids outside the vocabulary pass through alone, as if special
            inside = (arr >= 0) & (arr < len(token_bytes))
            safe = np.where(inside, arr, 0)
            np.cumsum(np.where(inside, self.byte_lengths[safe], 0), out=starts[1:])
            doc = b"".join(token_bytes[t] if 0 <= t < len(token_bytes) else b"" for t in ids)
            fixed = ~inside | self.fixed[safe]
        boundaries, keep, affix_spans = self._morpheme_boundaries(doc, rng)
        contracted, sizes = self._contract(ids, starts, doc, boundaries[keep], fixed, rng)
        protected = _AffixTokens(contracted, self.byte_lengths, affix_spans, doc, valid) if affix_spans.size else None
        out = expand_list(contracted, self.table, self.expand_prop, rng, protected=protected)
        self._last = (out, boundaries, sizes)
        return out

    @property
    def last_stats(self) -> dict:
        """Stats of the last :meth:`process` call (computed on demand: off the hot path)."""
        if self._last is None:
            return {}
        out, boundaries, sizes = self._last
        vocab = len(self.token_bytes)
        edges = set(accumulate(len(self.token_bytes[t]) if 0 <= t < vocab else 0 for t in out))
        return {
            "morph_boundaries_kept": {"kept": sum(1 for b in boundaries.tolist() if b in edges), "total": len(boundaries)},
            "window_sizes": np.asarray(sizes).tolist(),
        }

    def _morpheme_boundaries(self, doc: bytes, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(boundary byte offsets, kept mask, affix byte spans (k, 2)) of the document."""
        # Space-separated chunks (bytes.split: C speed); each chunk type is analysed once and
        # its boundaries cached relative to the chunk. Zipf keeps the hit rate high.
        chunks = doc.split(b" ")
        records = list(map(_CHUNKS.get, chunks))
        if None in records:
            if len(_CHUNKS) > 1 << 20:  # bounded memory on huge corpora
                _CHUNKS.clear()
            for chunk in set(chunks).difference(_CHUNKS):
                _CHUNKS[chunk] = chunk_boundaries(chunk)
            records = list(map(_CHUNKS.__getitem__, chunks))
        hits = list(compress(count(), records))  # chunks with at least one boundary
        if not hits:
            return _EMPTY, _EMPTY.astype(bool), _EMPTY.reshape(0, 2)
        found = itemgetter(*hits)(records) if len(hits) > 1 else (records[hits[0]],)
        # Chunk k starts one byte after the k-th space.
        spaces = np.flatnonzero(np.frombuffer(doc, dtype=np.uint8) == 0x20)
        hit_index = np.array(hits, dtype=np.int64)
        hit_starts = np.where(hit_index > 0, spaces[np.maximum(hit_index - 1, 0)] + 1, 0) if spaces.size else hit_index
        bounds = [record[0] for record in found]
        spans = [record[1] for record in found]
        counts = np.fromiter(map(len, bounds), dtype=np.int64, count=len(hits))
        relative = np.fromiter(chain.from_iterable(bounds), dtype=np.int64, count=int(counts.sum()))
        boundaries = np.repeat(hit_starts, counts) + relative
        span_counts = np.fromiter(map(len, spans), dtype=np.int64, count=len(hits)) // 2
        flat = np.fromiter(chain.from_iterable(spans), dtype=np.int64, count=2 * int(span_counts.sum()))
        affix_spans = flat.reshape(-1, 2) + np.repeat(hit_starts, span_counts)[:, None]
        keep = rng.random(boundaries.size) < self.affix_awareness
        return boundaries, keep, affix_spans

    def _contract(self, ids, starts, doc: bytes, kept: np.ndarray, fixed: np.ndarray, rng) -> tuple[list[int], np.ndarray]:
        """Step 2 of the module doc: segment the positions, then one cached lookup per piece."""
        n = len(ids)
        if self.contract_prop == 0.0:
            return ids, _EMPTY
        heads, window, drawn = self._segments(n, rng)
        if fixed.any():  # fixed tokens stand alone: split the segments around them
            at = np.flatnonzero(fixed)
            cut = np.union1d(heads, np.concatenate([at, at + 1]))
            cut = cut[cut < n]
            window = window[np.searchsorted(heads, cut, side="right") - 1] & ~fixed[cut]
            heads = cut
        ends = np.append(heads[1:], n)
        lo, hi = starts[heads], starts[ends]
        # Kept boundaries strictly inside a window cut it into pieces.
        if kept.size:
            segment_of = np.searchsorted(lo, kept, side="right") - 1
            inside = window[segment_of] & (kept > lo[segment_of]) & (kept < hi[segment_of])
            cuts, cut_segment = kept[inside], segment_of[inside]
            piece_start = np.concatenate([lo, cuts])
            piece_segment = np.concatenate([np.arange(heads.size), cut_segment])
            order = np.argsort(piece_start, kind="stable")
            piece_start, piece_segment = piece_start[order], piece_segment[order]
        else:
            piece_start, piece_segment = lo, np.arange(heads.size)
        a_list = piece_start.tolist()
        b_list = a_list[1:]
        b_list.append(int(starts[n]))
        # One C-level pipeline: slice the document, look the piece up in the per-piece cache.
        parts = list(map(self.pieces.cache.get, map(doc.__getitem__, map(slice, a_list, b_list)), repeat(_MISSING)))
        single = ~window[piece_segment]
        if single.any():  # segments not contracted keep their token exactly
            for j, h in zip(np.flatnonzero(single).tolist(), heads[piece_segment[single]].tolist(), strict=True):
                parts[j] = ids[h : h + 1]
        try:
            out = list(chain.from_iterable(parts))
        except TypeError:  # a piece not seen before, or one without a vocabulary path
            out = self._fill_pieces(parts, ids, doc, a_list, b_list, piece_segment, heads, ends)
        return out, drawn

    def _segments(self, n: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(segment heads, is-window flags, drawn window sizes) covering positions 0..n-1.

        The walk "at position i open a window with probability contract_prop,
        of size n ~ contract_prob, else step one token" is a renewal process:
        segment lengths are i.i.d., so they are drawn in one batch and summed.
        """
        batch = int(n / self._mean_segment * 1.1) + 16
        lengths, opens, total = [], [], 0
        while total < n:  # one batch nearly always suffices
            draws = rng.random((2, batch))
            is_open = draws[0] < self.contract_prop
            # _size_edges ends with +inf, so the index never runs past the last size.
            length = np.where(is_open, self._sizes[np.searchsorted(self._size_edges, draws[1], side="right")], 1)
            lengths.append(length)
            opens.append(is_open)
            total += int(length.sum())
        length = np.concatenate(lengths) if len(lengths) > 1 else lengths[0]
        is_open = np.concatenate(opens) if len(opens) > 1 else opens[0]
        heads = np.cumsum(length) - length
        used = int(np.searchsorted(heads, n))
        return heads[:used], is_open[:used], length[:used][is_open[:used]]

    def _fill_pieces(self, parts, ids, doc, a_list, b_list, piece_segment, heads, ends) -> list[int]:
        failed = set()
        for j, part in enumerate(parts):
            if part is _MISSING:
                part = parts[j] = self.pieces.segment(doc[a_list[j] : b_list[j]])
            if part is None:  # no vocabulary path (impossible with byte fallback): keep the window's ids
                failed.add(int(piece_segment[j]))
        for j, segment in enumerate(piece_segment.tolist()):
            if segment in failed:
                first = j == 0 or piece_segment[j - 1] != segment
                parts[j] = ids[heads[segment] : ends[segment]] if first else ()
        return list(chain.from_iterable(parts))


class _AffixTokens:
    """``protected(positions)`` for the final StochasTok pass: which of these tokens spell one affix?

    A token is protected when its byte span is exactly an affix morpheme's span,
    or that span with the word's leading space ("▁nag"). Token offsets are
    computed once (one cumsum); only the attempted positions are checked.
    """

    def __init__(self, ids: list[int], byte_lengths: np.ndarray, spans: np.ndarray, doc: bytes, valid: bool):
        self.ids, self.byte_lengths, self.doc, self.valid = ids, byte_lengths, doc, valid
        self.keys = set((spans[:, 0] * _KEY + spans[:, 1]).tolist())

    def __call__(self, positions: np.ndarray) -> np.ndarray:
        arr = np.array(self.ids, dtype=np.int64)
        if self.valid:
            lengths = self.byte_lengths[arr]
        else:
            inside = (arr >= 0) & (arr < self.byte_lengths.size)
            lengths = np.where(inside, self.byte_lengths[np.where(inside, arr, 0)], 0)
        end = np.cumsum(lengths)[positions]
        start = end - lengths[positions]
        spaced = np.frombuffer(self.doc, dtype=np.uint8)[np.minimum(start, max(len(self.doc) - 1, 0))] == 0x20
        contains = self.keys.__contains__
        exact = np.fromiter(map(contains, (start * _KEY + end).tolist()), dtype=bool, count=positions.size)
        after_space = np.fromiter(map(contains, ((start + spaced) * _KEY + end).tolist()), dtype=bool, count=positions.size)
        return exact | after_space


_KEY = 1 << 32


# Per space-separated chunk type: (boundary offsets, flat affix spans) or () (see chunk_boundaries).
_CHUNKS: dict[bytes, tuple] = {}
_MISSING = object()
_EMPTY = np.zeros(0, dtype=np.int64)
