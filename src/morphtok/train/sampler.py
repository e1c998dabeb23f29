"""Training windows read straight from the indexed datasets' memory maps.

The token stream is every document of the arm's datasets (``[BOS] ids [EOS]``, in
dataset then document order) back to back: each dataset's ``.bin`` *is* its
documents back to back, so the stream is the ``.bin`` files memory-mapped one after
another and nothing is loaded into RAM (the operating system pages in the windows
that are read; the SEA-PILE stream is ~19 GB, which every rank used to copy).

Micro-batch ``k`` of step ``s`` is ``micro_batch`` windows of ``seq_length + 1``
tokens at offsets drawn from ``numpy.random.default_rng([seed, s, k])`` over
``[0, len(stream) - seq_length - 1)``; a window running past the end is padded with
``-100`` (ignored by the loss). The batch of a step therefore depends only on (seed,
step, k), never on the number of processes: under torchrun rank ``r`` takes the
``r``-th block of the ``k`` (:func:`morphtok.train.distributed.micro_indices`).

For the vocab-trimmed ``tiny`` model each window is mapped to model ids through the
vocab map's lookup table; the map is built from these datasets, so every id has a
model id (an id without one is a clear error, not a silent expansion).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from morphtok.data.indexed import IndexedReader, bin_path
from morphtok.errors import CheckpointError, DatasetError

if TYPE_CHECKING:
    import torch


def token_memmap(prefix: str) -> np.ndarray:
    """The ``.bin`` of ``prefix`` as one memory-mapped token array, checked to be its documents in order."""
    reader = IndexedReader(prefix)  # validates header and size
    lengths = reader.sequence_lengths.astype(np.int64)
    itemsize = np.dtype(reader.dtype).itemsize
    expected = np.concatenate([[0], np.cumsum(lengths[:-1])]) * itemsize if len(lengths) else lengths
    if not np.array_equal(reader.sequence_pointers, expected):
        raise DatasetError("the documents of this dataset are not stored back to back in order",
                           where=str(bin_path(prefix)), hint="rebuild it with `morphtok preprocess`")
    if reader.num_tokens == 0:
        return np.zeros(0, dtype=reader.dtype)
    return np.memmap(bin_path(prefix), dtype=reader.dtype, mode="r", shape=(reader.num_tokens,))


class TokenSampler:
    """Seeded windows over the memory-mapped token stream of ``prefixes``."""

    def __init__(self, prefixes: list[str], *, seed: int, seq_length: int, micro_batch: int, vocab_size: int,
                 lookup: np.ndarray | None = None):
        self.prefixes = [str(p) for p in prefixes]
        self.parts = [token_memmap(p) for p in self.prefixes]
        self.starts = np.cumsum([0, *(len(p) for p in self.parts)])  # stream offset of each dataset
        self.seed, self.seq_length, self.micro_batch = seed, seq_length, micro_batch
        self.vocab_size, self.lookup = vocab_size, lookup
        self.position = 0  # the step whose batches come next
        if self.num_tokens == 0:
            raise DatasetError("no training documents", where=", ".join(self.prefixes))

    @property
    def num_tokens(self) -> int:
        return int(self.starts[-1])

    def window(self, start: int, length: int) -> np.ndarray:
        """Stream tokens ``[start, start + length)`` (fewer at the end), across dataset boundaries."""
        end = min(start + length, self.num_tokens)
        pieces = []
        part = int(np.searchsorted(self.starts, start, side="right")) - 1
        while start < end:
            offset = start - int(self.starts[part])
            take = min(end - start, len(self.parts[part]) - offset)
            pieces.append(self.parts[part][offset : offset + take])
            start += take
            part += 1
        return np.concatenate(pieces).astype(np.int64) if pieces else np.zeros(0, dtype=np.int64)

    def _to_model(self, row: np.ndarray, start: int) -> np.ndarray:
        if self.lookup is not None:
            row = self.lookup[row]
            if (row < 0).any():
                raise DatasetError(f"a token near stream offset {start} has no id in the model's vocabulary map",
                                   where=", ".join(self.prefixes), hint="the vocab map must be built from these datasets")
        top = int(row.max()) if len(row) else -1
        if top >= self.vocab_size:
            raise DatasetError(f"token id {top} (stream offset ~{start}) is past the model's vocabulary size "
                               f"{self.vocab_size}", where=", ".join(self.prefixes),
                               hint="train a model whose vocabulary covers the tokenizer that made this dataset")
        return row

    def batch(self, step: int, micro: int) -> torch.Tensor:
        """Micro-batch ``micro`` of ``step``: a (micro_batch, seq_length + 1) LongTensor, ``-100`` padded."""
        import torch

        length = self.seq_length + 1
        rng = np.random.default_rng([self.seed, step, micro])
        starts = rng.integers(0, max(1, self.num_tokens - length), size=self.micro_batch)
        rows = [self._to_model(self.window(int(s), length), int(s)) for s in starts]
        rows = [np.pad(r, (0, length - len(r)), constant_values=-100) for r in rows]
        return torch.from_numpy(np.stack(rows))

    def micro_batches(self, micro_ids: Iterable[int]) -> Iterator[torch.Tensor]:
        """The micro-batches ``micro_ids`` of the current position (see :meth:`advance`)."""
        return (self.batch(self.position, k) for k in micro_ids)

    def advance(self) -> None:
        self.position += 1

    def state_dict(self) -> dict:
        return {"position": self.position, "num_tokens": self.num_tokens, "seed": self.seed,
                "seq_length": self.seq_length, "micro_batch": self.micro_batch}

    def load_state_dict(self, state: dict) -> None:
        mine = self.state_dict()
        changed = [k for k in ("num_tokens", "seed", "seq_length", "micro_batch") if state.get(k) != mine[k]]
        if changed:
            raise CheckpointError(f"the checkpoint's data stream differs from this run's in {', '.join(changed)} "
                                  f"({', '.join(f'{k}: {state.get(k)} vs {mine[k]}' for k in changed)})",
                                  hint="resume with the data and settings the run started with, or --force")
        self.position = int(state["position"])
