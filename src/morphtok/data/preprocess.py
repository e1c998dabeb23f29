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

Resumability: outputs are written under temporary names and renamed at the end
(``.bin``, then ``.idx``, then ``.stats.json``); a killed run leaves no valid
output, and a rerun does the whole prefix again. Per-chunk prefixes make that
cheap: only unfinished chunks run again.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import resource
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from morphtok import __version__
from morphtok.atomic import atomic_open, atomic_write_json
from morphtok.data.documents import Document, SkipLog, is_validation, iter_documents
from morphtok.data.indexed import IndexedWriter, optimal_dtype
from morphtok.progress import make_progress

log = logging.getLogger(__name__)
BATCH = 64

_WORKER: dict[str, Any] = {}


def _init_worker(method: str, tokenizer_spec: str, params: dict, seed: int) -> None:
    from morphtok.segment.processor import build_processor
    from morphtok.segment.tokenizer import load_tokenizer

    tokenizer = load_tokenizer(tokenizer_spec)
    _WORKER.update(tokenizer=tokenizer, processor=build_processor(method, tokenizer, **params), seed=seed)


def _process_batch(batch: list[tuple[str, str]]) -> list[tuple[list[int], int, int]]:
    from morphtok.segment.processor import document_rng

    tokenizer, processor, seed = _WORKER["tokenizer"], _WORKER["processor"], _WORKER["seed"]
    out = []
    for key, text in batch:
        canonical = tokenizer.encode(text)
        ids = processor.process(canonical, document_rng(seed, processor.name, key))
        out.append((ids, len(canonical), len(text.encode("utf-8"))))
    return out


def _start_pool(workers: int, init: tuple) -> ProcessPoolExecutor:
    """Worker processes holding the arm, started before any thread of ours exists.

    Where ``fork`` is available the workers inherit the tokenizer and processor already
    built here (copy-on-write), so they start in milliseconds instead of each loading the
    262k-entry tokenizer and the lexicon again; that start-up cost was most of what kept
    two workers from being twice as fast on a few MB. Elsewhere, ``spawn`` and an
    initializer. Forking is safe here: no thread is running yet (the progress bar starts
    later, and a forked ProcessPoolExecutor launches all workers at its first submit), and
    tokenizers disables its own thread pool in a forked child.
    """
    if "fork" in mp.get_all_start_methods():
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"))
    else:
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_init_worker, initargs=init)
    pool.submit(int).result()  # launch the workers now, before the progress bar's thread starts
    return pool


def _ordered_map(pool: ProcessPoolExecutor, fn, items, window: int) -> Iterator:
    """``pool.map`` in input order with at most ``window`` batches in flight (bounded memory).

    A worker that dies raises BrokenProcessPool here instead of hanging the run.
    """
    pending: deque = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


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
) -> dict:
    """Write ``output_prefix.{bin,idx,stats.json}``; returns the stats."""
    from morphtok.segment.processor import build_processor
    from morphtok.segment.tokenizer import load_tokenizer

    params = dict(params or {})
    tokenizer = load_tokenizer(tokenizer_spec)
    processor = build_processor(method, tokenizer, **params)  # validates parameters before any work
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
    writer = IndexedWriter(output_prefix, optimal_dtype(tokenizer.vocab_size))
    bos, eos = tokenizer.bos_id, tokenizer.eos_id
    head, tail = ([bos] if bos is not None else []), ([eos] if eos is not None else [])
    init = (processor.name, tokenizer_spec, processor.params(), seed)
    _WORKER.update(tokenizer=tokenizer, processor=processor, seed=seed)  # this process's (and forked workers')
    pool = _start_pool(workers, init) if workers > 1 else None
    try:
        if pool is None:
            results = map(_process_batch, _batches(training_documents()))
        else:
            results = _ordered_map(pool, _process_batch, _batches(training_documents()), window=4 * workers)
        with make_progress("docs") as progress:
            task = progress.add_task(f"{processor.name} -> {Path(output_prefix).name}", total=None)
            for batch in results:
                for ids, n_canonical, size in batch:
                    writer.add_document(head + ids + tail)
                    documents += 1
                    tokens += len(ids)
                    canonical_tokens += n_canonical
                    n_bytes += size
                progress.advance(task, len(batch))
    except BaseException:
        writer.abort()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    if pool is not None:
        pool.shutdown(wait=True)  # reap the workers (their peak RSS is then visible to getrusage)
    writer.finalize()
    stats = {
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
        "canonical_tokens": canonical_tokens,
        "expansion_vs_baseline": tokens / canonical_tokens - 1.0 if canonical_tokens else 0.0,
        "bytes": n_bytes,
        "tokens_per_byte": tokens / n_bytes if n_bytes else 0.0,
        "held_out": {"fraction": val_fraction, **held_out},
        "skipped": skips.to_dict(),
        "workers": workers,
        "seconds": round(time.perf_counter() - start, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "morphtok_version": __version__,
    }
    atomic_write_json(stats_path(output_prefix), stats)
    return stats


def stats_path(prefix: str | Path) -> Path:
    return Path(f"{prefix}.stats.json")


def write_validation(inputs: str | Path, output: str | Path, val_fraction: float) -> int:
    """The held-out documents as raw-text JSONL (``{"id","text"}``), shared by every arm."""
    import json

    count = 0
    with atomic_open(output, "w", encoding="utf-8") as handle:
        for doc in iter_documents(inputs, SkipLog()):
            if is_validation(doc.key, val_fraction):
                handle.write(json.dumps({"id": doc.key, "text": doc.text}, ensure_ascii=False) + "\n")
                count += 1
    return count


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1))
