"""A 4th arm: the canonical ids with ``splits`` random tokens each split into two vocabulary tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from morphtok.config_checks import at_least
from morphtok.segment.processor import ArmThroughput, Processor


class OneSplitProcessor(Processor):
    name = "onesplit"
    label = "One split"
    throughput = ArmThroughput(800_000, 0.0, "assumed: a plugin arm")

    @dataclass(frozen=True)
    class Params:
        splits: int = field(default=1, metadata={"help": "OneSplit: tokens split per document.", **at_least(0)})

    def process(self, text_or_ids: str | Sequence[int] | np.ndarray, rng: np.random.Generator) -> list[int]:
        ids = self.canonical_ids(text_or_ids).tolist()
        pieces, fixed = self.tokenizer.token_bytes, self.tokenizer.added_ids  # added tokens stay whole
        by_bytes = self._by_bytes(pieces, fixed)
        for _ in range(self.settings.splits):
            candidates = [(k, split) for k, token in enumerate(ids) if token not in fixed
                          for split in _splits(pieces[token], by_bytes)]
            if not candidates:
                break
            k, (left, right) = candidates[int(rng.integers(len(candidates)))]
            ids[k:k + 1] = [left, right]
        return ids

    def _by_bytes(self, pieces: list[bytes], fixed: frozenset[int]) -> dict[bytes, int]:
        if not hasattr(self, "_pieces"):
            self._pieces = {piece: i for i, piece in enumerate(pieces) if piece and i not in fixed}
        return self._pieces


def _splits(piece: bytes, by_bytes: dict[bytes, int]) -> list[tuple[int, int]]:
    """The first way ``piece`` splits into two vocabulary pieces (at most one per token)."""
    for cut in range(1, len(piece)):
        left, right = by_bytes.get(piece[:cut]), by_bytes.get(piece[cut:])
        if left is not None and right is not None:
            return [(left, right)]
    return []
