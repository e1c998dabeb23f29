"""StochasTok (Sims et al., 2025): randomly split tokens into two vocabulary tokens.

Expansion table
    For every token ``t`` that is not an added/special token, all pairs
    ``(a, b)`` of ordinary vocabulary tokens with ``bytes(a) + bytes(b) ==
    bytes(t)``. Built in O(total bytes of the vocabulary) with a bytes -> id
    hash map (not an O(V^2) scan), stored as CSR numpy arrays and cached on
    disk keyed by the tokenizer's content hash. A split point must fall on a
    UTF-8 character boundary of the token's bytes, unless those bytes are not
    whole characters to begin with (byte-level pieces), so expansion never
    produces byte-fallback pieces that break a character.

Expansion rule (exact)
    Every position ``i`` of the input is *attempted* independently with
    probability ``expand_prop`` (a per-token Bernoulli, so short documents
    are not lost to flooring). An attempt on an expandable token (has >= 1
    split, not special, not protected) replaces it by one of its splits chosen
    uniformly; an attempt on anything else does nothing. Each of the two
    pieces is then attempted again with probability ``expand_prop``; this is
    how recursive expansion arises.
    So the expected number of splits of a token ``t`` is
    ``E(t) = p * x(t) * (1 + mean_{(a,b)} (E(a) + E(b)))`` with
    ``x(t)`` the expandability indicator; :meth:`ExpansionTable.expected_splits`
    computes it. Pieces shrink, so the whole expansion is O(L) with a small
    constant: one vectorised draw, then O(1) Python work per attempt only.

Invariant: ``decode(expand(ids)) == decode(ids)`` byte for byte.
"""

from __future__ import annotations

import logging
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from morphtok.atomic import atomic_open
from morphtok.config_checks import fraction
from morphtok.gguf import cache_root
from morphtok.segment.expansion import expand_batch, expand_list
from morphtok.segment.processor import ArmThroughput, Processor
from morphtok.segment.tokenizer import Tokenizer

log = logging.getLogger(__name__)

TABLE_VERSION = 1
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxyzñ")


