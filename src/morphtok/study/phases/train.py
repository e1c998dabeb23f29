"""Phase ``train``: continued pretraining, one model per arm, then the HF export (or cluster jobs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from morphtok.cluster.disk import checkpoint_disk, model_params
from morphtok.config import StudyConfig
from morphtok.errors import StudyError
from morphtok.study.phase import Estimate, upstream, write_result
from morphtok.study.phases.cluster_jobs import needs_cluster, render_cluster_jobs
from morphtok.study.throughputs import load_throughputs, on_cluster


def run(cfg: StudyConfig, workdir: Path) -> Path:
    """Train every arm on its datasets here; with GPUs asked for but none here, render the jobs."""
    pre = upstream(workdir, "preprocess")
    if needs_cluster(cfg, workdir):
        return render_cluster_jobs(cfg, workdir)
    from morphtok.train.trainer import run as train

    models: dict[str, str] = {}
    training_dirs: dict[str, str] = {}
    # The tiny model's vocabulary comes from every arm's declared datasets (one map for all arms).
    every_arm = [prefix for arm in cfg.arms.names for prefix in pre["prefixes"][arm]]
    for arm in cfg.arms.names:
        checkpoint_dir = workdir / arm
        result = train(cfg, arm, pre["prefixes"][arm], pre["validation"], checkpoint_dir, vocab_prefixes=every_arm)
        models[arm] = str(_export_dir(result, checkpoint_dir))
        training_dirs[arm] = str(checkpoint_dir)
    return write_result(workdir, {"models": models, "training_dirs": training_dirs})


def _export_dir(result: Any, checkpoint_dir: Path) -> Path:
    """The trainer returns the exported HF dir (a path, or an object/dict holding one)."""
    for candidate in (
        result,
        getattr(result, "export_dir", None),
        result.get("export_dir") if isinstance(result, dict) else None,
    ):
        if isinstance(candidate, (str, Path)) and Path(candidate).is_dir():
            return Path(candidate)
    default = checkpoint_dir / "export"
    if default.is_dir():
        return default
    raise StudyError(
        "the trainer finished but no exported model was found",
        where=str(checkpoint_dir),
        hint="expected the trainer to return the export directory",
    )


def estimate(cfg: StudyConfig) -> Estimate:
    """Tokens per arm over the throughput of the GPUs (assumed MFU) or of this CPU (measured)."""
    tp = load_throughputs()
    tr, t = tp["train"], cfg.train
    tokens = t.max_steps * t.global_batch_size * t.seq_length
    if on_cluster(cfg):
        per_s = t.num_gpus * t.num_nodes * tr["gpu_mfu"] * tr["gpu_peak_flops"] / (6 * model_params(t.model, tp))
        note = f"{tokens / 1e9:,.2f}B tokens/arm on {t.num_gpus * t.num_nodes} GPU(s) (assumed {tr['gpu_mfu']:.0%} MFU)"
    else:
        per_s = tr["cpu_tokens_per_s"].get(t.model, tr["cpu_tokens_per_s"]["gemma3-270m"])
        note = f"{tokens / 1e6:,.2f}M tokens/arm on CPU"
    disk = checkpoint_disk(cfg, tp)
    note += (f"; checkpoints: keep_last {t.keep_last} per arm, {disk / 1e9:,.0f} GB of the "
             f"{t.disk_budget_gb:g} GB disk budget" + (" (OVER BUDGET)" if disk > t.disk_budget_gb * 1e9 else ""))
    if not on_cluster(cfg):
        return Estimate(len(cfg.arms.names) * tokens / per_s, disk, "cpu", note)
    from morphtok.cluster.schedulers import resolve

    scheds = resolve("both")  # the schedulers `study run` renders jobs for
    command = (f"bash {{out}}/train/jobs/submit_all.sh {'|'.join(s.name for s in scheds)} "
               f"({'|'.join(s.submit.split()[0] for s in scheds)}; rendered by study run)")
    return Estimate(len(cfg.arms.names) * tokens / per_s, disk, "gpu cluster", note, cluster_command=command)
