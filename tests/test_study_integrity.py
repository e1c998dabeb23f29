"""The study runner's integrity (issue #17 items 4, 8, 14): one runner per --out, --force
deletes only what the study made, and the input accounting reaches the study's outputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from morphtok.config import load_config
from morphtok.errors import MorphtokError, StudyError
from morphtok.study.phase import Phase, write_result
from morphtok.study.phases import PHASES
from morphtok.study.runner import run_study

HOLDER = """
import sys, time
from pathlib import Path
from morphtok.config import load_config
from morphtok.study.phase import Phase, write_result
from morphtok.study.runner import run_study

def wait(cfg, workdir):
    Path(sys.argv[2]).write_text("started")
    while not Path(sys.argv[3]).exists():
        time.sleep(0.02)
    return write_result(workdir, {})

run_study(load_config("demo"), sys.argv[1], [Phase("corpus", ("corpus",), (), wait)])
"""


def test_second_study_run_on_one_out_fails_at_once_naming_the_holder(tmp_path: Path) -> None:
    run_dir, started, release = tmp_path / "run", tmp_path / "started", tmp_path / "release"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(run_dir), str(started), str(release)],
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert holder.poll() is None, holder.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        ran = []
        other = Phase("corpus", ("corpus",), (), lambda cfg, workdir: ran.append(1) or write_result(workdir, {}))
        with pytest.raises(MorphtokError, match=rf"pid {holder.pid}\b"):
            run_study(load_config("demo", ["arms.patok.expand_prop=0.3"]), run_dir, [other])
        assert ran == []
    finally:
        release.write_text("go")
        holder.wait(timeout=60)
    assert holder.returncode == 0
    run_study(load_config("demo"), run_dir, [Phase("corpus", ("corpus",), (), lambda cfg, workdir: write_result(workdir, {}))])


def _phase(name: str, log: list[str]) -> Phase:
    def run(cfg, workdir: Path) -> Path:
        log.append(name)
        (workdir / "output.txt").write_text("made by the study")
        return write_result(workdir, {})

    return Phase(name, ("corpus",), (), run)


def test_force_never_deletes_a_directory_the_study_did_not_create(tmp_path: Path) -> None:
    out = tmp_path / "home"
    (out / "corpus").mkdir(parents=True)
    mine = out / "corpus" / "thesis.tex"
    mine.write_text("a user's file")
    log: list[str] = []
    with pytest.raises(StudyError, match="not created by this study"):
        run_study(load_config("demo"), out, [_phase("corpus", log)], force=True)
    assert mine.read_text() == "a user's file" and log == []
    with pytest.raises(StudyError, match="not created by this study"):
        run_study(load_config("demo"), out, [_phase("corpus", log)])
    assert mine.is_file()


def test_force_redoes_what_the_study_made(tmp_path: Path) -> None:
    out = tmp_path / "run"
    log: list[str] = []
    run_study(load_config("demo"), out, [_phase("corpus", log)])
    stale = out / "corpus" / "leftover.bin"
    stale.write_text("from the earlier run")
    run_study(load_config("demo"), out, [_phase("corpus", log)], force=True)
    assert log == ["corpus", "corpus"] and not stale.exists()
    manifest = json.loads((out / "study.json").read_text())
    assert "corpus" in manifest["created"]


def test_a_run_dir_from_before_the_manifest_is_adopted(tmp_path: Path) -> None:
    out = tmp_path / "run"
    (out / "corpus").mkdir(parents=True)
    (out / "corpus" / "inputs.json").write_text(json.dumps({"fingerprint": "old", "sections": ["corpus"]}))
    log: list[str] = []
    run_study(load_config("demo"), out, [_phase("corpus", log)])
    assert log == ["corpus"]


def test_the_study_outputs_carry_the_input_accounting(tmp_path: Path) -> None:
    source = tmp_path / "src.jsonl"
    lines = [json.dumps({"id": f"d{i}", "text": f"Kumain kami ng masarap na pagkain ({i})."}) for i in range(40)]
    source.write_text("\n".join(lines[:20] + ["{broken", '{"id": "x"}'] + lines[20:]) + "\n", encoding="utf-8")
    cfg = load_config("demo", [f"corpus.source={source}", "corpus.num_chunks=2", "corpus.val_fraction=0.1",
                               "arms.names=[baseline]"])
    run_study(cfg, tmp_path / "run", PHASES[:2])
    done = json.loads((tmp_path / "run" / "preprocess" / "done").read_text())
    accounting = done["outputs"]["accounting"]
    assert accounting["input_records"] == 42
    assert accounting["fetch_skipped"]["total"] == 2
    arm = accounting["arms"]["baseline"]
    assert arm["documents"] + arm["held_out"] + arm["skipped"] == 40
    assert arm["documents"] + arm["held_out"] + arm["skipped"] + accounting["fetch_skipped"]["total"] == 42
    assert os.path.isfile(tmp_path / "run" / "corpus" / "chunks" / "manifest.json")
