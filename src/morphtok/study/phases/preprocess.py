"""Phase ``preprocess``: every arm over every chunk -> indexed datasets, plus the shared validation.jsonl."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from morphtok.config import StudyConfig
from morphtok.errors import CorpusError
from morphtok.study.phase import Estimate, upstream, write_result
from morphtok.study.throughputs import corpus_bytes, load_throughputs


def run(cfg: StudyConfig, workdir: Path) -> Path:
    """Every arm over every chunk (one indexed prefix per chunk), plus the shared validation.jsonl.

    The chunks are the split's manifest's. A chunk prefix already committed with the same
    fingerprint is reused (:func:`morphtok.data.preprocess.preprocess`), so an interrupted
    phase only redoes unfinished chunks.
    """
    from morphtok.data.manifest import read_manifest
    from morphtok.data.preprocess import preprocess, write_validation
    from morphtok.segment.processor import arm_params

    corpus = upstream(workdir, "corpus")
    chunks = [str(p) for p in read_manifest(corpus["manifest"]).paths()] if "manifest" in corpus else corpus["chunks"]
    out = workdir
    prefixes: dict[str, list[str]] = {}
    stats: dict[str, list[dict]] = {}
    for arm in cfg.arms.names:
        prefixes[arm] = [str(out / arm / Path(chunk).stem) for chunk in chunks]
        stats[arm] = [
            preprocess(chunk, prefix, arm, seed=cfg.seed, workers=cfg.preprocess.workers,
                       tokenizer_spec=cfg.tokenizer.name, params=arm_params(cfg, arm),
                       val_fraction=cfg.corpus.val_fraction, strict=cfg.preprocess.strict)
            for chunk, prefix in zip(chunks, prefixes[arm], strict=True)
        ]
    validation = out / "validation.jsonl"
    count = 0
    for chunk in chunks:  # one file over all chunks; each chunk holds out by document key
        part = out / f".validation_{Path(chunk).stem}.jsonl"
        count += write_validation(chunk, part, cfg.corpus.val_fraction)
    _concat([out / f".validation_{Path(c).stem}.jsonl" for c in chunks], validation)
    if count == 0:
        raise CorpusError(
            "no validation documents were held out",
            where=str(validation),
            hint="raise corpus.val_fraction or use a larger corpus",
        )
    tokens = {arm: sum(s["tokens"] for s in arm_stats) for arm, arm_stats in stats.items()}
    accounting = input_accounting(corpus.get("fetch") or {}, stats)
    summary = ", ".join(f"{arm} {n:,} tok" for arm, n in tokens.items())
    skipped = accounting["fetch_skipped"]["total"] + max((a["skipped"] for a in accounting["arms"].values()), default=0)
    return write_result(
        workdir,
        {"prefixes": prefixes, "validation": str(validation), "tokens": tokens, "validation_documents": count,
         "accounting": accounting},
        message=summary + (f"; {skipped:,} bad input record(s) skipped (see preprocess/done: accounting)" if skipped else ""),
    )


def input_accounting(fetch: dict[str, Any], stats: dict[str, list[dict]]) -> dict[str, Any]:
    """Where every input record went: fetched or skipped by the fetch, then per arm used, held out or skipped.

    ``input_records`` is what the fetch read (or, without a fetch record, what preprocessing
    read); for each arm ``documents + held_out + skipped`` is what preprocessing read.
    """
    fetch_skipped = fetch.get("skipped") or {"total": 0, "by_reason": {}, "examples": {}}
    arms = {}
    for arm, parts in stats.items():
        by_reason: dict[str, int] = {}
        for part in parts:
            for reason, n in part["skipped"]["by_reason"].items():
                by_reason[reason] = by_reason.get(reason, 0) + n
        arms[arm] = {"documents": sum(p["documents"] for p in parts),
                     "held_out": sum(p["held_out"]["documents"] for p in parts),
                     "skipped": sum(p["skipped"]["total"] for p in parts), "skipped_by_reason": by_reason,
                     "input_records": sum(p["input_records"] for p in parts)}
    preprocess_read = max((a["input_records"] for a in arms.values()), default=0)
    records = fetch.get("records_read")
    return {"input_records": records if records is not None else preprocess_read,
            "fetch_skipped": {k: fetch_skipped.get(k) for k in ("total", "by_reason", "examples")}, "arms": arms}


def _concat(parts: list[Path], target: Path) -> None:
    from morphtok.atomic import atomic_open

    with atomic_open(target, "wb") as handle:
        for part in parts:
            with open(part, "rb") as source:
                shutil.copyfileobj(source, handle)
            part.unlink()


def estimate(cfg: StudyConfig) -> Estimate:
    """Tokens per arm from the corpus bytes; time and expansion from each arm's declared throughput."""
    from morphtok.segment.processor import processor_class

    tp = load_throughputs()["preprocess"]
    canonical = corpus_bytes(cfg) * (1 - cfg.corpus.val_fraction) * tp["tokens_per_byte"]
    seconds = disk = 0.0
    for arm in cfg.arms.names:
        throughput = processor_class(arm).throughput
        tokens = canonical * (1 + throughput.expansion)
        seconds += tokens / (throughput.tokens_per_s_per_worker * cfg.preprocess.workers)
        disk += tokens * tp["bytes_per_token_on_disk"]
    return Estimate(seconds, disk, "cpu", f"{len(cfg.arms.names)} arms x {canonical / 1e6:,.1f}M tokens, "
                    f"{cfg.preprocess.workers} worker(s)")
