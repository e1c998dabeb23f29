"""Reading corpus documents from JSONL, plain text and parquet, with counted skips.

Every input record ends up in exactly one place: yielded as a :class:`Document`, or
counted in a :class:`SkipLog` with ``file:line`` and a reason (``strict=True``: raised as
a :class:`CorpusError`). A record is a line of a JSONL/text file (blank lines included)
or a parquet row. Nothing is dropped silently:

* file types by suffix, case-insensitive: ``.jsonl``/``.ndjson``/``.json`` (JSON lines),
  ``.txt`` (one document per line), ``.parquet``; any of the line formats may end in
  ``.gz``. In a directory, other files are listed in the log as skipped files; a file of
  another type given by name is an error.
* a directory with a ``manifest.json`` (a split's chunks) is read in the manifest's order
  and only the files it lists (:mod:`morphtok.data.manifest`), never by a glob.
* a UTF-8 byte order mark on the first line is dropped, and a line ends at ``\\n`` or
  ``\\r\\n`` (text files: neither becomes part of the document).
* a lone surrogate (``"\\ud800"``: valid JSON, no UTF-8 form) is a counted skip.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from morphtok.errors import CorpusError

log = logging.getLogger(__name__)
LINE_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".txt": "text"}
SUFFIXES = (*LINE_FORMATS, ".parquet")  # each line format also as <suffix>.gz
BOM = "\ufeff"


@dataclass(frozen=True)
class Document:
    key: str  # stable identity: the "id" field, else a hash of the text
    text: str
    where: str  # file:line, for messages


@dataclass
class SkipLog:
    """Counts and the first examples of skipped records, per reason; and the files not read."""

    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    files: list[dict[str, str]] = field(default_factory=list)
    strict: bool = False

    def skip(self, reason: str, where: str) -> None:
        if self.strict:
            raise CorpusError(reason, where=where, hint="fix the record, or run without --strict to skip and count it")
        self.counts[reason] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < 5:
            shown.append(where)
            log.warning("skipped record (%s) at %s", reason, where)

    def skip_file(self, path: Path, reason: str) -> None:
        """A file in an input directory that is not read (listed, never counted as records)."""
        self.files.append({"file": str(path), "reason": reason})
        log.warning("skipped file (%s): %s", reason, path)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_dict(self) -> dict:
        return {"total": self.total, "by_reason": dict(self.counts), "examples": self.examples, "files": self.files}


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def file_format(path: Path) -> str | None:
    """``jsonl`` | ``text`` | ``parquet`` from the name (case-insensitive, ``.gz`` allowed), else None."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        return LINE_FORMATS.get(suffixes[0]) if len(suffixes) == 2 else None
    if suffixes and suffixes[-1] == ".parquet":
        return "parquet"
    return LINE_FORMATS.get(suffixes[-1]) if suffixes else None


def input_files(path: str | Path, skips: SkipLog | None = None) -> list[Path]:
    """A file, a split's chunks (by its manifest), or every corpus file under a directory (sorted)."""
    from morphtok.data.manifest import manifest_path, read_manifest

    path = Path(path)
    if path.is_dir():
        if manifest_path(path).is_file():
            return read_manifest(path).paths()
        files = []
        for candidate in sorted(p for p in path.rglob("*") if p.is_file()):
            if file_format(candidate) is not None and not _is_metadata(candidate):
                files.append(candidate)
            elif skips is not None:
                skips.skip_file(candidate, "morphtok metadata" if _is_metadata(candidate) else "unknown file type")
        if not files:
            raise CorpusError("no corpus files (.jsonl, .ndjson, .txt, .parquet, or .gz of them) in directory",
                              where=str(path))
        return files
    if not path.is_file():
        raise CorpusError("input not found", where=str(path))
    if file_format(path) is None:
        raise CorpusError("unknown corpus file type", where=str(path),
                          hint="use .jsonl, .ndjson, .json, .txt, .parquet, or a .gz of a line format")
    return [path]


def _is_metadata(path: Path) -> bool:
    return path.name.endswith((".meta.json", ".stats.json")) or path.name == "manifest.json"


def iter_documents(path: str | Path, skips: SkipLog) -> Iterator[Document]:
    for file in input_files(path, skips):
        kind = file_format(file)
        if kind == "parquet":
            yield from _parquet(file, skips)
        else:
            with _open_lines(file) as handle:
                yield from (_text_lines if kind == "text" else _jsonl)(handle, str(file), skips)


def _open_lines(file: Path) -> BinaryIO:
    return gzip.open(file, "rb") if file.name.lower().endswith(".gz") else open(file, "rb")


def _decoded_lines(handle: BinaryIO, name: str, skips: SkipLog) -> Iterator[tuple[str, str]]:
    """(where, line without its line end) for each line that is valid UTF-8; the others are skips."""
    lineno = 0
    try:
        for lineno, raw in enumerate(handle, start=1):
            where = f"{name}:{lineno}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                skips.skip(f"invalid UTF-8 at byte {err.start}", where)
                continue
            if lineno == 1 and line.startswith(BOM):
                line = line[1:]
            yield where, line.removesuffix("\n").removesuffix("\r")
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        # A truncated or corrupt .gz: what follows cannot be read; one skip says where it stopped.
        skips.skip(f"unreadable gzip data ({type(err).__name__})", f"{name}:{lineno + 1}")


def _jsonl(handle: BinaryIO, name: str, skips: SkipLog) -> Iterator[Document]:
    for where, line in _decoded_lines(handle, name, skips):
        if not line.strip():
            skips.skip("blank line", where)
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            skips.skip(f"malformed JSON ({err.msg})", where)
            continue
        if not isinstance(record, dict) or "text" not in record:
            skips.skip('missing "text" field', where)
            continue
        text = record["text"]
        if not isinstance(text, str):
            skips.skip('"text" is not a string', where)
            continue
        if not text.strip():
            skips.skip("empty document", where)
            continue
        key = str(record["id"]) if record.get("id") not in (None, "") else None
        # Only a \u escape can make a lone surrogate; look for one before paying for an encode.
        if ("\\ud" in line or "\\uD" in line) and not _encodable(text, key):
            skips.skip("lone surrogate (text or id has no UTF-8 form)", where)
            continue
        yield Document(key if key is not None else text_key(text), text, where)


def _encodable(*values: str | None) -> bool:
    try:
        for value in values:
            if value is not None:
                value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text_lines(handle: BinaryIO, name: str, skips: SkipLog) -> Iterator[Document]:
    for where, text in _decoded_lines(handle, name, skips):
        if text.strip():
            yield Document(text_key(text), text, where)
        else:
            skips.skip("blank line", where)


def _parquet(file: Path, skips: SkipLog) -> Iterator[Document]:
    import pyarrow.parquet as pq

    table = pq.ParquetFile(file)
    row = 0
    for batch in table.iter_batches(columns=None):
        columns = batch.to_pydict()
        if "text" not in columns:
            raise CorpusError('parquet file has no "text" column', where=str(file))
        ids = columns.get("id")
        for i, text in enumerate(columns["text"]):
            row += 1
            where = f"{file}:row{row}"
            if not isinstance(text, str) or not text.strip():
                skips.skip("empty document", where)
                continue
            key = str(ids[i]) if ids and ids[i] not in (None, "") else text_key(text)
            yield Document(key, text, where)


def is_validation(key: str, fraction: float) -> bool:
    """Deterministic hold-out by hash of the document key (same for every arm and chunking)."""
    if fraction <= 0:
        return False
    bucket = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")
    return bucket / 2**64 < fraction