class ExpansionTable:
    """CSR table of two-token splits: splits of ``t`` are ``pairs[offsets[t]:offsets[t+1]]``."""

    def __init__(self, offsets: np.ndarray, pairs: np.ndarray, protected: np.ndarray, byte_lengths: np.ndarray):
        self.offsets = offsets.astype(np.int64, copy=False)
        self.pairs = pairs.astype(np.int32, copy=False).reshape(-1, 2)
        self.counts = np.diff(self.offsets).astype(np.int32)
        # Tokens no split may touch (specials and other added tokens): their count is 0.
        self.protected = protected.astype(bool, copy=False)
        self.counts[self.protected] = 0
        # Flat typed arrays for the Python loop: indexing them is several times faster than
        # numpy scalars, and unlike lists of ints they hold values inline.
        self.counts_list = array("i", self.counts.tobytes())
        self.offsets_list = array("q", self.offsets.tobytes())
        self.left_list = array("i", np.ascontiguousarray(self.pairs[:, 0]).tobytes())
        self.right_list = array("i", np.ascontiguousarray(self.pairs[:, 1]).tobytes())
        self.byte_lengths = byte_lengths.astype(np.int32, copy=False)
        self._expected: dict[float, np.ndarray] = {}

    @property
    def vocab_size(self) -> int:
        return len(self.counts)

    def splits(self, token_id: int) -> np.ndarray:
        return self.pairs[self.offsets[token_id] : self.offsets[token_id + 1]]

    # ------------------------------------------------------------------ building
    @classmethod
    def build(cls, tokenizer: Tokenizer) -> ExpansionTable:
        """Build the table from ``tokenizer.token_bytes`` (no cache)."""
        start = time.perf_counter()
        token_bytes = tokenizer.token_bytes
        added = set(int(i) for i in tokenizer.hf.get_added_tokens_decoder())
        protected = np.zeros(len(token_bytes), dtype=bool)
        protected[list(added)] = True
        byte_fallback = tokenizer.is_byte_fallback
        lookup: dict[bytes, int] = {}
        for token_id, raw in enumerate(token_bytes):
            if protected[token_id] or not raw:
                continue
            # Prefer a real token over a <0xNN> byte piece for the same byte.
            if raw not in lookup or byte_fallback[lookup[raw]]:
                lookup[raw] = token_id
        counts = np.zeros(len(token_bytes), dtype=np.int64)
        flat: list[int] = []
        get = lookup.get
        for token_id, raw in enumerate(token_bytes):
            if protected[token_id] or len(raw) < 2 or byte_fallback[token_id]:
                continue
            whole_chars = _is_utf8(raw)
            found = 0
            for k in range(1, len(raw)):
                if whole_chars and (raw[k] & 0xC0) == 0x80:
                    continue  # would cut inside a character
                left = get(raw[:k])
                if left is None:
                    continue
                right = get(raw[k:])
                if right is None:
                    continue
                flat.append(left)
                flat.append(right)
                found += 1
            counts[token_id] = found
        offsets = np.zeros(len(token_bytes) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        byte_lengths = np.fromiter((len(raw) for raw in token_bytes), dtype=np.int32, count=len(token_bytes))
        table = cls(offsets, np.asarray(flat, dtype=np.int32), protected, byte_lengths)
        log.info(
            "built StochasTok expansion table: %d tokens with splits, %d splits, %.1f s",
            int((counts > 0).sum()), len(flat) // 2, time.perf_counter() - start,
        )
        return table

    @classmethod
    def for_tokenizer(cls, tokenizer: Tokenizer, cache: bool = True) -> ExpansionTable:
        """The table for ``tokenizer``, from the on-disk cache when possible."""
        return _cached_table(tokenizer) if cache else cls.build(tokenizer)

    def save(self, path: str | Path) -> Path:
        with atomic_open(path, "wb") as handle:
            np.savez(
                handle,
                version=TABLE_VERSION,
                offsets=self.offsets,
                pairs=self.pairs,
                protected=self.protected,
                byte_lengths=self.byte_lengths,
            )
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> ExpansionTable | None:
        try:
            with np.load(path) as data:
                if int(data["version"]) != TABLE_VERSION:
                    return None
                return cls(data["offsets"], data["pairs"], data["protected"], data["byte_lengths"])
        except (OSError, KeyError, ValueError):
            return None

    def without_onset_splits(self, token_bytes: list[bytes]) -> ExpansionTable:
        """A copy without the splits whose left piece is a space and one consonant ("▁h" + "apun").

        Patok's final expansion uses it, so the regularising splits never cut a single onset
        consonant off a word: the boundary the fewest-token rule used to invent.
        """
        onset_token = np.fromiter(
            (len(r) == 2 and r[0] == 0x20 and chr(r[1]).lower() in _CONSONANTS for r in token_bytes),
            dtype=bool, count=len(token_bytes))
        keep = ~onset_token[self.pairs[:, 0]]
        owner = np.repeat(np.arange(self.vocab_size), np.diff(self.offsets))
        counts = np.bincount(owner[keep], minlength=self.vocab_size)
        offsets = np.zeros(self.vocab_size + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return ExpansionTable(offsets, self.pairs[keep], self.protected, self.byte_lengths)

    # ------------------------------------------------------------------ expectation
    def expected_splits(self, expand_prop: float) -> np.ndarray:
        """Per-token expected number of splits under :func:`expand` (see module doc)."""
        if expand_prop in self._expected:
            return self._expected[expand_prop]
        expected = np.zeros(self.vocab_size, dtype=np.float64)
        # Pieces are strictly shorter than their token: shorter tokens are final first.
        for token_id in np.argsort(self.byte_lengths, kind="stable"):
            if self.counts[token_id] == 0 or self.protected[token_id]:
                continue
            pieces = self.splits(token_id)
            expected[token_id] = expand_prop * (1.0 + (expected[pieces[:, 0]] + expected[pieces[:, 1]]).mean())
        self._expected[expand_prop] = expected
        return expected


_TABLES: dict[str, ExpansionTable] = {}


def onset_safe_table(tokenizer: Tokenizer) -> ExpansionTable:
    """:meth:`ExpansionTable.without_onset_splits` of the tokenizer's table (cached per vocabulary)."""
    key = tokenizer.content_hash + "/onset-safe"
    if key not in _TABLES:
        _TABLES[key] = _cached_table(tokenizer).without_onset_splits(tokenizer.token_bytes)
    return _TABLES[key]


def _cached_table(tokenizer: Tokenizer) -> ExpansionTable:
    key = tokenizer.content_hash
    if key in _TABLES:
        return _TABLES[key]
    path = cache_root() / "expansions" / f"{key[:32]}-v{TABLE_VERSION}.npz"
    table = ExpansionTable.load(path) if path.is_file() else None
    if table is None or table.vocab_size != tokenizer.vocab_size:
        table = ExpansionTable.build(tokenizer)
        table.save(path)
    _TABLES[key] = table
    return table


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class StochastokProcessor(Processor):
    """Canonical encoding followed by :func:`expand` at ``expand_prop``."""

    name = "stochastok"
    label = "StochasTok"
    throughput = ArmThroughput(692_000, 0.1, "measured 2026-12-02: benchmarks/preprocess_speed.py, 1 worker, 20 MB")

    @dataclass(frozen=True)
    class Params:
        expand_prop: float = field(default=0.1, metadata={"help": "StochasTok/Patok final expansion rate.",
                                                          **fraction()})

    def __init__(self, tokenizer: Tokenizer, **params: float):
        super().__init__(tokenizer, **params)
        self.expand_prop = self.settings.expand_prop
        self.table = ExpansionTable.for_tokenizer(tokenizer)

    def process(self, text_or_ids: str | Sequence[int] | np.ndarray, rng: np.random.Generator) -> list[int]:
        ids = self.tokenizer.encode(text_or_ids) if isinstance(text_or_ids, str) else text_or_ids
        return expand_list(ids, self.table, self.expand_prop, rng)

    def process_batch(self, items: Sequence[str | Sequence[int] | np.ndarray],
                      rngs: Sequence[np.random.Generator]) -> list[list[int]]:
        ids = [self.tokenizer.encode(x) if isinstance(x, str) else x for x in items]
        return expand_batch(ids, self.table, self.expand_prop, rngs)
