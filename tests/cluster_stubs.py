"""Stand-ins for the cluster's programs (enroot, torchrun, python, qsub, sbatch, scontrol), for running
rendered jobs under bash here. Each records one JSON line per call in ``$STUB_LOG``: its name, argv,
and which of the watched environment variables it saw (names only; values only where the test sets
``STUB_SHOW``). They stand in for other people's programs, not for morphtok.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

WATCHED = ("HF_TOKEN", "WANDB_API_KEY", "WANDB_MODE", "NCCL_DEBUG", "PBS_ARRAY_INDEX", "SLURM_ARRAY_TASK_ID",
           "MORPHTOK_CHECKPOINT_ROOT", "MORPHTOK_STUDY_DIR", "MORPHTOK_JOBS_DIR", "HF_HOME")

RECORDER = r'''#!{python}
import json, os, signal, sys, time
name = os.path.basename(sys.argv[0])
entry = {{"name": name, "argv": sys.argv[1:], "env": sorted(k for k in {watched!r} if k in os.environ)}}
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps(entry) + "\n")
if name == "qsub":
    print(("%d[].pbs01" if "preprocess_data" in sys.argv[-1] else "%d.pbs01") % (100 + len(open(os.environ["STUB_LOG"]).readlines())))
elif name == "sbatch":
    print("%d;clusterA" % (500 + len(open(os.environ["STUB_LOG"]).readlines())))
elif name == "enroot" and os.environ.get("STUB_ENROOT_WAIT"):
    # a trainer: on SIGTERM it "saves a checkpoint" and stops with the launcher's resume code
    def stop(signum, frame):
        with open(os.environ["STUB_LOG"], "a") as log:
            log.write(json.dumps({{"name": "enroot", "signal": signum}}) + "\n")
        sys.exit(75)
    signal.signal(signal.SIGTERM, stop)
    open(os.environ["STUB_ENROOT_WAIT"], "w").close()
    time.sleep(60)
sys.exit(int(os.environ.get("STUB_RC_" + name.upper(), "0")))
'''


def make_stubs(directory: Path, names=("enroot", "torchrun", "python", "qsub", "sbatch", "scontrol")) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = directory / name
        path.write_text(RECORDER.format(python=sys.executable, watched=WATCHED), encoding="utf-8")
        path.chmod(0o755)
    return directory


def stub_env(stubs: Path, log: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in WATCHED}
    env.update(PATH=f"{stubs}{os.pathsep}{env['PATH']}", STUB_LOG=str(log), MORPHTOK_PYTHON="python")
    env.update(extra)
    return env


def calls(log: Path, name: str | None = None) -> list[dict]:
    if not log.is_file():
        return []
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return [e for e in entries if name is None or e["name"] == name]


def run_job(path: Path, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(path)], env=env, cwd=cwd or path.parent, capture_output=True, text=True,
                          timeout=120)
