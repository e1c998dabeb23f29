"""benchmarks/gpu_check.py: its --smoke mode runs here (CPU, gloo), and without a GPU it says so."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_check.py"


def _env() -> dict:
    return {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false", "WANDB_MODE": "disabled"}


def test_smoke_mode_passes_every_stage():
    done = subprocess.run([sys.executable, str(SCRIPT), "--smoke"], capture_output=True, text=True, timeout=600,
                          env=_env())
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "==== morphtok GPU check ===="
    for stage in ("train", "memory", "ddp", "mcq"):
        assert any(line.startswith(f"[PASS] {stage}") for line in lines), done.stdout
    assert "gloo world size 1" in done.stdout and "loss " in done.stdout
    assert lines[-1].startswith("total ") and lines[-1].endswith("PASS")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU: the full check would run")
def test_without_a_gpu_it_exits_with_a_clear_message():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, env=_env())
    assert done.returncode == 2
    assert "no CUDA GPU visible" in done.stderr and "--smoke" in done.stderr


def test_model_flops_per_token_of_gemma3_1b(monkeypatch):
    """Worked by hand for seq 2048: 6 x 999,751,680 matmul weights (26 decoder layers + the tied
    head) + 3 x 4 x 1024 x (4 global layers x 1024.5 + 22 sliding layers x 448.125 mean attended)."""
    from morphtok.train.models import GEMMA3_1B

    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "gpu_check", module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    expected = 6 * 999_751_680 + 3 * 4 * 1024 * (4 * 1024.5 + 22 * 448.125)
    assert module.flops_per_token(GEMMA3_1B, 2048) == pytest.approx(expected, rel=1e-12)
