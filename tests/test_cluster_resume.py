"""Resume of a Megatron-Bridge run, decided before any GPU process starts, on real directories laid
out the way Bridge 0.3.0 and megatron-core 0.16 write them (iter_<step:07d>/ with train_state.pt and
metadata.json; trackers latest_train_state.pt / latest_checkpointed_iteration.txt in the save dir)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from morphtok.cluster import resume
from morphtok.data.indexed import IndexedWriter
from morphtok.errors import CheckpointError

ROOT = Path(__file__).resolve().parents[1]
IDENTITY = {"data_path": "/study/data/processed/patok/seapile", "model": "google/gemma-3-1b-pt"}


def save(save_dir: Path, step: int, complete: bool = True) -> Path:
    path = save_dir / f"iter_{step:07d}"
    path.mkdir(parents=True)
    (path / "__0_0.distcp").write_bytes(b"shard")
    if complete:
        (path / "metadata.json").write_text("{}")
        (path / "train_state.pt").write_bytes(b"state")
        (save_dir / "latest_checkpointed_iteration.txt").write_text(str(step))
    return path


def test_a_fresh_run_starts_from_the_pretrained_weights(tmp_path):
    point = resume.resume_point(tmp_path, tmp_path / "checkpoints", IDENTITY)
    assert point.step is None and not (tmp_path / resume.MARKER).exists()


def test_an_unfinished_last_checkpoint_is_moved_aside_and_the_previous_one_used(tmp_path):
    ckpt = tmp_path / "checkpoints"
    save(ckpt, 1000), save(ckpt, 2000)
    save(ckpt, 3000, complete=False)  # killed during the save: shards, no metadata.json / train_state.pt
    point = resume.resume_point(tmp_path, ckpt, IDENTITY)
    assert point.step == 2000
    assert sorted(p.name for p in ckpt.iterdir() if p.name.startswith("iter_")) == ["iter_0001000", "iter_0002000"]
    (moved,) = point.moved_aside
    assert moved.parent == tmp_path / resume.UNFINISHED_DIR and (moved / "__0_0.distcp").is_file()
    assert json.loads((tmp_path / resume.MARKER).read_text())["first_step"] == 2000


def test_a_run_that_saved_before_never_restarts_from_the_hf_weights(tmp_path):
    ckpt = tmp_path / "checkpoints"
    save(ckpt, 1000)
    assert resume.resume_point(tmp_path, ckpt, IDENTITY).step == 1000
    for path in ckpt.iterdir():  # the checkpoint dir is gone (not mounted, deleted, another node's disk)
        path.rename(tmp_path / f"elsewhere-{path.name}")
    with pytest.raises(CheckpointError, match="refusing to restart from the HF weights"):
        resume.resume_point(tmp_path, ckpt, IDENTITY)


def test_a_run_dir_of_another_run_is_refused(tmp_path):
    save(tmp_path / "checkpoints", 1000)
    resume.resume_point(tmp_path, tmp_path / "checkpoints", IDENTITY)
    other = {**IDENTITY, "data_path": "/study/data/processed/vanilla/seapile"}
    with pytest.raises(CheckpointError, match="belongs to another run"):
        resume.resume_point(tmp_path, tmp_path / "checkpoints", other)


def test_the_wandb_run_id_is_kept_across_resumes(tmp_path):
    first = resume.wandb_run_id(tmp_path)
    assert resume.wandb_run_id(tmp_path) == first and len(first) == 16
    (tmp_path / resume.WANDB_ID_FILE).write_text("../../etc\n")
    with pytest.raises(CheckpointError, match="not a W&B run id"):
        resume.wandb_run_id(tmp_path)


def test_a_signal_to_the_launcher_reaches_the_workers_not_torchrun(tmp_path):
    """run_forwarding_signals sends SIGTERM to the launched process's children (the ranks), so
    torchrun does not kill them after its grace period while they save."""
    out = tmp_path / "worker.txt"
    worker = ("import signal, sys, time, pathlib\n"
              f"out = pathlib.Path({str(out)!r})\n"
              "signal.signal(signal.SIGTERM, lambda *a: (out.write_text('saved on TERM'), sys.exit(0)))\n"
              "out.write_text('ready')\ntime.sleep(60)\nout.write_text('timeout')\n")
    # torchrun's stand-in: waits for its one worker; a SIGTERM to it would end it with -15
    agent = f"import subprocess, sys; sys.exit(subprocess.call([sys.executable, '-c', {worker!r}]))"
    launcher = ("import sys\nfrom morphtok.cluster.bridge_run import run_forwarding_signals\n"
                f"sys.exit(run_forwarding_signals([sys.executable, '-c', {agent!r}], dict(__import__('os').environ)))")
    process = subprocess.Popen([sys.executable, "-c", launcher])
    deadline = time.monotonic() + 60
    while (not out.exists() or out.read_text() != "ready") and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGUSR1)  # Slurm's --signal=B:USR1, forwarded by the job
    assert process.wait(timeout=60) == 0
    assert out.read_text() == "saved on TERM"


def _dataset(prefix: Path) -> None:
    writer = IndexedWriter(prefix)
    writer.add_document([2, 5, 6, 1])
    writer.finalize()


def test_run_cpt_without_bridge_says_where_to_run(tmp_path):
    _dataset(tmp_path / "seapile")
    result = subprocess.run([sys.executable, str(ROOT / "training/nemo/run_cpt.py"), "--data-path",
                             str(tmp_path / "seapile"), "--checkpoint-dir", str(tmp_path / "run"), "--wandb-name", "w",
                             "--max-steps", "10000"], capture_output=True, text=True)
    assert result.returncode == 2 and "NeMo container" in result.stderr


def test_run_cpt_refuses_a_bad_wandb_template_clearly(tmp_path):
    from morphtok.config import dump_config, load_config

    config = tmp_path / "config.yaml"
    config.write_text(dump_config(load_config("gemma3-1b-seapile", ["train.wandb_name='../{0}'"])))
    result = subprocess.run([sys.executable, str(ROOT / "training/nemo/run_cpt.py"), "--data-path", "p",
                             "--checkpoint-dir", str(tmp_path), "--arm", "patok", "--config", str(config)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "train.wandb_name '../{0}' is not a valid template" in result.stderr


def test_run_cpt_help_runs_without_the_container():
    result = subprocess.run(["bash", str(ROOT / "run_in_enroot.sh"), "python", "training/nemo/run_cpt.py", "--help"],
                            capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0 and "--data-path" in result.stdout and "enroot is not installed" in result.stderr


def test_the_container_pin_is_the_tested_bridge_version():
    """setup_enroot.sh imports the container whose Bridge the config tests install (tests/bridge)."""
    from morphtok.train.bridge_recipe import BRIDGE_VERSION, CONTAINER, MEGATRON_CORE_VERSION

    assert f'IMAGE="${{NEMO_IMAGE:-{CONTAINER}}}"' in (ROOT / "training/nemo/setup/setup_enroot.sh").read_text()
    requirements = (ROOT / "tests/bridge/requirements.txt").read_text()
    assert f"megatron-core=={MEGATRON_CORE_VERSION}\n" in requirements
    assert f"--no-deps megatron-bridge=={BRIDGE_VERSION}\n" in (ROOT / "Makefile").read_text()
    assert (CONTAINER, BRIDGE_VERSION) == ("nvcr.io#nvidia/nemo:26.02", "0.3.0")


def test_the_export_runs_once_per_final_step_and_fails_clearly_without_bridge(tmp_path):
    from morphtok.cluster.bridge_run import export_once

    checkpoint = save(tmp_path / "checkpoints", 10_000)
    target = tmp_path / "hf_export"
    target.mkdir()
    (target / "export.json").write_text(json.dumps({"step": 10_000}))
    assert export_once("google/gemma-3-1b-pt", (10_000, checkpoint), target) == target  # done: nothing rerun
    (target / "export.json").write_text(json.dumps({"step": 9_000}))  # an older export: redo it
    with pytest.raises(CheckpointError, match="AutoBridge export failed"):  # no Bridge in this venv
        export_once("google/gemma-3-1b-pt", (10_000, checkpoint), target)
    assert json.loads((target / "export.json").read_text()) == {"step": 9_000}  # the old export is untouched
