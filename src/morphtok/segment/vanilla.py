"""The baseline arm: the tokenizer's own encoding, unchanged."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from morphtok.segment.processor import ArmThroughput, Processor


class VanillaProcessor(Processor):
    """Identity on the canonical ids (the rng is accepted and unused)."""

    name = "baseline"
    label = "baseline"
    job_name = "vanilla"
    throughput = ArmThroughput(739_000, 0.0, "measured 2026-12-02: benchmarks/preprocess_speed.py, 1 worker, 20 MB")

    def process(self, text_or_ids: str | Sequence[int] | np.ndarray, rng: np.random.Generator) -> list[int]:
        if isinstance(text_or_ids, str):
            return self.tokenizer.encode(text_or_ids)
        return self.canonical_ids(text_or_ids).tolist()
