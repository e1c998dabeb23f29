"""Phase ``eval``: MCQ + generative evaluation of every trained model (and the reference models)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from morphtok.config import StudyConfig
from morphtok.study.phase import Estimate, upstream, write_result
from morphtok.study.throughputs import load_throughputs, on_cluster


def run(cfg: StudyConfig, workdir: Path) -> Path:
    from morphtok.eval.runner import EvalSettings
    from morphtok.eval.runner import run as evaluate

    ev = cfg.eval
    models = dict(upstream(workdir, "train")["models"])
    bench_dir = upstream(workdir, "bench")["benchmark_dir"]
    out = workdir / "results"

    def options(limit: int | None) -> dict:
        return asdict(EvalSettings.from_config(ev, seed=cfg.seed, limit=limit))

    evaluate(models, bench_dir, out, mode=ev.mode, benchmarks=list(ev.benchmarks), **options(ev.limit))
    if ev.reference_models:
        # Reference rows (e.g. base gemma3-270m) on a seeded subset: too slow on CPU for the full set.
        refs = {name: name for name in ev.reference_models}
        evaluate(refs, bench_dir, out, mode=ev.mode, benchmarks=list(ev.benchmarks), **options(ev.reference_limit))
    return write_result(workdir, {"results_dir": str(out), "models": sorted(models) + list(ev.reference_models)})


def estimate(cfg: StudyConfig) -> Estimate:
    """Trained models on the full (or limited) set, reference models on their subset."""
    tp = load_throughputs()["eval"]
    rates, gpu = tp["items_per_s"], on_cluster(cfg)
    # --limit is per benchmark file: one file per family and format
    files = len(cfg.bench.families) * (2 if cfg.eval.mode == "both" else 1)

    def items(limit: int | None) -> int:
        return min(limit * files, tp["default_items"]) if limit else tp["default_items"]

    rate = rates["gpu"] if gpu else rates.get(cfg.train.model, rates["gemma3-270m"])
    seconds = len(cfg.arms.names) * items(cfg.eval.limit) / rate
    for ref in cfg.eval.reference_models:
        seconds += items(cfg.eval.reference_limit) / (rates["gpu"] if gpu else rates.get(ref, 2))
    return Estimate(seconds, 2e7, "gpu cluster" if gpu else "cpu",
                    f"{len(cfg.arms.names)} model(s) x {items(cfg.eval.limit):,} items, mode {cfg.eval.mode}")
