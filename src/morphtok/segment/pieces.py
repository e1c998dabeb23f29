"""Re-segmenting one piece of a Patok window (the bytes between two kept cuts).

Rule (exact): among the segmentations of the piece into vocabulary tokens (split
points on UTF-8 character boundaries, unless the piece's bytes are not valid UTF-8),
take the one with the **fewest tokens**; among those, the one with the fewest
**invented** boundaries -- internal cut points that are not token boundaries of the
canonical (baseline) encoding; among those, the earliest cut points. So tokens that
straddle a kept morpheme boundary are split there, sub-affix fragments join into
whole-affix tokens where the vocabulary has them ("N" + "agl" -> "Nag" + "l..."),
a piece never has more boundaries than the baseline has inside it, and where the
vocabulary allows it they are the baseline's own ("▁hap" + "un", not "▁h" + "apun":
the former tie-break, the longest last token, split single onsets off words at
97 per 1,000 words against the baseline's 47).

:func:`reference_segment` is the slow, obviously-correct statement of the rule;
:class:`PieceTable` caches it per (piece, baseline edges) key: the piece's bytes
interleaved with one flag byte each (1 where a baseline token starts), cut out of
the document in C and looked up in a dict.
"""

from __future__ import annotations

import numpy as np

from morphtok.segment.tokenizer import Tokenizer


def reference_segment(tokenizer: Tokenizer, piece: bytes, baseline_edges: set[int]) -> list[int] | None:
    """The rule of the module doc, uncached (``None``: no vocabulary path at all)."""
    lookup = _lookup(tokenizer)
    return fewest_tokens(piece, lookup, max(map(len, lookup)), baseline_edges)


_LOOKUPS: dict[str, dict[bytes, int]] = {}


def _lookup(tokenizer: Tokenizer) -> dict[bytes, int]:
    """bytes -> id of ordinary tokens (a real token preferred over a <0xNN> byte piece)."""
    key = tokenizer.content_hash
    if key not in _LOOKUPS:
        added, fallback = tokenizer.added_ids, tokenizer.is_byte_fallback
        lookup: dict[bytes, int] = {}
        for token_id, raw in enumerate(tokenizer.token_bytes):
            if raw and token_id not in added and (raw not in lookup or fallback[lookup[raw]]):
                lookup[raw] = token_id
        _LOOKUPS[key] = lookup
    return _LOOKUPS[key]


def fewest_tokens(piece: bytes, lookup: dict[bytes, int], longest: int, baseline_edges=frozenset()) -> list[int] | None:
    """The module doc's rule: fewest tokens, then fewest invented cuts, then the earliest cuts."""
    n = len(piece)
    max_len = min(n, longest)
    try:
        allowed = char_byte_offsets(piece.decode("utf-8"))
    except UnicodeDecodeError:
        allowed = list(range(n + 1))
    allowed_set, inf = set(allowed), (n + 1, n + 1)
    cost, back = [(0, 0)] + [inf] * n, [-1] * (n + 1)
    for i in allowed:
        if cost[i] >= inf or i == n:
            continue
        tokens, invented = cost[i]
        step = (tokens + 1, invented + (0 < i and i not in baseline_edges))
        # Settled left to right; only a strictly cheaper path replaces one (earliest cuts win ties).
        for j in range(min(n, i + max_len), i, -1):
            if j in allowed_set and step < cost[j] and piece[i:j] in lookup:
                cost[j] = step
                back[j] = i
    if cost[n] >= inf:
        return None
    out, j = [], n
    while j > 0:
        out.append(lookup[piece[back[j] : j]])
        j = back[j]
    return out[::-1]


def char_byte_offsets(text: str) -> list[int]:
    """The UTF-8 byte offset of every character boundary of ``text`` (0 .. its byte length)."""
    offsets, total = [0], 0
    for ch in text:
        total += len(ch.encode("utf-8"))
        offsets.append(total)
    return offsets


class PieceTable:
    """Per vocabulary: per-token byte tables and the cached segmentation of a piece."""

    def __init__(self, tokenizer: Tokenizer):
        token_bytes = tokenizer.token_bytes
        self.lookup = _lookup(tokenizer)
        self.max_len = max(map(len, self.lookup))
        # Per-token tables are gathered at random ids: the smaller, the fewer cache misses.
        lengths = np.fromiter(map(len, token_bytes), dtype=np.int64, count=len(token_bytes))
        self.byte_lengths = lengths.astype(np.min_scalar_type(int(lengths.max(initial=0))))
        self.flat = np.frombuffer(b"".join(token_bytes), dtype=np.uint8)  # token t: flat[at[t]:][:len]
        self.at = (np.cumsum(lengths) - lengths).astype(np.int32 if self.flat.size < 1 << 31 else np.int64)
        # Tokens their own bytes do not segment to (added tokens such as "\n", duplicates).
        self.odd = np.fromiter((self.lookup.get(raw) != t for t, raw in enumerate(token_bytes)), dtype=bool)
        self.cache: dict[bytes, bytes | None] = {}

    def segment(self, key: bytes) -> bytes | None:
        """:func:`reference_segment` of an interleaved (piece, flags) key, packed as int64 (cached)."""
        found = self.cache.get(key, MISSING)
        if found is MISSING:
            if len(self.cache) > 1 << 19:
                self.cache.clear()
            edges = {i for i, flag in enumerate(key[1::2]) if flag}
            ids = fewest_tokens(key[0::2], self.lookup, self.max_len, edges)
            found = self.cache[key] = None if ids is None else pack(ids)
        return found


def pack(ids) -> bytes:
    return np.array(ids, dtype=np.int64).tobytes()


MISSING = object()
