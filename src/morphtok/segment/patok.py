"""Patok: morphology-aware contract-expand tokenization (the study's third arm).

Everything happens on token ids and byte offsets; text is never decoded and
re-encoded, so multi-byte characters survive and ``decode(patok(ids)) ==
decode(ids)`` byte for byte.

Algorithm, for one document with canonical ids ``t_0 .. t_{L-1}`` (added
tokens -- specials and non-special ones such as Gemma's newline 107, tab runs
and HTML tags --, ids outside the vocabulary and empty tokens are *fixed*: they
always pass through alone and untouched):

1. **Morpheme boundaries.** The language engine chosen by ``language`` (the
   config's ``corpus.language``; :func:`morphtok.lang.engine.get_engine`) finds the
   words with its bytes ``word_pattern`` and analyses them
   (:mod:`morphtok.segment.morph_boundaries`); only a *confident* best analysis (the
   engine's calibrated confidence) gives boundaries, and a capitalised word in the
   middle of a sentence (a name) gives none. Its internal boundaries (prefix|root,
   infix edges, root|suffix, reduplicant edges, the linker) become byte offsets. Each
   boundary is *kept* independently with probability ``affix_awareness`` (one draw
   per boundary, in document order).
2. **Contract.** The positions are covered left to right by segments: with
   probability ``contract_prop`` a *window* of ``n`` tokens, ``n`` drawn from
   ``num_toks_to_cont`` with weights ``contract_prob``, otherwise a single
   token that stays as it is. Each segment's draws are independent, so the
   segment lengths are i.i.d. (a renewal process): they are drawn in one batch
   and summed. The last window is cut at the document end; a window holding a
   fixed token is cut around it. A window's byte span is cut at the kept
   morpheme boundaries strictly inside it, and each piece between cuts is
   re-segmented by the rule of :mod:`morphtok.segment.pieces`: the **fewest
   vocabulary tokens, then the fewest boundaries the baseline does not have**
   (then the earliest cuts), so inside a piece Patok adds no more
   non-morphological boundaries than the baseline has, and puts them where the
   baseline has its own when the vocabulary allows. Tokens straddling a kept
   boundary are split there, and sub-affix fragments contract into whole-affix
   tokens where the vocabulary has them ("N" + "agl" -> "Nag" + "l..."; "▁nag",
   "um", "an"). A piece without any vocabulary path (impossible with byte fallback
   or a byte-level vocabulary) leaves its whole window as it was.
   :func:`morphtok.segment.patok_reference.reference_process` states steps 1-3
   plainly (no caches, no vectorisation); a property test checks the two agree.
3. **Expand.** A StochasTok pass (:func:`morphtok.segment.stochastok.expand`,
   same rule as the StochasTok arm) at ``expand_prop`` over the result, with
   StochasTok's split table minus the splits whose left piece is a space and one
   consonant (:func:`~morphtok.segment.stochastok.onset_safe_table`: no "▁h" +
   "apun", so the expansion invents no onset boundary either); tokens
   whose bytes are exactly one affix morpheme (optionally with the word's
   leading space, "▁nag") are protected: only non-affix tokens are split.

Random stream per document (from :func:`~morphtok.segment.processor.document_rng`):
the keep draws of step 1, the segment draws of step 2, then step 3's draws.
``contract_prop = 0`` leaves the canonical ids, followed by the final expansion;
``affix_awareness`` moves the share of morpheme boundaries that end up as token
boundaries (MorphScore); the window sizes follow ``contract_prob`` (``last_stats``).

Cost is O(L): the analysis is cached per chunk type and the re-segmentation per
piece (Zipf makes both hit rates high). Between documents the encode evicts
Patok's tables from the CPU caches, so the hot path keeps what a document
touches small: C-level pipelines (``bytes.split``, one ``struct.unpack``, dict
lookups, ``bytes.join`` of int64-packed ids), few numpy calls, no object per token.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, repeat

import numpy as np

from morphtok.config_checks import at_least, each, fraction
from morphtok.errors import ParameterError
from morphtok.lang.engine import DEFAULT_LANGUAGE
from morphtok.segment.morph_boundaries import BOUND, KEY, morph_boundaries
from morphtok.segment.pieces import MISSING, PieceTable, pack
from morphtok.segment.processor import ArmThroughput, Processor
from morphtok.segment.stochastok import expand_list, onset_safe_table
from morphtok.segment.tokenizer import Tokenizer

_PIECES: dict[str, PieceTable] = {}


class PatokProcessor(Processor):
    """Morphology-aware contract-expand (see module docstring)."""

    name = "patok"
    label = "Patok"
    uses_language = True
    throughput = ArmThroughput(368_000, 0.1, "measured 2026-12-01: benchmarks/preprocess_speed.py, 1 worker, 20 MB")

    @dataclass(frozen=True)
    class Params:
        contract_prop: float = field(default=0.9, metadata={"help": "Patok: share of positions contracted.",
                                                            **fraction()})
        expand_prop: float = field(default=0.1, metadata={"help": "StochasTok/Patok final expansion rate.",
                                                          **fraction()})
        affix_awareness: float = field(default=0.95, metadata={"help": "Patok: P(keep a morpheme boundary).",
                                                               **fraction()})
        num_toks_to_cont: list[int] = field(default_factory=lambda: [2, 3, 4], metadata={
            "help": "Patok: contraction window sizes, in tokens.", **each(at_least(1))})
        contract_prob: list[float] = field(default_factory=lambda: [0.35, 0.35, 0.3], metadata={
            "help": "Patok: weight of each window size (sums to 1).", **each(fraction())})

        def constraints(self) -> Iterator[tuple[str, str]]:
            if not self.num_toks_to_cont:
                yield "num_toks_to_cont", "must name at least one window size"
            elif len(self.contract_prob) != len(self.num_toks_to_cont):
                yield "contract_prob", (f"must have one entry per num_toks_to_cont ({len(self.num_toks_to_cont)}), "
                                        f"got {len(self.contract_prob)}")
            elif abs(sum(self.contract_prob) - 1.0) > 1e-6:
                yield "contract_prob", f"must sum to 1, got {sum(self.contract_prob):g}"

    def __init__(self, tokenizer: Tokenizer, language: str = DEFAULT_LANGUAGE, **params: object):
        super().__init__(tokenizer, **params)
        self.morphology = morph_boundaries(language)  # the language engine, chosen by corpus.language
        self.language = self.morphology.engine.code
        self.contract_prop = self.settings.contract_prop
        self.expand_prop = self.settings.expand_prop
        self.affix_awareness = self.settings.affix_awareness
        sizes, probs = self.settings.num_toks_to_cont, self.settings.contract_prob
        self.num_toks_to_cont = sizes
        self.contract_prob = probs
        self._sizes = np.asarray(sizes, dtype=np.int64)
        self._size_edges = np.append(np.cumsum(probs)[:-1], np.inf)
        self._mean_segment = 1.0 - self.contract_prop + self.contract_prop * float(np.dot(sizes, probs))
        self.table = onset_safe_table(tokenizer)  # StochasTok's splits minus "▁h" + "apun" (step 3)
        key = tokenizer.content_hash
        if key not in _PIECES:
            _PIECES[key] = PieceTable(tokenizer)
        self.pieces = _PIECES[key]
        self.token_bytes = tokenizer.token_bytes
        self.byte_lengths = self.pieces.byte_lengths
        # Added tokens (specials, and also Gemma's "\n" = 107, tab runs, "<td>"...) are fixed: the
        # piece table cannot spell them, so a window holding one would re-spell it from bytes.
        self.fixed = np.asarray(tokenizer.added_mask, dtype=bool) | (self.byte_lengths == 0)
        # struct.unpack format items "  3s", "  5s", ...: cut a document into pieces in one call.
        longest = 2 * max(sizes) * int(self.byte_lengths.max(initial=0))  # keys interleave a flag byte
        width = len(str(longest)) + 2
        self._formats = np.array([f"{n:>{width - 1}}s".encode() for n in range(longest + 1)], dtype=f"S{width}")
        self._last: tuple | None = None

    def params(self) -> dict:
        return {**super().params(), "language": self.language}  # the language is the corpus's, not an arm setting

    # ------------------------------------------------------------------ main
    def process(self, text_or_ids: str | Sequence[int] | np.ndarray, rng: np.random.Generator) -> list[int]:
        if isinstance(text_or_ids, str):
            ids = self.tokenizer.encode(text_or_ids)
        elif isinstance(text_or_ids, np.ndarray):
            ids = text_or_ids.reshape(-1).tolist()
        else:
            ids = list(text_or_ids)
            if ids and type(ids[0]) is not int:  # e.g. numpy integers: output plain ints
                ids = [int(i) for i in ids]
        if not ids:
            self._last = ([], _EMPTY, None)
            return []
        arr = safe = np.array(ids, dtype=np.int64)
        valid = bool(arr.view(np.uint64).max() < len(self.token_bytes))  # negative ids wrap to huge values
        if valid:
            lengths = self.byte_lengths[arr]
            fixed = self.fixed[arr]  # specials and empty tokens are never part of a window
        else:  # ids outside the vocabulary pass through alone, as if special (and without bytes)
            inside = (arr >= 0) & (arr < len(self.token_bytes))
            safe = np.where(inside, arr, 0)
            lengths = np.where(inside, self.byte_lengths[safe], 0)
            fixed = ~inside | self.fixed[safe]
        starts = np.concatenate((_ZERO, lengths.cumsum(dtype=np.int64)))
        if starts[-1] >= 1 << 30:  # the int64 encodings of morph_boundaries
            raise ParameterError(f"patok takes documents below 1 GiB, got {int(starts[-1]):,} bytes")
        # The document's bytes: one gather from the vocabulary's bytes end to end.
        doc = self.pieces.flat[(self.pieces.at[safe] - starts[:-1]).repeat(lengths) + np.arange(starts[-1])].tobytes()
        boundaries, keep, affix_keys = self._morpheme_boundaries(doc, rng)
        contracted, segments = arr, None
        if self.contract_prop > 0.0:
            contracted, segments = self._contract(ids, safe, starts, doc, boundaries[keep], fixed, rng)
        protected = self._affix_tokens(contracted, affix_keys, valid) if affix_keys else None
        out = expand_list(contracted, self.table, self.expand_prop, rng, protected=protected)
        self._last = (out, boundaries, segments)
        return out

    def clear_caches(self) -> None:
        """Forget every cached analysis and piece segmentation (benchmarks measure the cold path)."""
        self.morphology.clear()
        self.pieces.cache.clear()

    @property
    def last_stats(self) -> dict:
        """Stats of the last :meth:`process` call (computed on demand: off the hot path)."""
        if self._last is None:
            return {}
        out, boundaries, segments = self._last
        vocab = len(self.token_bytes)
        edges = set(accumulate(len(self.token_bytes[t]) if 0 <= t < vocab else 0 for t in out))
        return {
            "morph_boundaries_kept": {"kept": sum(1 for b in boundaries.tolist() if b in edges), "total": len(boundaries)},
            "window_sizes": [] if segments is None else segments[0][segments[1]].tolist(),
        }

    def _morpheme_boundaries(self, doc: bytes, rng) -> tuple[np.ndarray, np.ndarray, set[int]]:
        """(boundary byte offsets, kept mask, affix keys) of the document (see morph_boundaries)."""
        # Space-separated chunks (bytes.split: C speed); each chunk type is analysed once and its
        # values cached. Most chunks have none: the shared empty tuple.
        _, records = self.morphology.document(doc)
        found = np.fromiter(chain.from_iterable(filter(None, records)), dtype=np.int64)
        if not found.size:
            return _EMPTY, _EMPTY.astype(bool), set()
        # Chunk k starts one byte after the k-th space: move its values there.
        first = (np.frombuffer(b" " + doc, dtype=np.uint8) == 0x20).nonzero()[0]
        found += (first * (KEY + 1)).repeat(np.fromiter(map(len, records), dtype=np.int64, count=len(records)))
        boundaries = found[found >= BOUND] & (KEY - 1)
        keep = rng.random(boundaries.size) < self.affix_awareness
        return boundaries, keep, set(found.tolist())

    def _contract(self, ids, safe, starts, doc: bytes, kept, fixed, rng) -> tuple[np.ndarray, tuple]:
        """Step 2 of the module doc: segment the positions, then one cached lookup per piece."""
        n = len(ids)
        heads, window, length = self._segments(n, rng)
        stats = (length, window)
        has_fixed = True in fixed
        if has_fixed:  # fixed tokens stand alone: split the segments around them
            at = np.flatnonzero(fixed)
            starts_here = np.zeros(n + 1, dtype=bool)  # a mask, not union1d: no sort on the hot path
            starts_here[heads] = True
            starts_here[at] = True
            starts_here[at + 1] = True
            cut = np.flatnonzero(starts_here[:n])
            window = window[np.searchsorted(heads, cut, side="right") - 1] & ~fixed[cut]
            heads = cut
        lo = starts[heads]  # non-decreasing: several heads share an offset only around empty tokens
        cuts = _EMPTY
        if kept.size:  # kept boundaries strictly inside a window cut it into pieces
            segment_of = lo.searchsorted(kept, side="right") - 1
            cuts = kept[window[segment_of] & (kept != lo[segment_of])]
        edges = np.concatenate((lo, cuts, starts[n:]))  # the pieces' starts, then the document's end
        if cuts.size:
            edges.sort()
        # One C-level pipeline: cut the document into its pieces, look each up in the piece cache.
        # Keys: each byte of the piece followed by its flag (1 = a baseline token starts here).
        marked = np.zeros(2 * len(doc), dtype=np.uint8)
        marked[0::2] = np.frombuffer(doc, dtype=np.uint8)
        marked[2 * starts[:-1][starts[:-1] < len(doc)] + 1] = 1
        pieces = struct.unpack(self._formats[2 * (edges[1:] - edges[:-1])].tobytes(), marked.tobytes())
        parts = list(map(self.pieces.cache.get, pieces, repeat(MISSING)))
        # A single-token segment keeps its token, also one its bytes do not segment to.
        single = heads[~window]
        stay = self.pieces.odd[safe[single]]
        if True in (stay := stay | fixed[single] if has_fixed else stay):
            single = (~window).nonzero()[0][stay]
            cuts = np.sort(cuts)  # piece index of segment k: k + the cuts before it
            for j, h in zip((single + cuts.searchsorted(lo[single])).tolist(), heads[single].tolist(), strict=True):
                parts[j] = pack(ids[h : h + 1])
        try:
            out = b"".join(parts)
        except TypeError:  # a piece not seen before, or one without a vocabulary path
            parts = [self.pieces.segment(piece) if part is MISSING else part for piece, part in zip(pieces, parts, strict=True)]
            if None in parts:  # no vocabulary path (impossible with byte fallback): keep the whole window's ids
                first = np.searchsorted(np.sort(cuts), lo) + np.arange(lo.size)
                ends = [*heads[1:].tolist(), n]
                for j in [j for j, part in enumerate(parts) if part is None]:
                    k = int(np.searchsorted(first, j, side="right")) - 1
                    end = int(first[k + 1]) if k + 1 < lo.size else len(parts)
                    parts[first[k] : end] = [pack(ids[heads[k] : ends[k]])] + [b""] * (end - first[k] - 1)
            out = b"".join(parts)
        return np.frombuffer(out, dtype=np.int64), stats

    def _affix_tokens(self, ids: np.ndarray, keys: set[int], valid: bool):
        """``protected(positions)`` for the final StochasTok pass: do these tokens spell one affix
        (with or without the word's leading space, "▁nag")? One set lookup per attempted position
        of its span's key (see :mod:`~morphtok.segment.morph_boundaries`); the offsets take one cumsum.
        """

        def protected(positions: np.ndarray) -> np.ndarray:
            if valid:
                lengths = self.byte_lengths[ids]
            else:
                inside = (ids >= 0) & (ids < self.byte_lengths.size)
                lengths = np.where(inside, self.byte_lengths[np.where(inside, ids, 0)], 0)
            end = lengths.cumsum(dtype=np.int64)[positions]
            spans = (end - lengths[positions] + 2) * KEY + end
            return np.fromiter(map(keys.__contains__, spans.tolist()), dtype=bool, count=positions.size)

        return protected

    def _segments(self, n: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(segment heads, is-window flags, segment lengths) covering positions 0..n-1.

        The walk "at position i open a window with probability contract_prop,
        of size n ~ contract_prob, else step one token" is a renewal process:
        segment lengths are i.i.d., so they are drawn in one batch and summed.
        """
        batch = int(n / self._mean_segment * 1.1) + 16
        lengths, opens = [], []
        while True:  # one batch nearly always suffices
            draws = rng.random((2, batch))
            opens.append(draws[0] < self.contract_prop)
            # _size_edges ends with +inf, so the index never runs past the last size.
            lengths.append(np.where(opens[-1], self._sizes[self._size_edges.searchsorted(draws[1], side="right")], 1))
            length = np.concatenate(lengths) if len(lengths) > 1 else lengths[0]
            ends = length.cumsum()
            if ends[-1] >= n:
                break
        is_open = np.concatenate(opens) if len(opens) > 1 else opens[0]
        used = int(ends.searchsorted(n)) + 1  # the heads before n: 0 and every end before n
        return (ends - length)[:used], is_open[:used], length[:used]


_EMPTY = np.zeros(0, dtype=np.int64)
_ZERO = np.zeros(1, dtype=np.int64)
