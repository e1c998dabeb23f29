"""The baseline arm: the tokenizer's own encoding, unchanged."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from morphtok.segment.processor import Processor


class VanillaProcessor(Processor):
    """Identity on the canonical ids (the rng is accepted and unused)."""

    name = "baseline"

    def process(self, text_or_ids: str | Sequence[int] | np.ndarray, rng: np.random.Generator) -> list[int]:
        if isinstance(text_or_ids, str):
            return self.tokenizer.encode(text_or_ids)
        return self.canonical_ids(text_or_ids).tolist()
