"""Vocabulary trimming for the CPU ``tiny`` model (never used by full-size presets).

Gemma 3's 262,144-way output layer dominates a tiny model's compute on a CPU. The
``tiny`` preset therefore keeps only the Gemma ids that occur in the datasets the study
declares for *all* arms (passed to the trainer explicitly, never found by globbing
directories) and the validation text, plus every special and byte-fallback
(``<0xNN>``) id. One map serves the three arms, so they still differ only in
tokenization. Any other Gemma id maps to the byte-fallback pieces of its bytes, so
no text is unrepresentable; a log-probability of such an id is the sum over its pieces.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from morphtok.atomic import atomic_open
from morphtok.errors import CheckpointError
from morphtok.segment.tokenizer import Tokenizer

VOCAB_FILE = "morphtok_vocab.npy"


class VocabMap:
    """Gemma ids <-> model ids (``kept[model_id] == gemma_id``)."""

    def __init__(self, kept: np.ndarray, tokenizer: Tokenizer):
        self.kept = np.asarray(kept, dtype=np.int64)
        self.tokenizer = tokenizer
        self.lookup = np.full(tokenizer.vocab_size, -1, dtype=np.int64)
        self.lookup[self.kept] = np.arange(len(self.kept))
        byte_ids = {}
        for gemma_id in np.flatnonzero(tokenizer.is_byte_fallback):
            byte_ids[tokenizer.token_bytes[gemma_id][0]] = int(self.lookup[gemma_id])
        self.byte_ids = byte_ids

    def __len__(self) -> int:
        return len(self.kept)

    @classmethod
    def build(cls, tokenizer: Tokenizer, id_arrays) -> VocabMap:
        seen = np.zeros(tokenizer.vocab_size, dtype=bool)
        for ids in id_arrays:
            seen[np.asarray(ids, dtype=np.int64)] = True
        seen[list(tokenizer.special_ids)] = True
        seen |= tokenizer.is_byte_fallback
        return cls(np.flatnonzero(seen), tokenizer)

    @classmethod
    def from_datasets(cls, tokenizer: Tokenizer, prefixes, extra_arrays=(), block: int = 1 << 24) -> VocabMap:
        """:meth:`build` over every token of the indexed datasets ``prefixes`` (read block by block
        from their memory maps) and ``extra_arrays``."""
        from morphtok.train.sampler import token_memmap

        def arrays():
            for prefix in prefixes:
                tokens = token_memmap(prefix)
                for start in range(0, len(tokens), block):
                    yield np.asarray(tokens[start : start + block])
            yield from extra_arrays

        return cls.build(tokenizer, arrays())

    def to_model(self, ids) -> tuple[list[int], list[int]]:
        """(model ids, owner) where ``owner[k]`` is the index of the Gemma id that model id k spells."""
        out, owner = [], []
        lookup = self.lookup
        for index, gemma_id in enumerate(ids):
            mapped = int(lookup[int(gemma_id)])
            if mapped >= 0:
                out.append(mapped)
                owner.append(index)
            else:
                for byte in self.tokenizer.token_bytes[int(gemma_id)]:
                    out.append(self.byte_ids[byte])
                    owner.append(index)
        return out, owner

    def to_gemma(self, model_ids) -> list[int]:
        return [int(self.kept[int(i)]) for i in model_ids]

    def save(self, directory: str | Path) -> Path:
        path = Path(directory) / VOCAB_FILE
        with atomic_open(path, "wb") as handle:
            np.save(handle, self.kept)
        return path

    @classmethod
    def load(cls, directory: str | Path, tokenizer: Tokenizer) -> VocabMap | None:
        path = Path(directory) / VOCAB_FILE
        if not path.is_file():
            return None
        try:
            return cls(np.load(path), tokenizer)
        except (OSError, ValueError) as err:
            raise CheckpointError(f"unreadable vocabulary map: {err}", where=str(path)) from None
