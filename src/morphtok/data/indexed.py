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
a killed job never leaves a readable-looking partial dataset. A morphtok dataset
is finished only once its ``stats.json`` commit marker exists (:mod:`morphtok.data.commit`);
merging lives in :mod:`morphtok.data.merge`.
"""

from __future__ import annotations

import contextlib
import hashlib
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
    """``add_document(ids)`` ... ``finalize()`` -> ``prefix.bin`` + ``prefix.idx``.

    A failed write (a full disk: ENOSPC) raises :class:`DatasetError` and removes the
    temp files, as does :meth:`abort`; after :meth:`finalize`, :attr:`files` holds the
    size and sha256 of both files (hashed as they are written, for the commit record).
    """

    def __init__(self, prefix: str | os.PathLike, dtype: type = np.int32):
        self.prefix = Path(prefix)
        self.prefix.parent.mkdir(parents=True, exist_ok=True)
        self.dtype = np.dtype(dtype).type
        if self.dtype not in _CODES:
            raise DatasetError(f"unsupported dtype {dtype}", where=str(self.prefix))
        self._bin_tmp = self.prefix.with_name(self.prefix.name + f".bin.tmp{os.getpid()}")
        self._idx_tmp = self.prefix.with_name(self.prefix.name + f".idx.tmp{os.getpid()}")
        self._bin = open(self._bin_tmp, "wb")
        self._bin_hash = hashlib.sha256()
        self._lengths: list[int] = []
        self._limit = np.iinfo(self.dtype).max
        self.files: dict[str, dict] = {}

    def add_document(self, ids) -> None:
        array = np.asarray(ids)
        if array.size and (array.min() < 0 or array.max() > self._limit):
            raise DatasetError(f"token id out of range for {np.dtype(self.dtype).name}", where=str(self.prefix))
        data = array.astype(self.dtype, copy=False).tobytes(order="C")
        with self._on_write_error():
            self._bin.write(data)
        self._bin_hash.update(data)
        self._lengths.append(int(array.size))

    def finalize(self) -> Path:
        with self._on_write_error():
            self._bin.flush()
            os.fsync(self._bin.fileno())
            self._bin.close()
            index = self._index_bytes()
            with open(self._idx_tmp, "wb") as handle:
                handle.write(index)
                handle.flush()
                os.fsync(handle.fileno())
        self.files = {
            "bin": {"size": os.path.getsize(self._bin_tmp), "sha256": self._bin_hash.hexdigest()},
            "idx": {"size": len(index), "sha256": hashlib.sha256(index).hexdigest()},
        }
        os.replace(self._bin_tmp, bin_path(self.prefix))
        os.replace(self._idx_tmp, idx_path(self.prefix))
        return self.prefix

    def _index_bytes(self) -> bytes:
        lengths = np.asarray(self._lengths, dtype=np.int32)
        itemsize = np.dtype(self.dtype).itemsize
        pointers = np.zeros(len(lengths), dtype=np.int64)
        if len(lengths) > 1:
            np.cumsum(lengths[:-1].astype(np.int64) * itemsize, out=pointers[1:])
        documents = np.arange(len(lengths) + 1, dtype=np.int64)
        header = HEADER + struct.pack("<Q", 1) + struct.pack("<B", _CODES[self.dtype])
        counts = struct.pack("<Q", len(lengths)) + struct.pack("<Q", len(documents))
        return header + counts + lengths.tobytes(order="C") + pointers.tobytes(order="C") + documents.tobytes(order="C")

    @contextlib.contextmanager
    def _on_write_error(self):
        try:
            yield
        except OSError as err:
            self.abort()
            raise DatasetError(f"cannot write the dataset: {err.strerror or err}", where=str(self.prefix),
                               hint="free disk space (or check permissions), then rerun") from None

    def abort(self) -> None:
        """Drop the partial output (temp files), even when closing fails (a full disk fails the flush)."""
        with contextlib.suppress(OSError):
            self._bin.close()
        self._bin_tmp.unlink(missing_ok=True)
        self._idx_tmp.unlink(missing_ok=True)

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
