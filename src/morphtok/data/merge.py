"""Join per-chunk datasets into one (``morphtok preprocess merge``), refusing an incomplete set.

Every input must be a committed dataset (:func:`morphtok.data.commit.require_committed`;
the ``.bin`` hashes are checked too before they are read) made with the same arm, parameters, tokenizer, seed, validation
fraction and morphtok version. When the inputs are chunks of a split, the merge needs
every chunk the split's manifest names, each exactly once, and writes them in the
manifest's order; ``--chunks-manifest`` names that manifest explicitly (the cluster jobs
do), otherwise the count and names recorded in the chunks' own stats are used. The
output is committed like any dataset (lock, ``stats.json`` last), and a rerun with the
same inputs reuses it (a requeued training job pays only for reading the chunks' stats
and ``.idx`` files).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from pathlib import Path
from typing import Any

from morphtok.atomic import output_lock, sigterm_raises
from morphtok.data.commit import (
    commit,
    dataset_fingerprint,
    lock_path,
    prepare_output,
    require_committed,
    reusable,
)
from morphtok.data.indexed import IndexedReader, IndexedWriter
from morphtok.data.manifest import read_manifest
from morphtok.errors import DatasetError

log = logging.getLogger(__name__)
SAME_SETTINGS = ("method", "params", "tokenizer_hash", "seed", "val_fraction", "morphtok_version")
SUMMED = ("documents", "tokens", "tokens_with_bos_eod", "canonical_tokens", "bytes", "input_records")


def merge_datasets(prefixes: list[str | os.PathLike], output_prefix: str | os.PathLike, *,
                   chunks_manifest: str | os.PathLike | None = None, force: bool = False) -> dict[str, Any]:
    """Concatenate committed datasets into ``output_prefix``; returns the merged stats."""
    if not prefixes:
        raise DatasetError("nothing to merge", where=str(output_prefix))
    output_prefix = Path(output_prefix)
    with output_lock(lock_path(output_prefix), f"dataset {output_prefix}"), sigterm_raises():
        inputs = _committed_inputs([Path(p) for p in prefixes], chunks_manifest)
        settings = inputs[0][1]["settings"]
        chunk_record = _chunk_record(inputs, chunks_manifest)
        split = chunk_record["fingerprint"] if chunk_record else None
        merged_settings = {**settings, "input": {"merge": [s["fingerprint"] for _, s in inputs], "split": split}}
        existing = reusable(output_prefix, merged_settings, force=force)
        if existing is not None:
            log.info("merge %s: reusing the committed output (same fingerprint)", output_prefix)
            return existing
        for prefix, _ in inputs:  # about to read them: their .bin must be the bytes their record hashes
            require_committed(prefix, verify_data=True)
        prepare_output(output_prefix)
        readers = [IndexedReader(prefix) for prefix, _ in inputs]
        writer = IndexedWriter(output_prefix, readers[0].dtype)
        try:
            for reader in readers:
                for i in range(len(reader)):
                    writer.add_document(reader[i])
            writer.finalize()
        except BaseException:
            writer.abort()
            raise
        stats = _merged_stats([s for _, s in inputs], merged_settings, chunk_record)
        return commit(output_prefix, stats, writer.files)


def _committed_inputs(prefixes: list[Path], chunks_manifest) -> list[tuple[Path, dict[str, Any]]]:
    """(prefix, stats) of every input, in the split's chunk order when they are chunks."""
    committed, uncommitted = [], []
    for prefix in prefixes:
        try:
            committed.append((prefix, require_committed(prefix)))
        except DatasetError as err:
            uncommitted.append(f"{prefix} ({err.message})")
    if chunks_manifest is not None:
        manifest = read_manifest(chunks_manifest)
        expected, split = manifest.chunks, manifest.fingerprint
    elif committed and all(stats.get("chunk") for _, stats in committed):
        expected, split = committed[0][1]["chunk"]["chunks"], committed[0][1]["chunk"]["fingerprint"]
    else:
        if uncommitted:
            raise DatasetError(f"cannot merge: uncommitted dataset(s): {'; '.join(uncommitted)}")
        _check_same_settings(committed)
        return committed
    by_chunk: dict[str, tuple[Path, dict[str, Any]]] = {}
    for prefix, stats in committed:
        chunk = stats.get("chunk") or {}
        if chunk.get("fingerprint") != split:
            raise DatasetError(f"{prefix} was made from another split (chunk manifest {chunk.get('fingerprint')}, "
                               f"expected {split})", hint="preprocess the chunks of this split")
        if chunk["name"] in by_chunk:
            raise DatasetError(f"chunk {chunk['name']} is given twice: {by_chunk[chunk['name']][0]} and {prefix}")
        by_chunk[chunk["name"]] = (prefix, stats)
    missing = [name for name in expected if name not in by_chunk]
    if missing or uncommitted:
        parts = [f"{len(missing)} of {len(expected)} chunk(s) missing: {', '.join(missing)}"] if missing else []
        parts += [f"uncommitted dataset(s): {'; '.join(uncommitted)}"] if uncommitted else []
        raise DatasetError("cannot merge an incomplete set of chunks: " + "; ".join(parts),
                           hint="wait for (or rerun) the preprocessing of those chunks, then merge again")
    ordered = [by_chunk[name] for name in expected]
    _check_same_settings(ordered)
    return ordered


