"""Rendered PBS/Slurm jobs: resource lines, array ranges, commands, syntax, and no secrets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from morphtok.cluster import render_jobs
from morphtok.config import load_config

ARMS = {"vanilla": "baseline", "stochastok": "stochastok", "patok": "patok"}


@pytest.fixture(scope="module")
def jobs(tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("jobs")
    cfg = load_config("gemma3-1b-seapile")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_TOKEN", "hf_SENTINEL_never_in_files")
        mp.setenv("WANDB_API_KEY", "wandb_SENTINEL_never_in_files")
        render_jobs(cfg, out, scheduler="both")
    return out, cfg


def test_every_job_is_valid_bash_and_holds_no_secret(jobs):
    out, _ = jobs
    files = sorted(out.iterdir())
    assert len(files) == 12
    for path in files:
        assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0, path.name
        assert "SENTINEL" not in path.read_text(), f"{path.name} contains a secret from the environment"


@pytest.mark.parametrize("job_arm", sorted(ARMS))
def test_preprocess_arrays(jobs, job_arm):
    out, cfg = jobs
    chunks = cfg.corpus.num_chunks
    pbs = (out / f"preprocess_data_{job_arm}.pbs").read_text()
    assert f"#PBS -J 1-{chunks}\n" in pbs
    assert re.search(r"^#PBS -l select=1:ncpus=\d+:mem=\d+gb$", pbs, re.M)
    assert re.search(r"^#PBS -l walltime=\d\d:\d\d:\d\d$", pbs, re.M)
    assert "${PBS_ARRAY_INDEX}" in pbs
    slurm = (out / f"preprocess_data_{job_arm}.slurm").read_text()
    assert f"#SBATCH --array=1-{chunks}\n" in slurm and "${SLURM_ARRAY_TASK_ID}" in slurm
    assert re.search(r"^#SBATCH --cpus-per-task=\d+$", slurm, re.M)
    for text in (pbs, slurm):
        assert f"preprocess --method {ARMS[job_arm]} " in text
        assert f"--output-prefix data/processed/{job_arm}/chunk_" in text
        assert f"--seed {cfg.seed} " in text
        ncpus = re.search(r"(?:ncpus=|cpus-per-task=)(\d+)", text).group(1)
        assert f"--workers {ncpus} " in text  # workers match the cores asked for


@pytest.mark.parametrize("arm", ["baseline", "stochastok", "patok"])
def test_training_jobs_carry_the_seed_values(jobs, arm):
    out, cfg = jobs
    t = cfg.train
    for suffix in ("pbs", "slurm"):
        text = (out / f"run_cpt_{arm}.{suffix}").read_text()
        assert f"--max-steps {t.max_steps}" in text
        assert f"--global-batch-size {t.global_batch_size} --micro-batch-size {t.micro_batch_size}" in text
        assert f"--num-gpus {t.num_gpus} --num-nodes {t.num_nodes}" in text
        data_dir = "vanilla" if arm == "baseline" else arm  # the seed keeps baseline data under vanilla/
        assert f"gemma3-1b-{arm}" in text and f"--data-path /workspace/data/processed/{data_dir}/seapile" in text
    pbs = (out / f"run_cpt_{arm}.pbs").read_text()
    assert re.search(rf"^#PBS -l select={t.num_nodes}:ncpus=\d+:ngpus={t.num_gpus}", pbs, re.M)
    slurm = (out / f"run_cpt_{arm}.slurm").read_text()
    assert f"#SBATCH --nodes={t.num_nodes}\n" in slurm and f"#SBATCH --gpus-per-node={t.num_gpus}\n" in slurm


def test_training_jobs_build_the_shared_baseline_validation_set(jobs):
    out, cfg = jobs
    for arm in ("baseline", "stochastok", "patok"):
        text = (out / f"run_cpt_{arm}.pbs").read_text()
        assert (f"morphtok preprocess validation --input data/chunks --output data/processed/validation.jsonl "
                f"--val-fraction {cfg.corpus.val_fraction}") in text
        # every arm validates on the baseline tokenization of the same documents
        assert "preprocess --method baseline --input data/processed/validation.jsonl" in text
        assert "--validation-path /workspace/data/processed/validation/baseline" in text


def test_torchrun_jobs_train_on_the_merged_arm_data(tmp_path):
    cfg = load_config("gemma3-1b-seapile")
    render_jobs(cfg, tmp_path, scheduler="slurm", launcher="torchrun")
    text = (tmp_path / "run_cpt_patok.slurm").read_text()
    assert subprocess.run(["bash", "-n", str(tmp_path / "run_cpt_patok.slurm")]).returncode == 0
    launch = next(line for line in text.splitlines() if line.startswith("torchrun"))
    assert f"--nproc_per_node {cfg.train.num_gpus}" in launch
    assert "--data-path data/processed/patok/seapile " in launch  # the merged prefix, not one chunk
    assert "--validation data/processed/validation.jsonl" in launch
