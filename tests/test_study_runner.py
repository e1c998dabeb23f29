"""The study phase runner with the real corpus and preprocess phases on a small local corpus.

Checks fingerprints, done markers, skipping, resume of an interrupted phase,
and that a config change re-runs exactly the phases downstream of it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from morphtok.config import load_config
from morphtok.errors import StudyError
from morphtok.study.phase import Phase, write_result
from morphtok.study.phases import PHASES
from morphtok.study.runner import phase_fingerprints, run_study, select_phases

SENTENCES = [
    "Nagluluto si Maria ng adobo sa kusina habang umuulan sa labas.",
    "Kumain kami ng masarap na pagkain kahapon, at uminom ng kape.",
    "Magpapaganda ang mga bulaklak sa hardin kapag dumating ang tag-ulan.",
    "Pinakamaganda ang tanawin sa bundok; naglakad-lakad kami araw-araw.",
    "Ang mga bata ay naglalaro sa parke. Tumakbo sila nang mabilis!",
    "Binasa ng guro ang kuwento, at nakinig nang mabuti ang mga estudyante.",
]
CORPUS_PHASES = PHASES[:2]  # corpus, preprocess: the real phases


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(60):
            text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3))
            handle.write(json.dumps({"id": f"doc-{i}", "text": text}, ensure_ascii=False) + "\n")
    return path


def _cfg(corpus_file: Path, *extra: str):
    return load_config("demo", [f"corpus.source={corpus_file}", "corpus.num_chunks=2",
                                "corpus.val_fraction=0.1", "preprocess.workers=1", *extra])


def _statuses(records) -> dict[str, str]:
    return {r.name: r.status for r in records}


def test_runs_then_skips_then_reruns_downstream_of_a_change(corpus_file: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    cfg = _cfg(corpus_file)
    first = run_study(cfg, run_dir, CORPUS_PHASES)
    assert _statuses(first) == {"corpus": "done", "preprocess": "done"}
    assert (run_dir / "config.yaml").is_file() and (run_dir / "timings.json").is_file()
    chunks = sorted((run_dir / "corpus" / "chunks").glob("chunk_*.jsonl"))
    assert len(chunks) == 2
    for arm in ("baseline", "stochastok", "patok"):
        for chunk in chunks:
            prefix = run_dir / "preprocess" / arm / chunk.stem
            assert prefix.with_suffix(".bin").stat().st_size > 0
            assert json.loads(Path(f"{prefix}.stats.json").read_text())["method"] == arm
    validation = (run_dir / "preprocess" / "validation.jsonl").read_text(encoding="utf-8").splitlines()
    assert validation and all(json.loads(line)["text"] for line in validation)
    baseline_bin = run_dir / "preprocess" / "baseline" / f"{chunks[0].stem}.bin"
    mtime = baseline_bin.stat().st_mtime_ns

    # Same config: nothing runs, outputs untouched; recorded outputs are read back.
    second = run_study(cfg, run_dir, CORPUS_PHASES)
    assert _statuses(second) == {"corpus": "skipped", "preprocess": "skipped"}
    assert baseline_bin.stat().st_mtime_ns == mtime
    timings = json.loads((run_dir / "timings.json").read_text())
    assert [p["status"] for p in timings["phases"]] == ["skipped", "skipped"]

    # An arm parameter changes: corpus is kept, preprocess re-runs.
    changed = _cfg(corpus_file, "arms.stochastok.expand_prop=0.2")
    fps_old, fps_new = phase_fingerprints(cfg, PHASES), phase_fingerprints(changed, PHASES)
    assert fps_old["corpus"] == fps_new["corpus"] and fps_old["bench"] == fps_new["bench"]
    assert all(fps_old[p] != fps_new[p] for p in ("preprocess", "train", "eval", "analysis"))


def test_corpus_change_invalidates_everything_downstream(corpus_file: Path) -> None:
    cfg = _cfg(corpus_file)
    changed = _cfg(corpus_file, "corpus.num_chunks=3")
    old, new = phase_fingerprints(cfg, PHASES), phase_fingerprints(changed, PHASES)
    assert old["bench"] == new["bench"]  # benchmarks do not depend on the corpus
    assert [p for p in old if old[p] != new[p]] == ["corpus", "preprocess", "train", "eval", "analysis"]


def test_interrupted_phase_resumes_and_keeps_finished_chunks(corpus_file: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    cfg = _cfg(corpus_file, "arms.names=[baseline]")
    boom = Phase("bench", ("bench",), (), _interrupt)
    with pytest.raises(KeyboardInterrupt):
        run_study(cfg, run_dir, [*CORPUS_PHASES, boom])
    timings = json.loads((run_dir / "timings.json").read_text())
    assert [p["status"] for p in timings["phases"]] == ["done", "done", "failed"]
    assert not (run_dir / "bench" / "done").exists()

    # Simulate a kill inside preprocess: its marker and one chunk's outputs are gone.
    pre = run_dir / "preprocess"
    (pre / "done").unlink()
    kept = pre / "baseline" / "chunk_0001.bin"
    for suffix in (".bin", ".idx", ".stats.json"):
        (pre / "baseline" / f"chunk_0002{suffix}").unlink()
    mtime = kept.stat().st_mtime_ns
    records = run_study(cfg, run_dir, CORPUS_PHASES)
    assert _statuses(records) == {"corpus": "skipped", "preprocess": "done"}
    assert kept.stat().st_mtime_ns == mtime  # the finished chunk was not redone
    assert (pre / "baseline" / "chunk_0002.bin").is_file()


def _interrupt(cfg, workdir: Path) -> Path:
    raise KeyboardInterrupt


def test_stale_marker_is_replaced_when_config_changes(corpus_file: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_study(_cfg(corpus_file, "arms.names=[baseline]"), run_dir, CORPUS_PHASES)
    old = json.loads((run_dir / "preprocess" / "done").read_text())["fingerprint"]
    records = run_study(_cfg(corpus_file, "arms.names=[baseline, stochastok]"), run_dir, CORPUS_PHASES)
    assert _statuses(records) == {"corpus": "skipped", "preprocess": "done"}
    marker = json.loads((run_dir / "preprocess" / "done").read_text())
    assert marker["fingerprint"] != old
    assert sorted(marker["outputs"]["prefixes"]) == ["baseline", "stochastok"]


def test_only_and_from_selection(corpus_file: Path, tmp_path: Path) -> None:
    assert select_phases(PHASES, start="eval") == ["eval", "analysis"]
    assert select_phases(PHASES, only="bench") == ["bench"]
    with pytest.raises(StudyError, match="unknown phase 'training'"):
        select_phases(PHASES, only="training")
    # --only preprocess before the corpus exists: a clear error naming the missing phase.
    with pytest.raises(StudyError, match="phase 'corpus' has no recorded outputs"):
        run_study(_cfg(corpus_file), tmp_path / "run", CORPUS_PHASES, only="preprocess")
    records = run_study(_cfg(corpus_file, "arms.names=[baseline]"), tmp_path / "run", CORPUS_PHASES, only="corpus")
    assert _statuses(records) == {"corpus": "done", "preprocess": "not-run"}


def test_pending_phase_stops_the_run_without_a_marker(corpus_file: Path, tmp_path: Path) -> None:
    def cluster_only(cfg, workdir: Path) -> Path:
        return write_result(workdir, {"next_commands": ["qsub jobs/x.pbs"]}, complete=False, message="jobs rendered")

    def never(cfg, workdir: Path) -> Path:
        raise AssertionError("must not run after a pending phase")

    def independent(cfg, workdir: Path) -> Path:
        return write_result(workdir, {"ran": True})

    phases = [
        Phase("corpus", ("corpus",), (), cluster_only),
        Phase("preprocess", ("arms",), ("corpus",), never),
        Phase("bench", ("bench",), (), independent),
        Phase("train", ("train",), ("preprocess",), never),
    ]
    records = run_study(_cfg(corpus_file), tmp_path / "run", phases)
    assert _statuses(records) == {"corpus": "pending", "preprocess": "not-run", "bench": "done", "train": "not-run"}
    assert [r.message for r in records][1::2] == ["waits for corpus", "waits for preprocess"]
    assert not (tmp_path / "run" / "corpus" / "done").exists()
    pending = json.loads((tmp_path / "run" / "corpus" / "pending.json").read_text())
    assert pending["outputs"]["next_commands"] == ["qsub jobs/x.pbs"]
    assert os.path.isfile(tmp_path / "run" / "corpus" / "inputs.json")


def test_eval_settings_derive_from_the_eval_config_with_the_same_defaults() -> None:
    from dataclasses import replace

    from morphtok.config import EvalConfig
    from morphtok.eval.runner import EvalSettings

    assert EvalSettings.from_config(EvalConfig(), seed=0, limit=None) == EvalSettings()
    changed = replace(EvalConfig(), num_fewshot=2, gen_fewshot=0, mcq_style="letter", dtype="bfloat16",
                      batch_size=4, validate=False)
    settings = EvalSettings.from_config(changed, seed=7, limit=5)
    assert (settings.num_fewshot, settings.gen_fewshot, settings.mcq_style, settings.dtype, settings.batch_size,
            settings.validate, settings.seed, settings.limit) == (2, 0, "letter", "bfloat16", 4, False, 7, 5)
