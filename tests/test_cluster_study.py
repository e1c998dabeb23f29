"""``morphtok study run --config gemma3-1b-seapile`` on a machine without network or GPUs prints a
submit plan, and every command of it works: run in order under bash with qsub/sbatch stand-ins and
a stand-in for the one step that needs the network (the SEA-PILE download writes the bundled sample)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cluster_stubs import calls, make_stubs

from morphtok.lang.fil.corpus import sample_corpus_path

ROOT = Path(__file__).resolve().parents[1]

NETWORK_STAND_IN = r'''#!{python}
"""python on PATH: the SEA-PILE download (needs the hub) writes the bundled sample; all else is real python."""
import os, shutil, sys
if len(sys.argv) > 1 and sys.argv[1].endswith("scripts/download_seapile.py"):
    out = sys.argv[sys.argv.index("--output") + 1]
    os.makedirs(os.path.dirname(out), exist_ok=True)
    shutil.copyfile({sample!r}, out)
    sys.exit(0)
os.execv({python!r}, [{python!r}, *sys.argv[1:]])
'''


@pytest.mark.slow
@pytest.mark.parametrize("sched", ["pbs"])
def test_study_run_prints_a_submit_plan_whose_commands_all_work(tmp_path, sched):
    run = tmp_path / "run"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "80", "MORPHTOK_PROGRESS": "0"}
    result = subprocess.run([sys.executable, "-m", "morphtok.cli", "study", "run", "--config", "gemma3-1b-seapile",
                             "--out", str(run)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    commands = json.loads((run / "corpus" / "pending.json").read_text())["outputs"]["next_commands"]
    printed = result.stdout + result.stderr
    for command in commands:
        assert f"  {command}\n" in printed, command  # printed whole, on one line, even at 80 columns
    assert [c.split()[0] for c in commands] == ["cd", "python", "python", "bash"]
    assert commands[-1].endswith(f"submit_all.sh {sched}")

    stubs = make_stubs(tmp_path / "stubs", names=("qsub", "sbatch"))
    (stubs / "python").write_text(NETWORK_STAND_IN.format(python=sys.executable, sample=str(sample_corpus_path())))
    (stubs / "python").chmod(0o755)
    log = tmp_path / "calls.jsonl"
    shell_env = {**env, "PATH": f"{stubs}{os.pathsep}{env['PATH']}", "STUB_LOG": str(log)}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(commands)], capture_output=True, text=True,
                          env=shell_env, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(list((run / "data" / "chunks").glob("chunk_*.jsonl"))) == 20
    submitted = [c["argv"] for c in calls(log, "qsub")]
    assert [Path(a[-1]).name for a in submitted] == [
        "prepare_validation.pbs", "preprocess_data_vanilla.pbs", "run_cpt_baseline.pbs",
        "preprocess_data_stochastok.pbs", "run_cpt_stochastok.pbs", "preprocess_data_patok.pbs", "run_cpt_patok.pbs"]
    assert all(a[0] == "-W" and a[1].startswith("depend=afterok:") for a in submitted if "run_cpt" in a[-1])