def _check_same_settings(inputs: list[tuple[Path, dict[str, Any]]]) -> None:
    first_prefix, first = inputs[0]
    for prefix, stats in inputs[1:]:
        differ = [k for k in SAME_SETTINGS if stats["settings"].get(k) != first["settings"].get(k)]
        if differ:
            raise DatasetError(f"cannot merge datasets made with different settings ({', '.join(differ)}): "
                               f"{first_prefix} and {prefix}", hint="preprocess every chunk with one arm and config")


def _chunk_record(inputs: list[tuple[Path, dict[str, Any]]], chunks_manifest) -> dict[str, Any] | None:
    chunk = inputs[0][1].get("chunk")
    if not chunk:
        return None
    return {"fingerprint": chunk["fingerprint"], "num_chunks": len(inputs), "chunks": [s["chunk"]["name"] for _, s in inputs],
            "manifest": str(chunks_manifest) if chunks_manifest is not None else chunk.get("manifest")}


def _merged_stats(parts: list[dict[str, Any]], settings: dict[str, Any], chunk_record) -> dict[str, Any]:
    first = parts[0]
    stats: dict[str, Any] = {k: first.get(k) for k in ("method", "params", "seed", "tokenizer", "tokenizer_hash",
                                                          "vocab_size", "bos_id", "eod_id", "morphtok_version")}
    for key in SUMMED:
        stats[key] = sum(int(p.get(key) or 0) for p in parts)
    stats["expansion_vs_baseline"] = stats["tokens"] / stats["canonical_tokens"] - 1.0 if stats["canonical_tokens"] else 0.0
    stats["tokens_per_byte"] = stats["tokens"] / stats["bytes"] if stats["bytes"] else 0.0
    held = [p.get("held_out", {}) for p in parts]
    stats["held_out"] = {"fraction": held[0].get("fraction"), "documents": sum(h.get("documents", 0) for h in held),
                         "bytes": sum(h.get("bytes", 0) for h in held)}
    stats["skipped"] = _merged_skips([p.get("skipped", {}) for p in parts])
    stats["upstream_skipped"] = first.get("upstream_skipped")  # the whole corpus's, recorded alike in every chunk
    stats["chunk_manifest"] = chunk_record
    stats["merged_from"] = [p["fingerprint"] for p in parts]
    stats["settings"] = settings
    stats["fingerprint"] = dataset_fingerprint(settings)
    return stats


def _merged_skips(skips: list[dict[str, Any]]) -> dict[str, Any]:
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {}
    files: list = []
    for skip in skips:
        counts.update(skip.get("by_reason", {}))
        for reason, shown in skip.get("examples", {}).items():
            examples.setdefault(reason, []).extend(shown[: 5 - len(examples.get(reason, []))])
        files += skip.get("files", [])
    return {"total": sum(counts.values()), "by_reason": dict(counts), "examples": examples, "files": files}
