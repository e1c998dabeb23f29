"""Reading corpus documents from JSONL, plain text and parquet, with counted skips.

Every bad record is reported with ``file:line`` and a reason, counted in a
:class:`SkipLog`, or (``strict=True``) raised as a :class:`CorpusError`.
Nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from morphtok.errors import CorpusError

log = logging.getLogger(__name__)
SUFFIXES = (".jsonl", ".json", ".txt", ".parquet")


@dataclass(frozen=True)
class Document:
    key: str  # stable identity: the "id" field, else a hash of the text
    text: str
    where: str  # file:line, for messages


@dataclass
class SkipLog:
    """Counts and the first examples of skipped records, per reason."""

    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    strict: bool = False

    def skip(self, reason: str, where: str) -> None:
        if self.strict:
            raise CorpusError(reason, where=where, hint="fix the record, or run without --strict to skip and count it")
        self.counts[reason] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < 5:
            shown.append(where)
            log.warning("skipped record (%s) at %s", reason, where)

    def to_dict(self) -> dict:
        return {"total": sum(self.counts.values()), "by_reason": dict(self.counts), "examples": self.examples}


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def input_files(path: str | Path) -> list[Path]:
    """A file, or every corpus file under a directory (sorted, so order is stable)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
        if not files:
            raise CorpusError("no .jsonl/.txt/.parquet files in directory", where=str(path))
        return files
    if not path.is_file():
        raise CorpusError("input not found", where=str(path))
    return [path]


def iter_documents(path: str | Path, skips: SkipLog) -> Iterator[Document]:
    for file in input_files(path):
        if file.suffix == ".parquet":
            yield from _parquet(file, skips)
        elif file.suffix == ".txt":
            yield from _text_lines(file, skips)
        else:
            yield from _jsonl(file, skips)


def _jsonl(file: Path, skips: SkipLog) -> Iterator[Document]:
    with open(file, "rb") as handle:
        for lineno, raw in enumerate(handle, start=1):
            where = f"{file}:{lineno}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                skips.skip(f"invalid UTF-8 at byte {err.start}", where)
                continue
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
            key = str(record["id"]) if record.get("id") not in (None, "") else text_key(text)
            yield Document(key, text, where)


def _text_lines(file: Path, skips: SkipLog) -> Iterator[Document]:
    with open(file, "rb") as handle:
        for lineno, raw in enumerate(handle, start=1):
            where = f"{file}:{lineno}"
            try:
                text = raw.decode("utf-8").rstrip("\n")
            except UnicodeDecodeError as err:
                skips.skip(f"invalid UTF-8 at byte {err.start}", where)
                continue
            if text.strip():
                yield Document(text_key(text), text, where)


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
