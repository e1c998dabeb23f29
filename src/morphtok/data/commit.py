"""A dataset ``P`` (``P.bin``, ``P.idx``, ``P.stats.json``) is committed as one unit.

**The choice: ``P.stats.json`` is a commit marker, written last, that readers require.**
A temp directory renamed once into place would need the three files inside a directory,
but Megatron, NeMo and our jobs address a dataset as two sibling files ``P.bin``/``P.idx``
by prefix, and their byte format and paths must stay as they are. So a writer

1. holds ``P.lock`` (:func:`morphtok.atomic.output_lock`; a second writer fails at once);
2. removes temp files a killed writer left, and an old ``P.stats.json`` (uncommits ``P``)
   before it replaces ``.bin``/``.idx``;
3. writes ``.bin``/``.idx`` under temp names and renames them;
4. writes ``P.stats.json`` atomically, last, holding the size and sha256 of ``.bin`` and
   ``.idx`` and the **fingerprint** of everything that made them.

A reader that needs a finished dataset calls :func:`require_committed`: no stats.json means
unfinished (killed, or still being written); sizes or the ``.idx`` hash that differ from
the record mean the files are not the ones the record describes (another run's, or
mixed). ``verify_data=True`` also hashes ``.bin`` (merge does; it reads it anyway).

The fingerprint (:func:`dataset_fingerprint`) covers the input's content (its sha256, or
the chunk manifest's fingerprint and the chunk), the arm and its parameters, the
tokenizer's content hash, seed, validation fraction and morphtok version. A writer reuses
an existing dataset only on an exact match; otherwise it stops with an error naming both
fingerprints, unless told to replace it (``--force``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from morphtok.atomic import (
    atomic_temp_pattern,
    atomic_write_json,
    fingerprint,
    remove_temp_files,
    sha256_file,
)
from morphtok.data.indexed import bin_path, idx_path
from morphtok.errors import DatasetError

FINGERPRINT_FIELDS = ("input", "method", "params", "tokenizer_hash", "seed", "val_fraction", "morphtok_version")


def stats_path(prefix: str | Path) -> Path:
    return Path(f"{prefix}.stats.json")


def lock_path(prefix: str | Path) -> Path:
    return Path(f"{prefix}.lock")


def dataset_fingerprint(settings: dict[str, Any]) -> str:
    """The fingerprint of a dataset's inputs and settings (``FINGERPRINT_FIELDS`` of ``settings``)."""
    missing = [k for k in FINGERPRINT_FIELDS if k not in settings]
    if missing:
        raise ValueError(f"dataset fingerprint needs {missing}")
    return fingerprint({k: settings[k] for k in FINGERPRINT_FIELDS})


def file_record(path: Path) -> dict[str, Any]:
    return {"size": path.stat().st_size, "sha256": sha256_file(path)}


def prepare_output(prefix: str | Path) -> None:
    """Under the lock, before writing: drop a killed writer's temp files and uncommit ``prefix``."""
    prefix = Path(prefix)
    name = prefix.name
    remove_temp_files(prefix.parent, [f"{name}.bin.tmp*", f"{name}.idx.tmp*", atomic_temp_pattern(f"{name}.stats.json")])
    stats_path(prefix).unlink(missing_ok=True)


def commit(prefix: str | Path, stats: dict[str, Any], files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Write the commit marker: ``stats`` plus the size/sha256 of ``.bin`` and ``.idx`` (``files``)."""
    record = {**stats, "files": files}
    try:
        atomic_write_json(stats_path(prefix), record)
    except OSError as err:  # e.g. ENOSPC: the temp file is gone, .bin/.idx stay uncommitted
        raise DatasetError(f"cannot write stats.json: {err.strerror or err}", where=str(stats_path(prefix)),
                           hint="free disk space (or check permissions), then rerun") from None
    return record


def read_stats(prefix: str | Path) -> dict[str, Any] | None:
    path = stats_path(prefix)
    if not path.is_file():
        return None
    try:
        stats = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise DatasetError(f"unreadable stats.json ({err})", where=str(path), hint="preprocess again with --force") from None
    if not isinstance(stats, dict):
        raise DatasetError("stats.json is not a mapping", where=str(path))
    return stats


def require_committed(prefix: str | Path, *, verify_data: bool = False) -> dict[str, Any]:
    """The stats of a committed dataset whose files are the ones its stats.json describes."""
    stats = read_stats(prefix)
    if stats is None:
        raise DatasetError("uncommitted dataset (no stats.json: unfinished, killed, or still being written)",
                           where=str(prefix), hint="run (or rerun) `morphtok preprocess` for it")
    problem = mismatch(prefix, stats, verify_data=verify_data)
    if problem:
        raise DatasetError(f"the dataset does not match its stats.json: {problem}", where=str(prefix),
                           hint="its files come from another run or were changed; preprocess again with --force")
    return stats


def mismatch(prefix: str | Path, stats: dict[str, Any], *, verify_data: bool = False) -> str | None:
    """Why ``.bin``/``.idx`` are not the files ``stats`` records (None when they are)."""
    files = stats.get("files")
    if not isinstance(files, dict) or "fingerprint" not in stats:
        return "it has no file record or fingerprint (written by an older morphtok?)"
    for kind, path in (("bin", bin_path(prefix)), ("idx", idx_path(prefix))):
        expected = files.get(kind, {})
        if not path.is_file():
            return f"{path.name} is missing"
        if path.stat().st_size != expected.get("size"):
            return f"{path.name} holds {path.stat().st_size} bytes, stats.json records {expected.get('size')}"
        if (kind == "idx" or verify_data) and sha256_file(path) != expected.get("sha256"):
            return f"{path.name} has another sha256 than stats.json records"
    return None


def reusable(prefix: str | Path, settings: dict[str, Any], *, force: bool) -> dict[str, Any] | None:
    """The existing stats when ``prefix`` is committed with the fingerprint of ``settings``; None to (re)write.

    A committed dataset of other inputs/settings is an error unless ``force``; so are files
    that do not match their record. Uncommitted leftovers (no stats.json) are simply rewritten.
    """
    stats = read_stats(prefix)
    if stats is None or force:
        return None
    problem = mismatch(prefix, stats)
    if problem:
        raise DatasetError(f"the dataset does not match its stats.json: {problem}", where=str(prefix),
                           hint="replace it: rerun with --force")
    wanted = dataset_fingerprint(settings)
    if stats["fingerprint"] != wanted:
        recorded = stats.get("settings", {})
        differ = [k for k in FINGERPRINT_FIELDS if recorded.get(k) != settings[k]]
        raise DatasetError(
            f"a dataset of other inputs or settings is here: fingerprint {stats['fingerprint']}, this run's is "
            f"{wanted} (different: {', '.join(differ) or 'unknown'})",
            where=str(prefix),
            hint="use another output prefix, or replace it with --force",
        )
    return stats
