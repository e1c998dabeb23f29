"""The chunk manifest: ``<chunks_dir>/manifest.json``, the one list of a split's chunks.

Written by :func:`morphtok.data.chunks.split_jsonl`, committed atomically *last*::

    {"num_chunks": 3, "chunks": ["chunk_0001.jsonl", ...], "complete": true,
     "source": {"path": ..., "sha256": ..., "size": ...},
     "files": {"chunk_0001.jsonl": {"sha256": ..., "size": ..., "lines": ...}, ...},
     "fetch": {"records_read": ..., "documents": ..., "skipped": {...}} | null,
     "fingerprint": "<16 hex>"}

Readers take the chunk list from here, never from a glob, so chunks an earlier split
left behind are never read. While a split runs, the manifest says ``"complete": false``
and lists every file that split may touch; readers refuse such a directory, and the next
split knows those files are a split's to replace. ``fetch`` carries the corpus fetch's
skip counts (from ``<input>.meta.json``, when its sha256 matches the input) downstream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from morphtok.errors import CorpusError

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ChunkManifest:
    directory: Path
    num_chunks: int
    chunks: list[str]
    fingerprint: str
    files: dict[str, dict[str, Any]]
    source: dict[str, Any]
    fetch: dict[str, Any] | None

    def paths(self) -> list[Path]:
        return [self.directory / name for name in self.chunks]

    @property
    def path(self) -> Path:
        return self.directory / MANIFEST

    def summary(self) -> dict[str, Any]:
        """What a dataset records about the split it came from."""
        return {"fingerprint": self.fingerprint, "num_chunks": self.num_chunks, "path": str(self.path)}


def manifest_path(directory: str | Path) -> Path:
    return Path(directory) / MANIFEST


def read_raw(directory: str | Path) -> dict[str, Any] | None:
    """The manifest as written (complete or not), or None when there is none."""
    path = manifest_path(directory)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise CorpusError(f"unreadable chunk manifest ({err})", where=str(path),
                          hint="split the corpus again: morphtok corpus split") from None
    if not isinstance(data, dict) or not isinstance(data.get("chunks"), list):
        raise CorpusError("not a chunk manifest (no 'chunks' list)", where=str(path))
    return data


def read_manifest(location: str | Path) -> ChunkManifest:
    """The committed manifest of a chunks directory (or of ``manifest.json`` itself), checked.

    Refuses an interrupted split and chunks that are missing or changed size since the split.
    """
    location = Path(location)
    directory = location.parent if location.name == MANIFEST else location
    data = read_raw(directory)
    if data is None:
        raise CorpusError("no chunk manifest", where=str(manifest_path(directory)),
                          hint="split the corpus with `morphtok corpus split` (it writes manifest.json)")
    if data.get("complete") is not True:
        raise CorpusError("the split that wrote this directory did not finish", where=str(manifest_path(directory)),
                          hint="run the same `morphtok corpus split` again")
    manifest = ChunkManifest(directory, int(data["num_chunks"]), list(data["chunks"]), str(data["fingerprint"]),
                             dict(data.get("files", {})), dict(data.get("source", {})), data.get("fetch"))
    for path in manifest.paths():
        expected = manifest.files.get(path.name, {}).get("size")
        if not path.is_file():
            raise CorpusError("a chunk the manifest lists is missing", where=str(path),
                              hint="split the corpus again")
        if expected is not None and path.stat().st_size != expected:
            raise CorpusError(f"the chunk changed since the split ({path.stat().st_size} bytes, the manifest says "
                              f"{expected})", where=str(path), hint="split the corpus again")
    return manifest


def manifest_of_chunk(file: str | Path) -> ChunkManifest | None:
    """The manifest listing ``file`` as one of its chunks, or None when ``file`` is not a chunk."""
    file = Path(file)
    data = read_raw(file.parent)
    if data is None or file.name not in data["chunks"]:
        return None
    return read_manifest(file.parent)


def check_chunk_hash(manifest: ChunkManifest, name: str, sha256: str) -> None:
    """A chunk's content must still be the one the split wrote."""
    expected = manifest.files.get(name, {}).get("sha256")
    if expected is not None and expected != sha256:
        raise CorpusError(f"the chunk changed since the split (sha256 {sha256[:16]}..., the manifest says "
                          f"{expected[:16]}...)", where=str(manifest.directory / name), hint="split the corpus again")
