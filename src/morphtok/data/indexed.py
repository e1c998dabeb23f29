"""Megatron/NeMo indexed datasets: a builder/reader pair around a fixed format.

Byte-compatible with ``megatron.core.datasets.indexed_dataset`` (megatron-core 0.16):

``P.bin``  the token ids of every sequence, back to back, in one dtype.
``P.idx``  ``b"MMIDIDX\\x00\\x00"``, version ``<Q`` = 1, dtype code ``<B``,
           sequence count ``<Q``, document count ``<Q`` (= documents + 1),
           sequence lengths (int32), sequence byte pointers (int64),
           document indices (int64, starting at 0).

We write one sequence per document (as ``tools/preprocess_data.py`` does
without sentence splitting). Both files are written under temporary names and
renamed by :meth:`IndexedWriter.finalize`, ``.bin`` first and ``.idx`` last, so
a killed job never leaves a readable-looking partial dataset.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

from morphtok.errors import DatasetError

HEADER = b"MMIDIDX\x00\x00"
_CODES = {np.uint8: 1, np.int8: 2, np.int16: 3, np.int32: 4, np.int64: 5, np.float64: 6, np.float32: 7, np.uint16: 8}
_DTYPES = {code: dtype for dtype, code in _CODES.items()}


def optimal_dtype(vocab_size: int) -> type:
    """uint16 below 65,500 ids (as Megatron decides), else int32 (Gemma 3 needs int32)."""
    return np.uint16 if vocab_size < 65_500 else np.int32


class IndexedWriter:
    """``add_document(ids)`` ... ``finalize()`` -> ``prefix.bin`` + ``prefix.idx``."""

    def __init__(self, prefix: str | os.PathLike, dtype: type = np.int32):
        self.prefix = Path(prefix)
        self.prefix.parent.mkdir(parents=True, exist_ok=True)
        self.dtype = np.dtype(dtype).type
        if self.dtype not in _CODES:
            raise DatasetError(f"unsupported dtype {dtype}", where=str(self.prefix))
        self._bin_tmp = self.prefix.with_name(self.prefix.name + f".bin.tmp{os.getpid()}")
        self._bin = open(self._bin_tmp, "wb")
        self._lengths: list[int] = []
        self._limit = np.iinfo(self.dtype).max

    def add_document(self, ids) -> None:
        array = np.asarray(ids)
        if array.size and (array.min() < 0 or array.max() > self._limit):
            raise DatasetError(f"token id out of range for {np.dtype(self.dtype).name}", where=str(self.prefix))
        self._bin.write(array.astype(self.dtype, copy=False).tobytes(order="C"))
        self._lengths.append(int(array.size))

    def finalize(self) -> Path:
        self._bin.flush()
        os.fsync(self._bin.fileno())
        self._bin.close()
        lengths = np.asarray(self._lengths, dtype=np.int32)
        itemsize = np.dtype(self.dtype).itemsize
        pointers = np.zeros(len(lengths), dtype=np.int64)
        if len(lengths) > 1:
            np.cumsum(lengths[:-1].astype(np.int64) * itemsize, out=pointers[1:])
        documents = np.arange(len(lengths) + 1, dtype=np.int64)
        idx_tmp = self.prefix.with_name(self.prefix.name + f".idx.tmp{os.getpid()}")
        with open(idx_tmp, "wb") as handle:
            handle.write(HEADER)
            handle.write(struct.pack("<Q", 1))
            handle.write(struct.pack("<B", _CODES[self.dtype]))
            handle.write(struct.pack("<Q", len(lengths)))
            handle.write(struct.pack("<Q", len(documents)))
            handle.write(lengths.tobytes(order="C"))
            handle.write(pointers.tobytes(order="C"))
            handle.write(documents.tobytes(order="C"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(self._bin_tmp, bin_path(self.prefix))
        os.replace(idx_tmp, idx_path(self.prefix))
        return self.prefix

    def abort(self) -> None:
        """Drop the partial output (temp files)."""
        self._bin.close()
        self._bin_tmp.unlink(missing_ok=True)

    def __enter__(self) -> IndexedWriter:
        return self

    def __exit__(self, exc_type, *_) -> None:
        if exc_type is None:
            self.finalize()
        else:
            self.abort()


def bin_path(prefix: str | os.PathLike) -> Path:
    return Path(f"{prefix}.bin")


def idx_path(prefix: str | os.PathLike) -> Path:
    return Path(f"{prefix}.idx")


class IndexedReader:
    """Memory-mapped reader: ``len(reader)`` sequences, ``reader[i]`` -> numpy array."""

    def __init__(self, prefix: str | os.PathLike):
        self.prefix = Path(prefix)
        index, data = idx_path(prefix), bin_path(prefix)
        if not index.is_file() or not data.is_file():
            raise DatasetError("indexed dataset not found (need .bin and .idx)", where=str(prefix),
                               hint="run `morphtok preprocess` first")
        with open(index, "rb") as handle:
            if handle.read(9) != HEADER:
                raise DatasetError("not a Megatron .idx file (bad header)", where=str(index))
            (version,) = struct.unpack("<Q", handle.read(8))
            (code,) = struct.unpack("<B", handle.read(1))
            (sequences,) = struct.unpack("<Q", handle.read(8))
            (documents,) = struct.unpack("<Q", handle.read(8))
            offset = handle.tell()
        if version != 1 or code not in _DTYPES:
            raise DatasetError(f"unsupported .idx version {version} / dtype code {code}", where=str(index))
        self.dtype = _DTYPES[code]
        buffer = np.memmap(index, mode="r", order="C")
        self.sequence_lengths = np.frombuffer(buffer, dtype=np.int32, count=sequences, offset=offset)
        offset += self.sequence_lengths.nbytes
        self.sequence_pointers = np.frombuffer(buffer, dtype=np.int64, count=sequences, offset=offset)
        offset += self.sequence_pointers.nbytes
        self.document_indices = np.frombuffer(buffer, dtype=np.int64, count=documents, offset=offset)
        expected = int(self.sequence_lengths.astype(np.int64).sum()) * np.dtype(self.dtype).itemsize
        if data.stat().st_size != expected:
            raise DatasetError(f".bin holds {data.stat().st_size} bytes, the index expects {expected}", where=str(data),
                               hint="the dataset is truncated or from another run; preprocess again")
        self._data = np.memmap(data, dtype=self.dtype, mode="r") if expected else np.zeros(0, dtype=self.dtype)

    def __len__(self) -> int:
        return len(self.sequence_lengths)

    def __getitem__(self, index: int) -> np.ndarray:
        start = int(self.sequence_pointers[index]) // np.dtype(self.dtype).itemsize
        return np.asarray(self._data[start : start + int(self.sequence_lengths[index])])

    @property
    def num_tokens(self) -> int:
        return int(self.sequence_lengths.astype(np.int64).sum())


def merge(prefixes: list[str | os.PathLike], output_prefix: str | os.PathLike) -> Path:
    """Concatenate datasets (same dtype) in the given order into one."""
    readers = [IndexedReader(p) for p in prefixes]
    if not readers:
        raise DatasetError("nothing to merge", where=str(output_prefix))
    dtypes = {r.dtype for r in readers}
    if len(dtypes) != 1:
        raise DatasetError(f"cannot merge datasets of different dtypes {sorted(d.__name__ for d in dtypes)}",
                           where=str(output_prefix))
    with IndexedWriter(output_prefix, readers[0].dtype) as writer:
        for reader in readers:
            for i in range(len(reader)):
                writer.add_document(reader[i])
    return Path(output_prefix)
