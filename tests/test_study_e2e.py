"""CI-sized end to end: ``morphtok study run`` on a reduced demo produces a report with real numbers.

Reduced = the bundled corpus and real Gemma 3 tokenizer as in the demo, but a few
training steps, tiny benchmark sizes and a small evaluation limit (< 120 s here).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

REDUCED = [
    "corpus.num_chunks=1",
    "preprocess.workers=1",
    "train.max_steps=6",
    "train.seq_length=64",
    "train.global_batch_size=4",
    "train.micro_batch_size=4",
    "train.warmup_steps=2",
    "train.val_interval=3",
    "train.save_interval=3",
    "train.log_interval=1",
    "bench.scale=0.02",
    "eval.limit=6",
    "eval.reference_limit=2",
    "analysis.bootstrap_samples=200",
]
NUMBER = re.compile(r"\d+\.\d+")


def reduced_demo(run_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "morphtok.cli", "study", "run", "--config", "demo", "--out", str(run_dir)]
    for item in [*REDUCED, *extra]:
        args += ["--set", item]
    env = {**os.environ, "MORPHTOK_PROGRESS": "0", "WANDB_MODE": "disabled", "TOKENIZERS_PARALLELISM": "false"}
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


def _sections(markdown: str) -> dict[str, str]:
    """``## heading`` -> body (up to the next heading of level <= 2)."""
    parts = re.split(r"^(#{1,2} .+)$", markdown, flags=re.MULTILINE)
    return {parts[i].lstrip("# ").strip().lower(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


@pytest.mark.slow
def test_reduced_demo_produces_a_full_report(tmp_path: Path) -> None:
    run_dir = tmp_path / "demo"
    result = reduced_demo(run_dir)
    assert result.returncode == 0, result.stderr[-4000:]
    statuses = {p["name"]: p["status"] for p in json.loads((run_dir / "timings.json").read_text())["phases"]}
    assert statuses == dict.fromkeys(("corpus", "preprocess", "bench", "train", "eval", "analysis"), "done")

    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert (run_dir / "report.html").stat().st_size > 1000
    sections = _sections(report)
    wanted = {
        "tokenization": ("tokeniz",),
        "validation curves": ("bpb", "validation"),
        "accuracy": ("accuracy", "results"),
        "significance": ("signific", "mcnemar", "paired"),
    }
    for label, keys in wanted.items():
        bodies = [body for title, body in sections.items() if any(k in title for k in keys)]
        assert bodies, f"report has no {label} section; sections: {list(sections)}"
        assert any(NUMBER.search(body) for body in bodies), f"{label} section holds no numbers"
    assert "nan" not in report.lower().replace("nanay", "")
    # Every arm and the reference model appear in the report.
    for model in ("baseline", "stochastok", "patok", "gemma3-270m"):
        assert model in report
    # Plots are real files referenced by the report.
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", report)
    assert images and all((run_dir / image).is_file() for image in images)

    # A rerun does nothing.
    again = reduced_demo(run_dir)
    assert again.returncode == 0, again.stderr[-4000:]
    statuses = {p["name"]: p["status"] for p in json.loads((run_dir / "timings.json").read_text())["phases"]}
    assert set(statuses.values()) == {"skipped"}
