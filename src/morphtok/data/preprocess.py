"""Tokenize a corpus with one arm into a Megatron indexed dataset (``P.bin``/``P.idx``).

Each document becomes ``[BOS] + arm ids + [EOS]``: the model's BOS, and an
end-of-document token equal to the model's EOS, so NeMo (``--append-eod``
semantics), the local trainer and evaluation agree on document boundaries.
The arm's ids are written exactly as the processor returns them -- never
decoded and re-encoded.

Determinism: a document's ids depend only on (seed, arm, document key), where
the key is the record's ``id`` (or a hash of its text); workers process ordered
batches in input order, so the output is byte-identical for any worker count
and any chunking. Documents whose key hashes into the validation fraction are
held out of every arm (:func:`morphtok.data.documents.is_validation`).

Integrity (:mod:`morphtok.data.commit`): one writer per prefix (``P.lock``); the
dataset is committed by ``P.stats.json``, written last, which records a fingerprint
of the input and settings. A rerun with the same fingerprint reuses the dataset; a
different one is refused unless ``force``. A killed run leaves no committed output
(its temp files are removed by the next run; its workers die with it,
:mod:`morphtok.data.workers`). Per-chunk prefixes keep reruns cheap: only
unfinished chunks run again.

Accounting: ``stats["input_records"] = documents + held_out.documents +
skipped.total`` (every record of the input, :mod:`morphtok.data.documents`), and
``stats["upstream_skipped"]`` carries what ``corpus fetch`` dropped before, when
that is recorded (:mod:`morphtok.data.provenance`).
"""

from __future__ import annotations

import json
import logging
import os
import resource
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from morphtok import __version__
from morphtok.atomic import atomic_open, output_lock, sigterm_raises
from morphtok.data.commit import (
    commit,
    dataset_fingerprint,
    lock_path,
    prepare_output,
    reusable,
    stats_path,
)
from morphtok.data.documents import Document, SkipLog, is_validation, iter_documents
from morphtok.data.indexed import IndexedWriter, optimal_dtype
from morphtok.data.provenance import describe_input
from morphtok.data.workers import ordered_map, start_pool, stop_pool
from morphtok.progress import make_progress

log = logging.getLogger(__name__)
BATCH = 64
__all__ = ["preprocess", "process_documents", "stats_path", "write_validation", "default_workers"]

_WORKER: dict[str, Any] = {}


def _init_worker(method: str, tokenizer_spec: str, params: dict, seed: int) -> None:
    """Build the arm in a spawned worker (forked workers inherit the parent's)."""
    from morphtok.segment.processor import build_processor
    from morphtok.segment.tokenizer import load_tokenizer

    tokenizer = load_tokenizer(tokenizer_spec)
    _WORKER.update(tokenizer=tokenizer, processor=build_processor(method, tokenizer, **params), seed=seed)


def _process_batch(batch: list[tuple[str, str]]) -> list[tuple[list[int], int, int]]:
    return process_documents(_WORKER["tokenizer"], _WORKER["processor"], _WORKER["seed"], batch)


def process_documents(tokenizer, processor, seed: int, batch: list[tuple[str, str]]) -> list[tuple[list[int], int, int]]:
    """(arm ids, canonical token count, UTF-8 bytes) of each ``(key, text)``: what a worker does per batch."""
    from morphtok.segment.processor import document_rng

    # The whole batch's encode, then the arm over the batch: each keeps its tables in the CPU
    # caches across documents (Patok also shares its numpy work). Each document keeps its own RNG.
    canonical = [tokenizer.encode(text) for _, text in batch]
    ids = processor.process_batch(canonical, [document_rng(seed, processor.name, key) for key, _ in batch])
    return [(out, len(c), len(text.encode("utf-8"))) for out, c, (_, text) in zip(ids, canonical, batch, strict=True)]


def _batches(documents: Iterator[Document]) -> Iterator[list[tuple[str, str]]]:
    while batch := [(d.key, d.text) for d in islice(documents, BATCH)]:
        yield batch


def preprocess(
    inputs: str | Path,
    output_prefix: str | Path,
    method: str,
    *,
    seed: int = 1234,
    workers: int = 1,
    tokenizer_spec: str = "gemma3",
    params: dict | None = None,
    val_fraction: float = 0.0,
    strict: bool = False,
    force: bool = False,
) -> dict:
    """Write ``output_prefix.{bin,idx,stats.json}`` (or reuse it: same fingerprint); returns the stats."""
    from morphtok.segment.processor import build_processor
    from morphtok.segment.tokenizer import load_tokenizer

    prefix = Path(output_prefix)
    with output_lock(lock_path(prefix), f"dataset {prefix}"), sigterm_raises():  # first: a second writer fails at once
        tokenizer = load_tokenizer(tokenizer_spec)
        processor = build_processor(method, tokenizer, **dict(params or {}))  # validates parameters before any work
        source = describe_input(inputs)
        settings = json.loads(json.dumps({  # as stats.json will hold them (lists, not tuples)
            "input": source.identity, "method": processor.name, "params": processor.params(),
            "tokenizer_hash": tokenizer.content_hash, "seed": seed, "val_fraction": val_fraction,
            "morphtok_version": __version__,
        }))
        existing = reusable(prefix, settings, force=force)
        if existing is not None:
            log.info("%s: reusing the committed dataset (same fingerprint %s)", prefix, existing["fingerprint"])
            return existing
        prepare_output(prefix)
        stats, files = _tokenize(inputs, prefix, tokenizer, processor, tokenizer_spec, seed, workers, val_fraction,
                                 strict)
        stats.update(settings=settings, fingerprint=dataset_fingerprint(settings), chunk=source.chunk,
                     upstream_skipped=source.upstream_skipped)
        return commit(prefix, stats, files)


