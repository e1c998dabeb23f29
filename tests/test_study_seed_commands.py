"""The seed plan's command lines, verbatim (with local paths), as subprocesses.

Each one's ``--help`` runs, and its normal path runs on small local data where
this machine can run it (no network, no GPU, no PBS here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PYTHON_SCRIPTS = [
    "scripts/download_seapile.py",
    "training/nemo/data/split_jsonl.py",
    "scripts/generate_benchmarks.py",
    "scripts/run_evaluation.py",
    "scripts/analyze_inference_results.py",
    "scripts/verify_setup.py",
    "training/nemo/run_cpt.py",
]


def _run(args: list[str], cwd: Path = ROOT, env: dict | None = None, timeout: int = 180) -> subprocess.CompletedProcess:
    full = {**os.environ, "COLUMNS": "200", "MORPHTOK_PROGRESS": "0", "WANDB_MODE": "disabled", **(env or {})}
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=full, timeout=timeout)


def _require(path: str) -> Path:
    full = ROOT / path
    if not full.is_file():
        pytest.fail(f"seed command file {path} is missing")
    return full


@pytest.mark.parametrize("script", PYTHON_SCRIPTS)
def test_help_runs(script: str) -> None:
    result = _run([sys.executable, str(_require(script)), "--help"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage" in result.stdout.lower()
    assert "Traceback" not in result.stderr


def test_env_example_names_secrets_empty_and_env_is_ignored() -> None:
    lines = _require(".env.example").read_text(encoding="utf-8").splitlines()
    assignments = dict(
        line.removeprefix("export ").split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#")
    )
    assert assignments.get("HF_TOKEN") == "" and assignments.get("WANDB_API_KEY") == ""
    ignored = _run(["git", "check-ignore", "-q", ".env"])
    assert ignored.returncode == 0, ".env must be git-ignored"


def test_split_jsonl_seed_form(tmp_path: Path) -> None:
    corpus = tmp_path / "seapile-v2-filipino.jsonl"
    lines = [json.dumps({"id": str(i), "text": f"Kumain kami ng {'masarap na ' * (i % 7)}pagkain."}) + "\n" for i in range(200)]
    corpus.write_text("".join(lines), encoding="utf-8")
    result = _run([sys.executable, str(_require("training/nemo/data/split_jsonl.py")),
                   "--input", str(corpus), "--output-dir", str(tmp_path / "chunks"), "--num-chunks", "20"])
    assert result.returncode == 0, result.stderr[-2000:]
    chunks = sorted((tmp_path / "chunks").glob("chunk_*.jsonl"))
    assert len(chunks) == 20
    assert b"".join(c.read_bytes() for c in chunks) == corpus.read_bytes()


def test_download_seapile_offline_fails_with_a_clear_message(tmp_path: Path) -> None:
    # The seed's exact form. Here there is no network: a message naming the need, no traceback.
    result = _run([sys.executable, str(_require("scripts/download_seapile.py")),
                   "--output", str(tmp_path / "seapile-v2-filipino.jsonl"), "--language", "fil"],
                  env={"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "network" in result.stderr.lower() or "HF_TOKEN" in result.stderr


def test_verify_setup_seed_form() -> None:
    result = _run([sys.executable, str(_require("scripts/verify_setup.py"))], env={"WANDB_MODE": "offline"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "tokenizer (gemma3)" in result.stdout and "✓" in result.stdout


def test_setup_jobs_renders_pbs_jobs(tmp_path: Path) -> None:
    script = _require("job_templates/setup_jobs.sh")
    assert _run(["bash", "-n", str(script)]).returncode == 0
    result = _run(["bash", str(script)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = {p.name for p in (tmp_path / "jobs").glob("*.pbs")}
    expected = {f"preprocess_data_{a}.pbs" for a in ("vanilla", "stochastok", "patok")}
    expected |= {f"run_cpt_{a}.pbs" for a in ("baseline", "stochastok", "patok")}
    assert expected <= jobs, sorted(jobs)
    for name in expected:
        assert _run(["bash", "-n", str(tmp_path / "jobs" / name)]).returncode == 0, name


def test_run_in_enroot_form_without_enroot() -> None:
    # `./run_in_enroot.sh python training/nemo/run_cpt.py ...`: without enroot it must say so clearly
    # (or run the command directly), never fail obscurely.
    script = _require("run_in_enroot.sh")
    assert os.access(script, os.X_OK), "run_in_enroot.sh must be executable"
    result = _run(["./run_in_enroot.sh", "python", "training/nemo/run_cpt.py", "--help"])
    assert "Traceback" not in result.stderr
    assert result.returncode == 0 or "enroot" in (result.stdout + result.stderr).lower()
