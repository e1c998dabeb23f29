"""Cluster job rendering (PBS and Slurm job arrays) for the seed plan's GPU/cluster steps.

We render, we do not schedule: the jobs call the same ``morphtok`` CLI (or NeMo's
``training/nemo/run_cpt.py`` inside the container), and PBS/Slurm run them.
Secrets are never written into job files; jobs read them from the environment.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from string import Template

from morphtok.train.trainer import accumulation_steps

ARMS = ("baseline", "stochastok", "patok")
# The seed names the baseline preprocessing job "vanilla".
JOB_ARM = {"baseline": "vanilla", "stochastok": "stochastok", "patok": "patok"}


def _template(name: str) -> Template:
    return Template((resources.files("morphtok.cluster") / "templates" / name).read_text(encoding="utf-8"))


def _arm_flags(cfg, arm: str) -> str:
    if arm == "stochastok":
        return f" --expand-prop {cfg.arms.stochastok.expand_prop}"
    if arm == "patok":
        p = cfg.arms.patok
        return f" --contract-prop {p.contract_prop} --expand-prop {p.expand_prop} --affix-awareness {p.affix_awareness}"
    return ""


def render_jobs(cfg, out_dir: str | Path, run_dir: str | Path | None = None, scheduler: str = "both",
                launcher: str | None = None, data_root: str = "data") -> dict[str, Path]:
    """Write jobs/preprocess_data_{vanilla,stochastok,patok}.{pbs,slurm} and jobs/run_cpt_<arm>.{pbs,slurm}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    schedulers = ("pbs", "slurm") if scheduler == "both" else (scheduler,)
    tc = cfg.train
    world = max(tc.num_gpus, 1) * max(tc.num_nodes, 1)
    accumulation = accumulation_steps(tc.global_batch_size, tc.micro_batch_size, world)
    launcher = launcher or ("nemo" if tc.launcher in ("nemo", "local") else tc.launcher)
    written: dict[str, Path] = {}
    for arm in cfg.arms.names:
        job_arm = JOB_ARM.get(arm, arm)
        values = {
            "arm": arm, "job_arm": job_arm, "method": arm, "num_chunks": cfg.corpus.num_chunks,
            "ncpus": max(cfg.preprocess.workers, 1), "mem": "64gb", "walltime": "08:00:00", "seed": cfg.seed,
            "val_fraction": cfg.corpus.val_fraction, "arm_flags": _arm_flags(cfg, arm), "morphtok": "morphtok",
            "chunks_dir": f"{data_root}/chunks", "processed_dir": f"{data_root}/processed",
            "model": tc.model, "num_nodes": tc.num_nodes, "num_gpus": tc.num_gpus, "world_size": world,
            "global_batch_size": tc.global_batch_size, "micro_batch_size": tc.micro_batch_size,
            "accumulation": accumulation,
        }
        data_path = f"/workspace/{data_root}/processed/{job_arm}/seapile"
        values["merged"] = f"{data_root}/processed/{job_arm}/seapile"
        values["chunks_glob"] = f"$(ls {data_root}/processed/{job_arm}/chunk_*.idx | sed 's/[.]idx$//')"
        run_name = tc.wandb_name.format(arm=arm)
        validation_jsonl = f"{data_root}/processed/validation.jsonl"
        validation_prefix = f"{data_root}/processed/validation/baseline"
        values["prepare_validation"] = (
            f"[ -f {validation_jsonl} ] || morphtok preprocess validation --input {data_root}/chunks "
            f"--output {validation_jsonl} --val-fraction {cfg.corpus.val_fraction}\n"
            f"[ -f {validation_prefix}.idx ] || morphtok preprocess --method baseline --input {validation_jsonl} "
            f"--output-prefix {validation_prefix} --seed {cfg.seed}"
        )
        if launcher == "torchrun":
            values["launch"] = (
                f"torchrun --nnodes {tc.num_nodes} --nproc_per_node {tc.num_gpus} -m morphtok.cli train "
                f"--config {cfg.name} --arm {arm} --data-path {values['merged']} "
                f"--validation {validation_jsonl} --checkpoint-dir /logs/checkpoints/{run_name} "
                f"--max-steps {tc.max_steps} --wandb-name {run_name}"
            )
        else:
            values["launch"] = (
                f"./run_in_enroot.sh python training/nemo/run_cpt.py --data-path {data_path} "
                f"--validation-path /workspace/{validation_prefix} --seed {cfg.seed} "
                f"--checkpoint-dir /logs/checkpoints/{run_name} --wandb-name {run_name} --max-steps {tc.max_steps} "
                f"--global-batch-size {tc.global_batch_size} --micro-batch-size {tc.micro_batch_size} "
                f"--num-gpus {tc.num_gpus} --num-nodes {tc.num_nodes}"
            )
        for sched in schedulers:
            for kind, name in (("preprocess", f"preprocess_data_{job_arm}"), ("run_cpt", f"run_cpt_{arm}")):
                path = out_dir / f"{name}.{sched}"
                path.write_text(_template(f"{kind}.{sched}").substitute(values), encoding="utf-8")
                os.chmod(path, 0o755)
                written[path.name] = path
    return written
