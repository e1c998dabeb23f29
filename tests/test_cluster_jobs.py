"""Rendered PBS/Slurm jobs run under bash with stand-ins for enroot, torchrun, python, qsub, sbatch and
scontrol on PATH: the argv each program gets, the container's mounts, the environment passed by
name, the array index -> chunk mapping, requeue, and submit_all.sh's dependencies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cluster_stubs import calls, make_stubs, run_job, stub_env

from morphtok.cluster import render_jobs
from morphtok.cluster.render import default_repo
from morphtok.config import load_config

REPO = default_repo()


@pytest.fixture
def study(tmp_path) -> dict:
    cfg = load_config("gemma3-1b-seapile")
    root = tmp_path / "study"
    jobs = root / "train" / "jobs"
    render_jobs(cfg, jobs, run_dir=root)
    stubs = make_stubs(tmp_path / "stubs")
    return {"cfg": cfg, "root": root, "jobs": jobs, "stubs": stubs, "log": tmp_path / "calls.jsonl",
            "home": tmp_path / "home"}


def _env(s, **extra):
    return stub_env(s["stubs"], s["log"], HOME=str(s["home"]), **extra)


def _pairs(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == flag]


def test_training_job_mounts_host_dirs_passes_names_and_requeues(study):
    env = _env(study, HF_TOKEN="hf_SECRET_VALUE", WANDB_API_KEY="wb_SECRET_VALUE", NCCL_DEBUG="INFO",
               SLURM_JOB_ID="42", STUB_RC_ENROOT="75")
    result = run_job(study["jobs"] / "run_cpt_patok.slurm", env)
    assert result.returncode == 0, result.stderr  # 75 = saved and stopped: requeued, not failed
    root, cfg = study["root"], study["cfg"]
    merge = calls(study["log"], "python")[0]["argv"]
    chunks = [str(root / f"data/processed/patok/chunk_{i:04d}") for i in range(1, cfg.corpus.num_chunks + 1)]
    assert merge == ["-m", "morphtok.cli", "preprocess", "merge", "--chunks-manifest",
                     str(root / "data/chunks/manifest.json"), "--output-prefix",
                     str(root / "data/processed/patok/seapile"), *chunks]
    (enroot,) = calls(study["log"], "enroot")
    argv = enroot["argv"]
    assert argv[:2] == ["start", "--rw"]
    assert dict(m.split(":") for m in _pairs(argv, "--mount")) == {
        str(REPO): "/workspace", str(root): "/study", str(study["jobs"]): "/jobs",
        str(root / "checkpoints"): "/logs/checkpoints", str(root / "checkpoints/wandb"): "/logs/wandb",
        str(study["home"] / ".cache/huggingface"): "/hf_home"}
    envs = _pairs(argv, "--env")
    assert {"HF_TOKEN", "WANDB_API_KEY", "NCCL_DEBUG", "SLURM_JOB_ID"} <= set(envs)
    assert {"PYTHONPATH=/workspace/src", "HF_HOME=/hf_home", "WANDB_DIR=/logs/wandb"} <= set(envs)
    assert "WANDB_MODE" not in envs  # unset here: not passed (enroot would pass it empty)
    assert not any("SECRET" in a for a in argv)  # by name only
    assert {"HF_TOKEN", "WANDB_API_KEY"} <= set(enroot["env"])  # ... and the values reach enroot
    command = argv[argv.index("nemo_framework") + 1:]
    assert command[:2] == ["bash", "-c"] and "import morphtok.cluster.bridge_run" in command[2]
    assert command[3:] == ["morphtok-job", "python", "training/nemo/run_cpt.py", "--config", "/jobs/config.yaml",
                           "--arm", "patok", "--data-path", "/study/data/processed/patok/seapile",
                           "--validation-path", "/study/data/processed/validation/baseline",
                           "--checkpoint-dir", "/logs/checkpoints/gemma3-1b-patok"]
    assert [c["argv"] for c in calls(study["log"], "scontrol")] == [["requeue", "42"]]
    assert (study["jobs"] / "config.yaml").is_file() and (root / "checkpoints").is_dir()


def test_a_failed_training_job_fails_and_is_not_requeued(study):
    result = run_job(study["jobs"] / "run_cpt_patok.slurm", _env(study, SLURM_JOB_ID="42", STUB_RC_ENROOT="1"))
    assert result.returncode == 1 and calls(study["log"], "scontrol") == []


def test_a_signal_reaches_the_trainer_which_saves_and_stops(study, tmp_path):
    ready = tmp_path / "ready"
    job = subprocess.Popen(["bash", str(study["jobs"] / "run_cpt_baseline.pbs")], env=_env(study, STUB_ENROOT_WAIT=str(ready)),
                           cwd=study["jobs"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ready.exists()
    job.send_signal(signal.SIGTERM)  # PBS at walltime / preemption
    _, err = job.communicate(timeout=60)
    assert job.returncode == 75 and "resubmit" in err
    assert [c.get("signal") for c in calls(study["log"], "enroot") if "signal" in c] == [signal.SIGTERM]


@pytest.mark.parametrize(("sched", "variable"), [("pbs", "PBS_ARRAY_INDEX"), ("slurm", "SLURM_ARRAY_TASK_ID")])
def test_preprocessing_array_task_passes_its_index_and_the_config(study, sched, variable):
    job = study["jobs"] / f"preprocess_data_stochastok.{sched}"
    assert run_job(job, _env(study, **{variable: "7"})).returncode == 0
    (call,) = calls(study["log"], "python")
    assert call["argv"] == ["-m", "morphtok.cli", "jobs", "step", "preprocess", "--config",
                            str(study["jobs"] / "config.yaml"), "--arm", "stochastok", "--chunk", "7",
                            "--chunks-dir", str(study["root"] / "data/chunks"),
                            "--out-dir", str(study["root"] / "data/processed")]
    outside = run_job(job, _env(study))  # not an array task
    assert outside.returncode != 0 and "array job" in outside.stderr


def test_every_rendered_job_is_valid_bash_with_no_secret_and_no_hyperparameter_flag(tmp_path):
    cfg = load_config("gemma3-1b-seapile")
    old = {k: os.environ.get(k) for k in ("HF_TOKEN", "WANDB_API_KEY")}
    os.environ.update(HF_TOKEN="hf_SENTINEL", WANDB_API_KEY="wb_SENTINEL")
    try:
        written = render_jobs(cfg, tmp_path / "jobs", run_dir=tmp_path)
    finally:
        for key, value in old.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    assert len(written) == 16  # 7 jobs x 2 schedulers, submit_all.sh, config.yaml
    for name, path in written.items():
        text = path.read_text()
        assert "SENTINEL" not in text
        if name != "config.yaml":
            assert subprocess.run(["bash", "-n", str(path)]).returncode == 0, name
            for flag in ("--lr", "--seq-length", "--max-steps", "--seed", "--expand-prop", "--global-batch-size",
                         "--micro-batch-size", "--val-fraction", "[ -f"):
                assert flag not in text, (name, flag)
    assert load_config(tmp_path / "jobs" / "config.yaml") == cfg


def test_torchrun_jobs_launch_the_local_trainer_on_the_merged_data(tmp_path):
    cfg = load_config("gemma3-1b-seapile", ["train.launcher=torchrun", "train.model=gemma3-270m"])
    jobs = tmp_path / "jobs"
    render_jobs(cfg, jobs, run_dir=tmp_path, scheduler="slurm")
    stubs, log = make_stubs(tmp_path / "stubs"), tmp_path / "calls.jsonl"
    assert run_job(jobs / "run_cpt_patok.slurm", stub_env(stubs, log, SLURM_JOB_ID="1")).returncode == 0
    (call,) = calls(log, "torchrun")
    assert call["argv"] == ["--standalone", "--nproc_per_node=8", "-m", "morphtok.cli", "train",
                            "--config", str(jobs / "config.yaml"), "--arm", "patok",
                            "--data-path", str(tmp_path / "data/processed/patok/seapile"),
                            "--validation", str(tmp_path / "data/processed/validation.jsonl"),
                            "--checkpoint-dir", str(tmp_path / "checkpoints/gemma3-1b-patok")]


def _write_chunks(root: Path, count: int) -> None:
    chunks = root / "data" / "chunks"
    chunks.mkdir(parents=True)
    for i in range(1, count + 1):
        (chunks / f"chunk_{i:04d}.jsonl").write_text(json.dumps({"id": str(i), "text": "x"}) + "\n")


@pytest.mark.parametrize("sched", ["pbs", "slurm"])
def test_submit_all_submits_training_after_its_preprocessing_array(study, sched):
    _write_chunks(study["root"], study["cfg"].corpus.num_chunks)
    result = subprocess.run(["bash", str(study["jobs"] / "submit_all.sh"), sched], capture_output=True, text=True,
                            env=_env(study, MORPHTOK_PYTHON=sys.executable))
    assert result.returncode == 0, result.stderr
    submitter = "qsub" if sched == "pbs" else "sbatch"
    submitted = [c["argv"] for c in calls(study["log"], submitter)]
    ids = {}  # job file -> the id the scheduler answered (the stub numbers them by call)
    for line in result.stdout.splitlines():
        key, _, value = line.partition(": ")
        if key == "prepare_validation":
            ids["validation"] = value
        elif key in ("baseline", "stochastok", "patok"):
            ids[key] = dict(part.split(" ") for part in value.split(", "))
    assert len(submitted) == 7 and submitted[0][-1].endswith(f"prepare_validation.{sched}")
    for arm, job_arm in (("baseline", "vanilla"), ("stochastok", "stochastok"), ("patok", "patok")):
        pre = next(a for a in submitted if a[-1].endswith(f"preprocess_data_{job_arm}.{sched}"))
        train = next(a for a in submitted if a[-1].endswith(f"run_cpt_{arm}.{sched}"))
        assert submitted.index(pre) < submitted.index(train)
        if sched == "pbs":
            assert ids[arm]["preprocess"].endswith("[].pbs01")  # the whole array
            assert train[:-1] == ["-W", f"depend=afterok:{ids[arm]['preprocess']}:{ids['validation']}"]
        else:
            assert ";" not in ids[arm]["preprocess"]  # --parsable's ID;CLUSTER cut to the id
            assert train[:-1] == ["--parsable", f"--dependency=afterok:{ids[arm]['preprocess']}:{ids['validation']}"]


def test_submit_all_submits_nothing_without_the_split(study):
    result = subprocess.run(["bash", str(study["jobs"] / "submit_all.sh"), "pbs"], capture_output=True, text=True,
                            env=_env(study, MORPHTOK_PYTHON=sys.executable))
    assert result.returncode != 0 and "chunk file(s) missing" in result.stderr
    assert calls(study["log"], "qsub") == []
