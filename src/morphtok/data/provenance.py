"""What a dataset is made from: the input's identity, its place in a split, upstream skips.

:func:`describe_input` hashes the input (one sequential read, small next to tokenizing
it) so a dataset's fingerprint changes whenever the text does:

* a chunk of a split (its directory's manifest lists it): the manifest's fingerprint and
  the chunk's name; the chunk's sha256 must still be the one the split recorded;
* a split's chunks directory: the manifest's fingerprint (every chunk checked likewise);
* any other file or directory: the size and sha256 of each corpus file read.

Upstream skips: records that ``corpus fetch`` dropped never reach preprocessing, so they
travel in metadata -- ``<file>.meta.json`` beside a fetched file (used only when its
recorded sha256 is the file's), and the split's manifest, which copies it. They are the
whole corpus's figure even in one chunk's stats (a fetch skip belongs to no chunk);
merges take them once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from morphtok.atomic import sha256_file
from morphtok.data.documents import input_files
from morphtok.data.manifest import (
    ChunkManifest,
    check_chunk_hash,
    manifest_of_chunk,
    manifest_path,
    read_manifest,
)


@dataclass(frozen=True)
class InputDescription:
    identity: dict[str, Any]  # fingerprinted
    chunk: dict[str, Any] | None  # the chunk of a split this input is, if it is one
    upstream_skipped: dict[str, Any] | None  # what the corpus fetch dropped, if recorded


def describe_input(inputs: str | Path) -> InputDescription:
    path = Path(inputs)
    if path.is_dir() and manifest_path(path).is_file():
        manifest = read_manifest(path)
        for chunk in manifest.paths():
            check_chunk_hash(manifest, chunk.name, sha256_file(chunk))
        return InputDescription({"chunk_manifest": manifest.fingerprint, "chunks": manifest.chunks}, None,
                                _from_manifest(manifest))
    manifest = manifest_of_chunk(path) if path.is_file() else None
    if manifest is not None:
        digest = sha256_file(path)
        check_chunk_hash(manifest, path.name, digest)
        chunk = {"name": path.name, **manifest.summary(), "chunks": manifest.chunks}
        identity = {"chunk_manifest": manifest.fingerprint, "chunk": path.name, "sha256": digest}
        return InputDescription(identity, chunk, _from_manifest(manifest))
    files = input_files(path)
    records = [{"name": str(f.relative_to(path)) if path.is_dir() else f.name, "size": f.stat().st_size,
                "sha256": sha256_file(f)} for f in files]
    upstream = _from_meta(files[0], records[0]["sha256"]) if path.is_file() else None
    return InputDescription({"files": records}, None, upstream)


def _from_manifest(manifest: ChunkManifest) -> dict[str, Any] | None:
    fetch = manifest.fetch
    if not fetch or not isinstance(fetch.get("skipped"), dict):
        return None
    return _upstream(fetch)


def fetch_record(file: Path, sha256: str) -> dict[str, Any] | None:
    """The corpus fetch's accounting from ``<file>.meta.json``, when it describes exactly this file."""
    meta_path = file.with_name(file.name + ".meta.json")
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("sha256") != sha256 or not isinstance(meta.get("skipped"), dict):
        return None  # a meta of an earlier fetch to this path, or of an older morphtok: not this file's record
    return {key: meta.get(key) for key in ("source", "records_read", "documents", "skipped")}


def _from_meta(file: Path, sha256: str) -> dict[str, Any] | None:
    record = fetch_record(file, sha256)
    return _upstream(record) if record else None


def _upstream(record: dict[str, Any]) -> dict[str, Any]:
    return {**record["skipped"], "stage": "corpus fetch", "scope": "whole corpus",
            "source": record.get("source"), "records_read": record.get("records_read")}
