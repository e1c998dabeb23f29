"""``morphtok study plan``, ``morphtok doctor`` and ``scripts/verify_setup.py`` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from morphtok.config import load_config
from morphtok.study.doctor import check_hf_token, check_wandb, run_checks
from morphtok.study.plan import build_plan
from morphtok.study.throughputs import load_throughputs

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=120)


def test_plan_seapile_puts_training_on_the_cluster_with_seed_scale_numbers() -> None:
    cfg = load_config("gemma3-1b-seapile")
    rows = {row.phase: row for row in build_plan(cfg, out="runs/x")}
    assert list(rows) == ["corpus", "preprocess", "bench", "train", "eval", "analysis"]
    assert rows["train"].where == "gpu cluster" and "qsub" in rows["train"].command
    assert rows["corpus"].where == "network"
    # 10,000 steps x 256 x 2048 tokens per arm at any plausible A100 throughput: many hours, > 100 GB.
    assert 24 * 3600 < rows["train"].seconds < 30 * 24 * 3600
    assert rows["train"].disk_bytes > 1e11
    assert rows["corpus"].disk_bytes >= 7.4e9


def test_plan_demo_is_cpu_only_and_scales_with_steps(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "Kumain kami ng masarap na pagkain."}\n' * 100, encoding="utf-8")
    base = load_config("demo", [f"corpus.source={corpus}"])
    rows = build_plan(base)
    assert {row.where for row in rows} == {"cpu"}
    doubled = build_plan(load_config("demo", [f"corpus.source={corpus}", f"train.max_steps={2 * base.train.max_steps}"]))
    train = [r for r in rows if r.phase == "train"][0]
    assert [r for r in doubled if r.phase == "train"][0].seconds == 2 * train.seconds


def test_throughput_table_is_all_numbers() -> None:
    def walk(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        else:
            assert isinstance(node, (int, float)) and node >= 0, path

    walk(load_throughputs())


def test_plan_cli_prints_every_phase() -> None:
    result = _run("-m", "morphtok.cli", "study", "plan", "--config", "gemma3-1b-seapile")
    assert result.returncode == 0, result.stderr
    for phase in ("corpus", "preprocess", "bench", "train", "eval", "analysis", "total"):
        assert phase in result.stdout
    assert "qsub" in result.stdout


def test_hf_token_is_never_printed(monkeypatch) -> None:
    secret = "hf_SECRETvalue1234567890"
    monkeypatch.setenv("HF_TOKEN", secret)
    check = check_hf_token()
    assert check.ok and secret not in check.detail and "hf_" not in check.detail
    result = _run("scripts/verify_setup.py", env={"HF_TOKEN": secret, "WANDB_MODE": "offline"})
    assert secret not in result.stdout + result.stderr
    assert "HF_TOKEN" in result.stdout and "set (hidden)" in result.stdout


def test_wandb_offline_mode_counts_as_configured(monkeypatch) -> None:
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("WANDB_MODE", "offline")
    assert check_wandb().ok
    monkeypatch.setenv("WANDB_MODE", "online")
    assert not check_wandb().ok and "WANDB_MODE=offline" in check_wandb().hint


def test_doctor_checks_real_environment(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "Kumain kami."}\n', encoding="utf-8")
    checks = {c.name: c for c in run_checks(load_config("demo", [f"corpus.source={corpus}"]), out=tmp_path)}
    assert checks["Python"].ok and checks["packages"].ok
    assert checks["tokenizer (gemma3)"].ok and "vocab 262,144" in checks["tokenizer (gemma3)"].detail
    assert checks["default model (gemma3-270m GGUF)"].ok
    assert checks["disk (demo)"].ok
    # Cluster-only checks never make the command fail.
    assert not checks["GPUs"].hard and not checks["NeMo container"].hard


def test_doctor_exit_code_is_nonzero_only_on_hard_failure(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"name: demo\ncorpus:\n  source: {tmp_path / 'missing.jsonl'}\n", encoding="utf-8")
    failed = _run("scripts/verify_setup.py", "--config", str(bad), env={"WANDB_MODE": "offline"})
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "✗" in failed.stdout and "hard failures" in failed.stderr
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "Kumain kami."}\n', encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(f"name: demo\ncorpus:\n  source: {corpus}\n", encoding="utf-8")
    ok = _run("scripts/verify_setup.py", "--config", str(good), env={"WANDB_MODE": "offline"})
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "✓" in ok.stdout
