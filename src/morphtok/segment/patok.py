"""Patok: morphology-aware contract-expand tokenization (the study's third arm).

Everything happens on token ids and byte offsets; text is never decoded and
re-encoded, so multi-byte characters survive and ``decode(patok(ids)) ==
decode(ids)`` byte for byte.

Algorithm, for one document with canonical ids ``t_0 .. t_{L-1}``:

1. **Morpheme boundaries.** Every Filipino word in the document's bytes
   (letters, ñ and accented vowels, hyphens) is analysed with
   :func:`morphtok.lang.fil.analyze`; the best analysis's internal boundaries
   (prefix|root, infix edges, root|suffix, reduplicant edges) become byte
   offsets. Each boundary is *kept* independently with probability
   ``affix_awareness``.
2. **Contract.** Walk the token positions left to right. At position ``i``,
   with probability ``contract_prop`` open a window of ``n`` tokens, ``n``
   drawn from ``num_toks_to_cont`` with weights ``contract_prob`` (cut short
   before any special token or the document end), then jump past it;
   otherwise emit ``t_i`` unchanged and step once. A window's byte span is cut
   at its kept morpheme boundaries, and each piece between cuts is
   re-segmented into the *fewest* vocabulary tokens whose bytes spell it
   (a shortest-path DP over a bytes -> id table, split points restricted to
   character boundaries, ties broken towards a longer first token; cached per
   piece). So sub-affix fragments contract into whole-affix tokens where the
   vocabulary has them ("N" + "agl" -> "Nag" + "l..."; "▁nag", "um", "an"),
   and tokens straddling a kept boundary are split there.
3. **Expand.** A StochasTok pass (:func:`morphtok.segment.stochastok.expand`)
   at ``expand_prop`` over the result, where tokens that spell exactly one
   affix morpheme (optionally with the word's leading space) are protected:
   only non-affix tokens are split.

Parameters and their observable effects: ``contract_prop = 0`` leaves the
canonical ids, followed by the final expansion; ``affix_awareness`` moves the
share of morpheme boundaries that end up as token boundaries (MorphScore);
the realised window sizes follow ``contract_prob`` (see ``last_stats``).
Cost is O(L): one regex pass, cached per word type and per piece.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate

import numpy as np

from morphtok.errors import ParameterError
from morphtok.segment.processor import PROCESSORS, Processor, check_probability
from morphtok.segment.stochastok import ExpansionTable, expand_list
from morphtok.segment.tokenizer import Tokenizer

# A Filipino word in UTF-8 bytes: ASCII letters, Latin-1 letters (ñ, á, ...), hyphens.
# One byte class (fast): a run that is not a valid word (stray continuation bytes,
# edge hyphens) simply fails analysis and contributes no boundary.
_WORD_SPLIT = re.compile(rb"([A-Za-z\xc3\x80-\xbf-]+)")


@lru_cache(maxsize=1 << 17)
def word_boundaries(word: bytes) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """(internal morpheme boundaries, affix spans) of one word, as byte offsets."""
    from morphtok.lang.fil import analyze

    text = word.decode("utf-8")
    best = analyze(text)[0]
    if not best.is_affixed:
        return (), ()
    to_byte = _char_to_byte(text)
    bounds = tuple(to_byte[b] for b in best.boundaries)
    affixes = tuple((to_byte[m.start], to_byte[m.end]) for m in best.morphemes if m.type != "root")
    return bounds, affixes


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
            # Longest candidate first: equal-cost ties keep the longer first token.
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
        self.table = ExpansionTable.for_tokenizer(tokenizer)
        key = tokenizer.content_hash
        if key not in _PIECES:
            _PIECES[key] = _PieceTable(tokenizer)
        self.pieces = _PIECES[key]
        self.token_bytes = tokenizer.token_bytes
        self.special = tokenizer.special_mask
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
        ids = self.tokenizer.encode(text_or_ids) if isinstance(text_or_ids, str) else [int(i) for i in text_or_ids]
        token_bytes = self.token_bytes
        vocab = len(token_bytes)
        if not ids or (min(ids) >= 0 and max(ids) < vocab):
            pieces = [token_bytes[t] for t in ids]
        else:
            pieces = [token_bytes[t] if 0 <= t < vocab else b"" for t in ids]
        starts = [0, *accumulate(map(len, pieces))]
        doc = b"".join(pieces)
        boundaries, keep, affix_spans = self._morpheme_boundaries(doc, rng)
        kept = [b for b, k in zip(boundaries, keep, strict=True) if k]
        contracted, sizes = self._contract(ids, starts, doc, kept, rng)
        protected = _AffixTokens(contracted, token_bytes, affix_spans, doc) if affix_spans else None
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
            "morph_boundaries_kept": {"kept": sum(1 for b in boundaries if b in edges), "total": len(boundaries)},
            "window_sizes": sizes,
        }

    def _morpheme_boundaries(self, doc: bytes, rng) -> tuple[list[int], list[bool], list[tuple[int, int]]]:
        # re.split with a capturing group alternates [gap, word, gap, word, ...]: all C-level.
        parts = _WORD_SPLIT.split(doc)
        words = parts[1::2]
        unseen = set(words).difference(_WORD_CACHE)
        for word in unseen:
            try:
                _WORD_CACHE[word] = word_boundaries(word)
            except UnicodeDecodeError:
                _WORD_CACHE[word] = ((), ())
            if _WORD_CACHE[word][0]:
                _AFFIXED.add(word)
        found: list[int] = []
        affixes: list[tuple[int, int]] = []
        hits = [k for k, word in enumerate(words) if word in _AFFIXED]
        if hits:
            offsets = [0, *accumulate(map(len, parts))]
            for k in hits:
                start = offsets[2 * k + 1]
                bounds, spans = _WORD_CACHE[words[k]]
                found.extend([start + x for x in bounds])
                affixes.extend([(start + x, start + y) for x, y in spans])
        if len(_WORD_CACHE) > 1 << 20:  # bounded memory on huge corpora
            _WORD_CACHE.clear()
            _AFFIXED.clear()
        keep = (rng.random(len(found)) < self.affix_awareness).tolist() if found else []
        return found, keep, affixes

    def _contract(self, ids, starts, doc: bytes, kept: list[int], rng) -> tuple[list[int], list[int]]:
        n_ids = len(ids)
        if n_ids == 0 or self.contract_prop == 0.0:
            return list(ids), []
        opens = (rng.random(n_ids) < self.contract_prop).tolist()
        window_sizes = np.asarray(self.num_toks_to_cont)[
            np.minimum(np.searchsorted(self._cumulative, rng.random(n_ids), side="right"), len(self.num_toks_to_cont) - 1)
        ].tolist()
        special = self.special
        vocab = len(special)
        cache = self.pieces.cache
        segment = self.pieces.segment
        n_kept = len(kept)
        out: list[int] = []
        sizes: list[int] = []
        i = 0
        while i < n_ids:
            token = ids[i]
            if not opens[i] or not (0 <= token < vocab) or special[token]:
                out.append(token)
                i += 1
                continue
            size = window_sizes[i]
            end, stop = i, min(n_ids, i + size)
            while end < stop and 0 <= ids[end] < vocab and not special[ids[end]]:
                end += 1
            sizes.append(size)
            lo, hi = starts[i], starts[end]
            first = bisect_right(kept, lo) if n_kept else 0
            if first >= n_kept or kept[first] >= hi:  # no kept boundary inside: contract only
                piece = doc[lo:hi]
                found = cache.get(piece)
                if found is None:
                    found = segment(piece)
                if found is not None:
                    out.extend(found)
                else:
                    out.extend(ids[i:end])
                i = end
                continue
            cuts = [lo]
            while first < n_kept and kept[first] < hi:
                cuts.append(kept[first])
                first += 1
            cuts.append(hi)
            pieces: list[int] = []
            for a, b in zip(cuts, cuts[1:], strict=False):
                found = segment(doc[a:b]) if b > a else ()
                if found is None:  # no vocabulary path (impossible with byte fallback): keep the original
                    pieces = ids[i:end]
                    break
                pieces.extend(found)
            out.extend(pieces)
            i = end
        return out, sizes


class _AffixTokens:
    """``protected[pos]`` for StochasTok: does token ``pos`` spell exactly one affix?

    Computed only at the positions StochasTok attempts (about expand_prop of them).
    """

    def __init__(self, ids: list[int], token_bytes: list[bytes], spans: list[tuple[int, int]], doc: bytes):
        self.ids, self.token_bytes = ids, token_bytes
        self.spans = set(spans)
        self.doc = doc
        self._starts: list[int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        mask = np.fromiter((self[pos] for pos in range(len(self.ids))), dtype=bool, count=len(self.ids))
        return mask if dtype is None else mask.astype(dtype)

    def __getitem__(self, pos: int) -> bool:
        if self._starts is None:
            vocab = len(self.token_bytes)
            self._starts = [0, *accumulate(len(self.token_bytes[t]) if 0 <= t < vocab else 0 for t in self.ids)]
        start, end = self._starts[pos], self._starts[pos + 1]
        if (start, end) in self.spans:
            return True
        # The same with the word's leading space ("▁nag").
        return self.doc[start : start + 1] == b" " and (start + 1, end) in self.spans


_WORD_CACHE: dict[bytes, tuple] = {}
_AFFIXED: set[bytes] = set()
_MISSING = object()
