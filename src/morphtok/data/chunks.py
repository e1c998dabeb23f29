"""Split a JSONL corpus into N chunks balanced by bytes, keeping every line.

Lines are assigned in order (chunk ``k`` holds the lines that start in the
``k``-th N-th of the file's bytes), so the chunks' concatenation is the input,
byte for byte. Chunks are named ``chunk_0001.jsonl`` ... (1-based, matching
``$PBS_ARRAY_INDEX`` / ``$SLURM_ARRAY_TASK_ID``) and written atomically; then
``manifest.json`` (:mod:`morphtok.data.manifest`) is committed last.

Re-splitting into a directory: chunks that an earlier split's manifest lists but
this split does not write (``-n 5`` then ``-n 3``: chunks 4 and 5) are **removed**,
because they are that split's output and would otherwise be read as data again by
anything that globs. ``chunk_*.jsonl`` files that no manifest lists are **refused**
(an error naming them), not deleted: morphtok did not write them, so it does not
know what they are.
"""

from __future__ import annotations

import hashlib
import os
import re
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from morphtok.atomic import (
    atomic_open,
    atomic_temp_pattern,
    atomic_write_json,
    fingerprint,
    output_lock,
    remove_temp_files,
)
from morphtok.data.manifest import MANIFEST, manifest_path, read_raw
from morphtok.data.provenance import fetch_record
from morphtok.errors import CorpusError, ParameterError
from morphtok.progress import make_progress

CHUNK_NAME = re.compile(r"chunk_\d{4,}\.jsonl")


def chunk_path(output_dir: str | Path, index: int) -> Path:
    return Path(output_dir) / f"chunk_{index:04d}.jsonl"


def split_jsonl(input_path: str | Path, output_dir: str | Path, num_chunks: int) -> list[Path]:
    """Write the chunks and their manifest; returns the chunk paths in order."""
    input_path, output_dir = Path(input_path), Path(output_dir)
    if num_chunks < 1:
        raise ParameterError(f"num_chunks must be >= 1, got {num_chunks}")
    if not input_path.is_file():
        raise CorpusError("input not found", where=str(input_path))
    paths = [chunk_path(output_dir, k + 1) for k in range(num_chunks)]
    with output_lock(output_dir / ".split.lock", f"the chunks in {output_dir}"):
        remove_temp_files(output_dir, [".chunk_*.jsonl.*.tmp", atomic_temp_pattern(MANIFEST)])  # a killed split's
        earlier = _chunks_of_earlier_splits(output_dir)
        new = [p.name for p in paths]
        # In progress: every file this split may leave behind, so a killed split is cleaned up by the next one.
        atomic_write_json(manifest_path(output_dir), {"complete": False, "chunks": sorted(set(earlier) | set(new))})
        source_hash, files = _write_chunks(input_path, paths)
        for name in sorted(set(earlier) - set(new)):
            (output_dir / name).unlink(missing_ok=True)
        source = {"path": str(input_path), "sha256": source_hash, "size": input_path.stat().st_size}
        manifest = {
            "num_chunks": num_chunks,
            "chunks": new,
            "complete": True,
            "source": source,
            "files": files,
            "fetch": fetch_record(input_path, source_hash),
            "fingerprint": fingerprint({"source_sha256": source_hash, "num_chunks": num_chunks,
                                        "chunks": {n: files[n]["sha256"] for n in new}}),
        }
        atomic_write_json(manifest_path(output_dir), manifest)
    return paths


def _chunks_of_earlier_splits(output_dir: Path) -> list[str]:
    """Chunk files a previous split wrote; refuses chunk files no split of ours wrote."""
    raw = read_raw(output_dir) if output_dir.is_dir() else None
    listed = [str(name) for name in raw["chunks"]] if raw else []
    present = sorted(p.name for p in output_dir.glob("chunk_*.jsonl")) if output_dir.is_dir() else []
    foreign = [name for name in present if CHUNK_NAME.fullmatch(name) and name not in listed]
    if foreign:
        raise CorpusError(
            f"{len(foreign)} chunk file(s) that no morphtok split recorded: {', '.join(foreign)}",
            where=str(output_dir),
            hint="split into an empty directory, or move those files away (morphtok only replaces chunks "
            "its own manifest lists)",
        )
    return listed


def _write_chunks(input_path: Path, paths: list[Path]) -> tuple[str, dict[str, dict[str, Any]]]:
    """Stream the input into the chunks, hashing input and chunks on the way (one read)."""
    total, num_chunks = os.path.getsize(input_path), len(paths)
    source = hashlib.sha256()
    digests = [hashlib.sha256() for _ in paths]
    sizes, lines = [0] * num_chunks, [0] * num_chunks
    # ExitStack: on any error every temp file is removed; on success all are renamed.
    with ExitStack() as stack, open(input_path, "rb") as handle, make_progress("MB") as progress:
        outputs = [stack.enter_context(atomic_open(p, "wb")) for p in paths]
        task = progress.add_task(f"split {input_path.name}", total=total / 1e6)
        offset = 0
        for line in handle:
            k = min(num_chunks - 1, offset * num_chunks // max(total, 1))
            outputs[k].write(line)
            source.update(line)
            digests[k].update(line)
            sizes[k] += len(line)
            lines[k] += 1
            offset += len(line)
            progress.update(task, completed=offset / 1e6)
    files = {p.name: {"sha256": d.hexdigest(), "size": s, "lines": n}
             for p, d, s, n in zip(paths, digests, sizes, lines, strict=True)}
    return source.hexdigest(), files
