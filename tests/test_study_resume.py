"""Kill ``morphtok study run`` mid-phase (SIGKILL), rerun the same command: finished work is kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from process_kill import kill_when

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("nagluluto kumain masarap pagkain magpapaganda bulaklak pinakamaganda naglakad-lakad "
         "naglalaro tumakbo binasa nakinig estudyante kusina umuulan kahapon").split()


def _corpus(path: Path, documents: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(documents):
            text = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(400)) + "."
            handle.write(json.dumps({"id": f"d{i}", "text": text}) + "\n")
    return path


def _command(run_dir: Path, corpus: Path, *extra: str) -> list[str]:
    overrides = [f"corpus.source={corpus}", "corpus.num_chunks=4", "corpus.val_fraction=0.05",
                 "preprocess.workers=1", *extra]
    args = [sys.executable, "-m", "morphtok.cli", "study", "run", "--config", "demo", "--out", str(run_dir)]
    for item in overrides:
        args += ["--set", item]
    return args


def _env() -> dict:
    return {**os.environ, "MORPHTOK_PROGRESS": "0", "WANDB_MODE": "disabled", "TOKENIZERS_PARALLELISM": "false"}


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=300)


def _statuses(run_dir: Path) -> dict[str, str]:
    return {p["name"]: p["status"] for p in json.loads((run_dir / "timings.json").read_text())["phases"]}


@pytest.mark.slow
def test_kill_during_preprocess_then_rerun_continues(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    corpus = _corpus(tmp_path / "corpus.jsonl", 400)
    first = _run([*_command(run_dir, corpus), "--only", "corpus"])
    assert first.returncode == 0, first.stderr[-3000:]

    pre = run_dir / "preprocess"
    finished_chunk = pre / "baseline" / "chunk_0001.stats.json"
    kill_when([*_command(run_dir, corpus), "--only", "preprocess"], finished_chunk.is_file, env=_env(), cwd=ROOT)
    assert not (pre / "done").exists()
    kept = {p: p.stat().st_mtime_ns for p in pre.rglob("*.bin") if Path(f"{p.with_suffix('')}.stats.json").is_file()}
    assert kept, "at least one finished chunk before the kill"
    # The killed chunk left no valid-looking output: every .bin has its .idx and stats.
    for stats in pre.rglob("*.stats.json"):
        prefix = str(stats).removesuffix(".stats.json")
        assert Path(prefix + ".bin").is_file() and Path(prefix + ".idx").is_file()

    second = _run([*_command(run_dir, corpus), "--only", "preprocess"])
    assert second.returncode == 0, second.stderr[-3000:]
    assert _statuses(run_dir)["preprocess"] == "done"
    assert all(p.stat().st_mtime_ns == t for p, t in kept.items()), "finished chunks were redone"
    for arm in ("baseline", "stochastok", "patok"):
        assert len(list((pre / arm).glob("chunk_*.stats.json"))) == 4

    # Third run: nothing to do for these phases; a changed arm parameter re-runs preprocess only.
    third = _run([*_command(run_dir, corpus), "--only", "preprocess"])
    assert third.returncode == 0 and _statuses(run_dir)["preprocess"] == "skipped"
    chunks_mtime = (run_dir / "corpus" / "chunks" / "chunk_0001.jsonl").stat().st_mtime_ns
    fourth = _run([*_command(run_dir, corpus, "arms.patok.affix_awareness=0.5"), "--only", "preprocess"])
    assert fourth.returncode == 0, fourth.stderr[-3000:]
    statuses = _statuses(run_dir)
    assert statuses["corpus"] == "skipped" and statuses["preprocess"] == "done"
    assert (run_dir / "corpus" / "chunks" / "chunk_0001.jsonl").stat().st_mtime_ns == chunks_mtime
    for stats in (pre / "patok").glob("chunk_*.stats.json"):  # no chunk of the old parameters survives
        assert json.loads(stats.read_text())["params"]["affix_awareness"] == 0.5
