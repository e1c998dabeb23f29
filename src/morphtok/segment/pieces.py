"""Re-segmenting one piece of a Patok window (the bytes between two kept cuts).

Rule (exact): a piece is re-segmented into **the tokenizer's own encoding of the
piece** (its BPE of the piece's text, no specials added), so inside a piece Patok
invents no boundary the tokenizer would not make itself: tokens that straddle a kept
morpheme boundary are split there, sub-affix fragments join into whole-affix tokens
where the vocabulary has them ("N" + "agl" -> "Nag" + "l..."), and the rest of the
piece keeps the tokenizer's segmentation. (The former rule, the fewest tokens with
the longest last token, split single onsets off words: "▁h" + "apun", 97 per 1,000
words against the baseline's 47.)

Fallback, used only when the encoding cannot stand for the piece -- the piece is not
valid UTF-8 (a cut inside a byte-level token's character), or the encoding does not
spell the piece's bytes, or it holds an added token (those are fixed, never produced):
the fewest vocabulary tokens whose bytes spell the piece (a shortest-path DP over a
bytes -> id table, cuts at character boundaries when the bytes are valid UTF-8), ties
broken toward the earliest cut points.

:func:`reference_segment` is the slow, obviously-correct statement of the rule;
:class:`PieceTable` caches it per piece (bytes -> int64-packed ids, joined in C).
"""

from __future__ import annotations

import numpy as np

from morphtok.segment.tokenizer import Tokenizer


def reference_segment(tokenizer: Tokenizer, piece: bytes) -> list[int] | None:
    """The rule of the module doc, uncached (``None``: no vocabulary path at all)."""
    encoded = _own_encoding(tokenizer, piece)
    if encoded is not None:
        return encoded
    return fewest_tokens(piece, _lookup(tokenizer), max(map(len, _lookup(tokenizer))))


def _own_encoding(tokenizer: Tokenizer, piece: bytes) -> list[int] | None:
    try:
        text = piece.decode("utf-8")
    except UnicodeDecodeError:
        return None
    ids = tokenizer.hf.encode(text, add_special_tokens=False).ids
    added = tokenizer.added_ids
    table = tokenizer.token_bytes
    if any(i in added for i in ids) or b"".join(table[i] for i in ids) != piece:
        return None
    return ids


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


def fewest_tokens(piece: bytes, lookup: dict[bytes, int], longest: int) -> list[int] | None:
    """Fewest tokens spelling ``piece``; among those, the earliest cut points (the fallback)."""
    n = len(piece)
    max_len = min(n, longest)
    try:
        allowed = _char_offsets(piece.decode("utf-8"))
    except UnicodeDecodeError:
        allowed = list(range(n + 1))
    allowed_set, inf = set(allowed), n + 1
    cost, back = [0] + [inf] * n, [-1] * (n + 1)
    for i in allowed:
        if cost[i] >= inf or i == n:
            continue
        step = cost[i] + 1
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


def _char_offsets(text: str) -> list[int]:
    offsets, total = [0], 0
    for ch in text:
        total += len(ch.encode("utf-8"))
        offsets.append(total)
    return offsets


class PieceTable:
    """Per vocabulary: per-token byte tables and the cached segmentation of a piece."""

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer
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

    def segment(self, piece: bytes) -> bytes | None:
        """:func:`reference_segment` of ``piece``, packed as int64 (cached; the cache is bounded)."""
        found = self.cache.get(piece, MISSING)
        if found is MISSING:
            if len(self.cache) > 1 << 19:
                self.cache.clear()
            ids = _own_encoding(self.tokenizer, piece)
            if ids is None:
                ids = fewest_tokens(piece, self.lookup, self.max_len)
            found = self.cache[piece] = None if ids is None else pack(ids)
        return found


def pack(ids) -> bytes:
    return np.array(ids, dtype=np.int64).tobytes()


MISSING = object()
