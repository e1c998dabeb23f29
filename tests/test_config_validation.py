"""Config validation up front (issue #17 item 18): allowed values, ranges, the full key path."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from morphtok.config import load_config
from morphtok.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("eval.mode=bogus", "eval.mode: must be one of mcq, gen, both, got 'bogus'"),
        ("train.launcher=slurmx", "train.launcher: must be one of"),
        ("train.precision=fp16-mixed", "train.precision: must be one of"),
        ("eval.mcq_style=letters", "eval.mcq_style: must be one of text, letter"),
        ("eval.dtype=float8", "eval.dtype: must be one of"),
        ("train.save_interval=0", "train.save_interval: must be >= 1, got 0"),
        ("train.seq_length=0", "train.seq_length: must be >= 1, got 0"),
        ("train.lr=-1e-4", "train.lr: must be > 0"),
        ("bench.sizes={affixation: -5}", "bench.sizes.affixation: must be >= 0, got -5"),
        ("arms.patok.expand_prop=1.5", "arms.patok.expand_prop: must be in [0, 1], got 1.5"),
        ("arms.stochastok.expand_prop=-0.1", "arms.stochastok.expand_prop: must be in [0, 1]"),
        ("corpus.val_fraction=1", "corpus.val_fraction: must be in [0, 1)"),
        ("corpus.num_chunks=0", "corpus.num_chunks: must be >= 1"),
        ("eval.limit=0", "eval.limit: must be >= 1"),
        ("arms.patok.contract_prob=[0.5, 0.5, 0.5]", "arms.patok.contract_prob: must sum to 1, got 1.5"),
        ("arms.patok.contract_prob=[0.5, 0.5]",
         "arms.patok.contract_prob: must have one entry per num_toks_to_cont (3), got 2"),
        ("arms.patok.num_toks_to_cont=[0, 2, 3]", "arms.patok.num_toks_to_cont[0]: must be >= 1, got 0"),
        ("arms.names=[baseline, patokk]", "arms.names[1]: must be one of"),
        ("train.min_lr=1.0", "train.min_lr: must be <= lr (0.001), got 1"),
    ],
)
def test_bad_values_fail_at_load_naming_the_key(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config("demo", [override])


def test_scientific_notation_is_a_number_on_the_command_line_and_in_files(tmp_path: Path) -> None:
    assert load_config("demo", ["train.lr=1e-4"]).train.lr == pytest.approx(1e-4)
    assert load_config("demo", ["train.min_lr=5E-6"]).train.min_lr == pytest.approx(5e-6)
    path = tmp_path / "c.yaml"
    path.write_text("train:\n  lr: 3e-4\n  min_lr: 1e-5\n  max_steps: 10_000\n", encoding="utf-8")
    cfg = load_config(path)
    assert (cfg.train.lr, cfg.train.min_lr, cfg.train.max_steps) == (pytest.approx(3e-4), pytest.approx(1e-5), 10_000)


def test_the_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("eval:\n  mode: bogus\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"{path}: eval.mode: must be one of"):
        load_config(path)


def test_shipped_presets_pass_their_own_checks() -> None:
    for name in ("demo", "gemma3-1b-seapile"):
        load_config(name)


def test_study_plan_runs_the_same_checks() -> None:
    done = subprocess.run([sys.executable, "-m", "morphtok.cli", "study", "plan", "--set", "train.save_interval=0"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode != 0
    assert "train.save_interval: must be >= 1, got 0" in done.stderr and "Traceback" not in done.stderr


def test_jobs_render_runs_the_same_checks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\narms:\n  patok:\n    contract_prob: [0.5, 0.5, 0.5]\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "morphtok.cli", "jobs", "render", "--config", str(bad),
                           "--out", str(tmp_path / "jobs")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode != 0
    assert "arms.patok.contract_prob: must sum to 1, got 1.5" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "jobs").exists()