def _tokenize(inputs, prefix: Path, tokenizer, processor, tokenizer_spec: str, seed: int, workers: int,
              val_fraction: float, strict: bool) -> tuple[dict, dict]:
    """Run the arm over every training document into ``prefix``; (stats, file records)."""
    skips = SkipLog(strict=strict)
    held_out = {"documents": 0, "bytes": 0}

    def training_documents() -> Iterator[Document]:
        for doc in iter_documents(inputs, skips):
            if is_validation(doc.key, val_fraction):
                held_out["documents"] += 1
                held_out["bytes"] += len(doc.text.encode("utf-8"))
                continue
            yield doc

    documents = tokens = canonical_tokens = n_bytes = 0
    start = time.perf_counter()
    writer = IndexedWriter(prefix, optimal_dtype(tokenizer.vocab_size))
    bos, eos = tokenizer.bos_id, tokenizer.eos_id
    head, tail = ([bos] if bos is not None else []), ([eos] if eos is not None else [])
    _WORKER.update(tokenizer=tokenizer, processor=processor, seed=seed)  # this process's (and forked workers')
    init = (processor.name, tokenizer_spec, processor.params(), seed)
    pool = None
    try:
        pool = start_pool(workers, _init_worker, init) if workers > 1 else None
        if pool is None:
            results = map(_process_batch, _batches(training_documents()))
        else:
            results = ordered_map(pool, _process_batch, _batches(training_documents()), window=4 * workers)
        with make_progress("docs") as progress:
            task = progress.add_task(f"{processor.name} -> {prefix.name}", total=None)
            for batch in results:
                for ids, n_canonical, size in batch:
                    writer.add_document(head + ids + tail)
                    documents += 1
                    tokens += len(ids)
                    canonical_tokens += n_canonical
                    n_bytes += size
                progress.advance(task, len(batch))
        if pool is not None:
            pool.shutdown(wait=True)  # reap the workers (their peak RSS is then visible to getrusage)
        writer.finalize()
    except BaseException:
        writer.abort()
        if pool is not None:
            stop_pool(pool)
        raise
    counts = {"documents": documents, "tokens": tokens, "canonical_tokens": canonical_tokens, "bytes": n_bytes}
    stats = _stats(processor, tokenizer, tokenizer_spec, seed, counts, held_out, val_fraction, skips)
    stats.update(workers=workers, seconds=round(time.perf_counter() - start, 3),
                 peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    return stats, writer.files


def _stats(processor, tokenizer, tokenizer_spec: str, seed: int, counts: dict[str, int], held_out: dict[str, int],
           val_fraction: float, skips: SkipLog) -> dict[str, Any]:
    bos, eos = tokenizer.bos_id, tokenizer.eos_id
    documents, tokens, canonical, n_bytes = counts["documents"], counts["tokens"], counts["canonical_tokens"], counts["bytes"]
    return {
        "method": processor.name,
        "params": processor.params(),
        "seed": seed,
        "tokenizer": tokenizer_spec,
        "tokenizer_hash": tokenizer.content_hash,
        "vocab_size": tokenizer.vocab_size,
        "bos_id": bos,
        "eod_id": eos,
        "documents": documents,
        "tokens": tokens,
        "tokens_with_bos_eod": tokens + documents * ((bos is not None) + (eos is not None)),
        "canonical_tokens": canonical,
        "expansion_vs_baseline": tokens / canonical - 1.0 if canonical else 0.0,
        "bytes": n_bytes,
        "tokens_per_byte": tokens / n_bytes if n_bytes else 0.0,
        "held_out": {"fraction": val_fraction, **held_out},
        "skipped": skips.to_dict(),
        "input_records": documents + held_out["documents"] + skips.total,
        "morphtok_version": __version__,
    }


def write_validation(inputs: str | Path, output: str | Path, val_fraction: float) -> int:
    """The held-out documents as raw-text JSONL (``{"id","text"}``), shared by every arm.

    Bad records are the same ones every arm's ``stats.json`` counts (same reader, same input).
    """
    count = 0
    with atomic_open(output, "w", encoding="utf-8") as handle:
        for doc in iter_documents(inputs, SkipLog()):
            if is_validation(doc.key, val_fraction):
                handle.write(json.dumps({"id": doc.key, "text": doc.text}, ensure_ascii=False) + "\n")
                count += 1
    return count


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1))
