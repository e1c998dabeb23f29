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
3. **Expand.** A StochasTok pass (:func:`morphtok.segment.expansion.expand`,
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
piece (Zipf makes both hit rates high). :meth:`PatokProcessor.process_batch` (what
the data pipeline calls, on batches of 64 documents) lays the documents end to end
and runs steps 1-3 once over all of them: numpy's per-call overhead is paid per batch,
and the encode, run over the whole batch first, evicts Patok's tables from the CPU
caches once per batch instead of once per document. Each document still draws from
its own generator in the order above, so the output is that of one :meth:`process`
call per document, whatever the batch. The hot path is C-level pipelines
(``bytes.split``, one ``struct.unpack``, dict lookups, ``bytes.join`` of int64-packed
ids), a few numpy calls per batch, no object per token.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, pairwise, repeat

import numpy as np

from morphtok.config_checks import at_least, each, fraction
from morphtok.errors import ParameterError
from morphtok.lang.engine import DEFAULT_LANGUAGE
from morphtok.segment.expansion import expand_batch
from morphtok.segment.morph_boundaries import BOUND, KEY, morph_boundaries
from morphtok.segment.pieces import MISSING, PieceTable, pack
from morphtok.segment.processor import ArmThroughput, Processor
from morphtok.segment.stochastok import onset_safe_table
from morphtok.segment.tokenizer import Tokenizer

_PIECES: dict[str, PieceTable] = {}


class PatokProcessor(Processor):
    """Morphology-aware contract-expand (see module docstring)."""

    name = "patok"
    label = "Patok"
    uses_language = True
    throughput = ArmThroughput(367_000, 0.1, "measured 2026-12-02: benchmarks/preprocess_speed.py, 1 worker, 20 MB")

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
        return self.process_batch([text_or_ids], [rng])[0]

    def process_batch(self, items: Sequence[str | Sequence[int] | np.ndarray],
                      rngs: Sequence[np.random.Generator]) -> list[list[int]]:
        """:meth:`process` of each document with its own generator, the documents' work shared.

        The documents are laid end to end and steps 1 and 2 run once over all of them (one
        dict lookup per chunk and per piece, numpy calls per batch, not per document); each
        document still draws from its own generator in the module doc's order, so the output
        is the same as one :meth:`process` call per document, whatever the batch.
        """
        if len(items) != len(rngs):
            raise ParameterError(f"process_batch takes one generator per document: {len(items)} documents, "
                                 f"{len(rngs)} generators")
        docs = [self._ids(item) for item in items]
        live = [k for k, ids in enumerate(docs) if ids]
        outs: list[list[int]] = [[] for _ in docs]
        self._last = ([], _EMPTY, None)
        if live:
            done, boundaries, segments = self._batch([docs[k] for k in live], [rngs[k] for k in live])
            for k, out in zip(live, done, strict=True):
                outs[k] = out
            self._last = (done, boundaries, segments)
        return outs

    def _ids(self, text_or_ids) -> list[int]:
        if isinstance(text_or_ids, str):
            return self.tokenizer.encode(text_or_ids)
        if isinstance(text_or_ids, np.ndarray):
            return text_or_ids.reshape(-1).tolist()
        ids = list(text_or_ids)
        if ids and type(ids[0]) is not int:  # e.g. numpy integers: output plain ints
            ids = [int(i) for i in ids]
        return ids

    def _batch(self, docs: list[list[int]], rngs) -> tuple[list[list[int]], np.ndarray, tuple | None]:
        """Steps 1-3 for non-empty documents: (outputs, boundary byte offsets, segment stats)."""
        ids = docs[0] if len(docs) == 1 else list(chain.from_iterable(docs))
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
        if starts[-1] >= MAX_BATCH_BYTES:
            if len(docs) == 1:
                raise ParameterError(f"patok takes documents below {MAX_BATCH_BYTES:,} bytes, got {int(starts[-1]):,}")
            half = len(docs) // 2  # each half on its own; the stats in the whole batch's byte offsets
            (first, b1, s1), (second, b2, s2) = self._batch(docs[:half], rngs[:half]), self._batch(docs[half:], rngs[half:])
            shift = int(starts[sum(map(len, docs[:half]))])
            stats = None if s1 is None else tuple(np.concatenate(pair) for pair in zip(s1, s2, strict=True))
            return first + second, np.concatenate((b1, b2 + shift)), stats
        doc_at = np.cumsum([0, *map(len, docs)])
        byte_at = starts[doc_at]
        # The documents' bytes: one gather from the vocabulary's bytes end to end.
        data = self.pieces.flat[(self.pieces.at[safe] - starts[:-1]).repeat(lengths) + np.arange(starts[-1])].tobytes()
        values = self.morphology.values(data, byte_at)
        boundaries = values[values >= BOUND] & (KEY - 1)
        # Each document's own draws, in the module doc's order: keep draws, then its segments.
        per_doc = boundaries.searchsorted(byte_at).tolist()
        keep, segments = [], []
        for d, rng in enumerate(rngs):
            if per_doc[d + 1] > per_doc[d]:
                keep.append(rng.random(per_doc[d + 1] - per_doc[d]) < self.affix_awareness)
            if self.contract_prop > 0.0:
                segments.append(self._segments(len(docs[d]), rng))
        kept = boundaries[np.concatenate(keep)] if keep else _EMPTY
        if segments:
            contracted = self._contract(ids, safe, starts, data, kept, fixed, segments, doc_at)
            stats = (np.concatenate([s[2] for s in segments]), np.concatenate([s[1] for s in segments]))
        else:
            contracted, stats = [arr[a:b] for a, b in pairwise(doc_at.tolist())], None
        keys = set(values.tolist())
        protected = self._affix_tokens(np.concatenate(contracted), keys, valid) if keys else None
        return expand_batch(contracted, self.table, self.expand_prop, rngs, protected=protected), boundaries, stats

    def clear_caches(self) -> None:
        """Forget every cached analysis and piece segmentation (benchmarks measure the cold path)."""
        self.morphology.clear()
        self.pieces.cache.clear()

    @property
    def last_stats(self) -> dict:
        """Stats of the last :meth:`process` or :meth:`process_batch` call, over all its documents (computed
        on demand: off the hot path)."""
        if self._last is None:
            return {}
        outs, boundaries, segments = self._last
        vocab = len(self.token_bytes)
        edges = set(accumulate(len(self.token_bytes[t]) if 0 <= t < vocab else 0 for t in chain.from_iterable(outs)))
        return {
            "morph_boundaries_kept": {"kept": sum(1 for b in boundaries.tolist() if b in edges), "total": len(boundaries)},
            "window_sizes": [] if segments is None else segments[0][segments[1]].tolist(),
        }

    def _contract(self, ids, safe, starts, data: bytes, kept, fixed, segments, doc_at) -> list[np.ndarray]:
        """Step 2 of the module doc over the documents laid end to end: one cached lookup per piece."""
        n = len(ids)
        heads = np.concatenate([s[0] + a for s, a in zip(segments, doc_at[:-1].tolist(), strict=True)])
        window = np.concatenate([s[1] for s in segments])
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
        edges = np.concatenate((lo, cuts, starts[n:]))  # the pieces' starts, then the end
        if cuts.size:
            edges.sort()
            cuts = np.sort(cuts)
        # One C-level pipeline: cut the bytes into their pieces, look each up in the piece cache.
        # Keys: each byte of the piece followed by its flag (1 = a baseline token starts here).
        marked = np.zeros(2 * len(data), dtype=np.uint8)
        marked[0::2] = np.frombuffer(data, dtype=np.uint8)
        marked[2 * starts[:-1][starts[:-1] < len(data)] + 1] = 1
        pieces = struct.unpack(self._formats[2 * (edges[1:] - edges[:-1])].tobytes(), marked.tobytes())
        parts = list(map(self.pieces.cache.get, pieces, repeat(MISSING)))
        # A single-token segment keeps its token, also one its bytes do not segment to.
        single = heads[~window]
        stay = self.pieces.odd[safe[single]]
        if True in (stay := stay | fixed[single] if has_fixed else stay):
            single = (~window).nonzero()[0][stay]  # piece index of segment k: k + the cuts before it
            for j, h in zip((single + cuts.searchsorted(lo[single])).tolist(), heads[single].tolist(), strict=True):
                parts[j] = pack(ids[h : h + 1])
        first = heads.searchsorted(doc_at[:-1])  # each document's first segment, then its first piece
        bounds = list(pairwise([*(first + cuts.searchsorted(lo[first])).tolist(), len(parts)]))
        try:
            return [np.frombuffer(b"".join(parts[a:b]), dtype=np.int64) for a, b in bounds]
        except TypeError:  # a piece not seen before, or one without a vocabulary path
            parts = [self.pieces.segment(piece) if part is MISSING else part for piece, part in zip(pieces, parts, strict=True)]
            if None in parts:
                self._keep_windows(parts, ids, heads, lo, cuts)
            return [np.frombuffer(b"".join(parts[a:b]), dtype=np.int64) for a, b in bounds]

    @staticmethod
    def _keep_windows(parts: list, ids, heads, lo, cuts) -> None:
        """No vocabulary path for some piece (impossible with byte fallback): its whole window keeps its ids."""
        first = cuts.searchsorted(lo) + np.arange(lo.size)
        ends = [*heads[1:].tolist(), len(ids)]
        for j in [j for j, part in enumerate(parts) if part is None]:
            k = int(np.searchsorted(first, j, side="right")) - 1
            end = int(first[k + 1]) if k + 1 < lo.size else len(parts)
            parts[first[k] : end] = [pack(ids[heads[k] : ends[k]])] + [b""] * (end - first[k] - 1)

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


MAX_BATCH_BYTES = 1 << 30  # the int64 encodings of morph_boundaries; a larger batch is processed in halves
_EMPTY = np.zeros(0, dtype=np.int64)
_ZERO = np.zeros(1, dtype=np.int64)
