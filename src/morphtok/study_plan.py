"""``morphtok study plan``: the phases of a config with commands, estimated time and disk.

Estimates are arithmetic over the throughputs in ``study_throughputs.yaml``
(each number there says whether it was measured here or assumed), in the shape
of the seed plan's timeline table.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from morphtok.cluster.disk import checkpoint_disk
from morphtok.cluster.schedulers import resolve
from morphtok.config import StudyConfig
from morphtok.errors import CorpusError


@dataclass
class PlanRow:
    phase: str
    command: str
    seconds: float
    disk_bytes: float
    where: str  # "cpu" | "gpu cluster" | "network"
    note: str = ""


def load_throughputs(path: str | Path | None = None) -> dict[str, Any]:
    if path is None:
        text = (resources.files("morphtok") / "study_throughputs.yaml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def corpus_bytes(cfg: StudyConfig, tp: dict[str, Any]) -> float:
    source = cfg.corpus.source
    if source == "seapile":
        return float(tp["corpus"]["seapile_bytes"])
    if source == "sample":
        from morphtok.lang.fil.corpus import sample_corpus_path

        path = sample_corpus_path()
    else:
        path = Path(source).expanduser()
    if not path.exists():
        raise CorpusError("corpus source not found", where=str(path), hint="corpus.source: sample | seapile | PATH")
    if path.is_dir():
        return float(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()))
    return float(path.stat().st_size)


def _params(model: str, tp: dict[str, Any]) -> float:
    table = tp["train"]["params"]
    if model in table:
        return float(table[model])
    if "1b" in model.lower():
        return float(table["google/gemma-3-1b-pt"])
    return float(table["gemma3-270m"])


def build_plan(cfg: StudyConfig, *, has_gpu: bool = False, out: str = "runs/NAME", tp: dict | None = None) -> list[PlanRow]:
    tp = tp or load_throughputs()
    n_bytes = corpus_bytes(cfg, tp)
    rows: list[PlanRow] = []

    # corpus
    seconds = n_bytes / tp["corpus"]["split_bytes_per_s"]
    where, note = "cpu", f"{n_bytes / 1e6:,.1f} MB into {cfg.corpus.num_chunks} chunk(s)"
    if cfg.corpus.source == "seapile":
        seconds += n_bytes / tp["corpus"]["download_bytes_per_s"]
        where, note = "network", "needs the HF hub and HF_TOKEN; " + note
    rows.append(PlanRow("corpus", "--only corpus", seconds, 2 * n_bytes, where, note))

    # preprocess: tokens per arm from bytes, time from measured per-worker throughput
    pre = tp["preprocess"]
    canonical = n_bytes * (1 - cfg.corpus.val_fraction) * pre["tokens_per_byte"]
    seconds = disk = 0.0
    for arm in cfg.arms.names:
        tokens = canonical * (1 + pre["expansion"].get(arm, 0.0))
        seconds += tokens / (pre["tokens_per_s_per_worker"].get(arm, pre["tokens_per_s_per_worker"]["patok"]) * cfg.preprocess.workers)
        disk += tokens * pre["bytes_per_token_on_disk"]
    rows.append(PlanRow(
        "preprocess", "--only preprocess", seconds, disk, "cpu",
        f"{len(cfg.arms.names)} arms x {canonical / 1e6:,.1f}M tokens, {cfg.preprocess.workers} worker(s)",
    ))

    rows.append(PlanRow("bench", "--only bench", float(tp["bench"]["seconds"]), 5e6, "cpu"))

    # train: one run per arm
    tr, t = tp["train"], cfg.train
    tokens = t.max_steps * t.global_batch_size * t.seq_length
    params = _params(t.model, tp)
    on_cluster = t.num_gpus > 0
    if on_cluster:
        per_s = t.num_gpus * t.num_nodes * tr["gpu_mfu"] * tr["gpu_peak_flops"] / (6 * params)
        note = f"{tokens / 1e9:,.2f}B tokens/arm on {t.num_gpus * t.num_nodes} GPU(s) (assumed {tr['gpu_mfu']:.0%} MFU)"
    else:
        per_s = tr["cpu_tokens_per_s"].get(t.model, tr["cpu_tokens_per_s"]["gemma3-270m"])
        note = f"{tokens / 1e6:,.2f}M tokens/arm on CPU"
    disk = checkpoint_disk(cfg, tp)
    note += (f"; checkpoints: keep_last {t.keep_last} per arm, {disk / 1e9:,.0f} GB of the "
             f"{t.disk_budget_gb:g} GB disk budget" + (" (OVER BUDGET)" if disk > t.disk_budget_gb * 1e9 else ""))
    scheds = resolve("both")  # the schedulers `study run` renders jobs for
    command = (f"bash {out}/train/jobs/submit_all.sh {'|'.join(s.name for s in scheds)} "
               f"({'|'.join(s.submit.split()[0] for s in scheds)}; rendered by study run)" if on_cluster and not has_gpu
               else "--only train")
    rows.append(PlanRow("train", command, len(cfg.arms.names) * tokens / per_s, disk,
                        "gpu cluster" if on_cluster else "cpu", note))

    # eval: trained models on the full (or limited) set, reference models on their subset
    ev = tp["eval"]
    # --limit is per benchmark file: one file per family and format
    files = len(cfg.bench.families) * (2 if cfg.eval.mode == "both" else 1)
    items = min(cfg.eval.limit * files, ev["default_items"]) if cfg.eval.limit else ev["default_items"]
    rate = ev["items_per_s"]["gpu"] if on_cluster else ev["items_per_s"].get(t.model, ev["items_per_s"]["gemma3-270m"])
    seconds = len(cfg.arms.names) * items / rate
    for ref in cfg.eval.reference_models:
        seconds += (min(cfg.eval.reference_limit * files, ev["default_items"]) if cfg.eval.reference_limit else ev["default_items"]) / (ev["items_per_s"]["gpu"] if on_cluster else ev["items_per_s"].get(ref, 2))
    rows.append(PlanRow("eval", "--only eval", seconds, 2e7, "gpu cluster" if on_cluster else "cpu",
                        f"{len(cfg.arms.names)} model(s) x {items:,} items, mode {cfg.eval.mode}"))

    rows.append(PlanRow("analysis", "--only analysis", float(tp["analysis"]["seconds"]), 5e6, "cpu"))
    return rows


def human_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} TB"
