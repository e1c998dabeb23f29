"""A scheduler is one class and one registration: an LSF scheduler (the plugin package's,
tests/plugin_pkg/morphtok_toy/lsf.py, registered in-process here; morphtok untouched)
renders jobs and a submit_all.sh that runs under a stand-in ``bsub`` with the right dependency order;
an unknown scheduler is an error naming the registered ones."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from cluster_stubs import calls, make_stubs, run_job, stub_env
from plugin_pkg.morphtok_toy.lsf import LSF

from morphtok.cli import main
from morphtok.cluster import render_jobs, submit_plan
from morphtok.cluster.schedulers import SCHEDULERS, Scheduler, resolve
from morphtok.config import load_config
from morphtok.errors import ConfigError

# A stand-in bsub: logs its argv and the job name read from the script on stdin, answers as LSF does.
BSUB = r'''#!{python}
import json, os, re, sys
name = re.search(r'^#BSUB -J "([^"]+)"', sys.stdin.read(), re.M).group(1)
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps({{"name": "bsub", "argv": sys.argv[1:], "job": name}}) + "\n")
count = len(open(os.environ["STUB_LOG"]).readlines())
print("Job <%d> is submitted to default queue <normal>." % (700 + count))
'''


@pytest.fixture
def lsf():
    SCHEDULERS.register("lsf")(LSF)
    yield LSF
    SCHEDULERS.unregister("lsf")


@pytest.fixture
def study(tmp_path, lsf) -> dict:
    cfg = load_config("gemma3-1b-seapile")
    root = tmp_path / "study"
    jobs = root / "train" / "jobs"
    written = render_jobs(cfg, jobs, run_dir=root, scheduler="lsf")
    stubs = make_stubs(tmp_path / "stubs")
    (stubs / "bsub").write_text(BSUB.format(python=sys.executable), encoding="utf-8")
    (stubs / "bsub").chmod(0o755)
    return {"cfg": cfg, "root": root, "jobs": jobs, "written": written, "stubs": stubs,
            "log": tmp_path / "calls.jsonl"}


def _env(s, **extra) -> dict[str, str]:
    env = stub_env(s["stubs"], s["log"], HOME=str(s["root"] / "home"), **extra)
    if "LSB_JOBINDEX" not in extra:
        env.pop("LSB_JOBINDEX", None)  # not an array task (even when the tests run under LSF)
    return env


def test_a_registered_scheduler_renders_every_job_as_valid_bash(study):
    names = sorted(study["written"])
    assert names == sorted(["config.yaml", "submit_all.sh", "prepare_validation.lsf",
                            *(f"preprocess_data_{a}.lsf" for a in ("vanilla", "stochastok", "patok")),
                            *(f"run_cpt_{a}.lsf" for a in ("baseline", "stochastok", "patok"))])
    for path in study["written"].values():
        if path.name != "config.yaml":
            assert subprocess.run(["bash", "-n", str(path)]).returncode == 0, path.name
    chunks = study["cfg"].corpus.num_chunks
    assert f'#BSUB -J "preprocess_patok[1-{chunks}]"' in (study["jobs"] / "preprocess_data_patok.lsf").read_text()
    cpt = (study["jobs"] / "run_cpt_patok.lsf").read_text()
    assert '#BSUB -gpu "num=8"' in cpt and "#BSUB -wt 10" in cpt and "#PBS" not in cpt and "#SBATCH" not in cpt


def test_the_array_task_reads_its_chunk_from_the_schedulers_index(study):
    job = study["jobs"] / "preprocess_data_stochastok.lsf"
    assert run_job(job, _env(study, LSB_JOBINDEX="7")).returncode == 0
    (call,) = calls(study["log"], "python")
    assert call["argv"][call["argv"].index("--chunk") + 1] == "7"
    outside = run_job(job, _env(study))
    assert outside.returncode != 0 and "LSF job array" in outside.stderr


def test_the_training_job_keeps_the_resume_exit_code(study):
    result = run_job(study["jobs"] / "run_cpt_patok.lsf", _env(study, STUB_RC_ENROOT="75"))
    assert result.returncode == 75 and "resubmit this job to resume (bsub" in result.stderr


def test_submit_all_submits_training_after_its_array_and_the_validation_job(study):
    chunks = study["root"] / "data" / "chunks"
    chunks.mkdir(parents=True)
    for i in range(1, study["cfg"].corpus.num_chunks + 1):
        (chunks / f"chunk_{i:04d}.jsonl").write_text(json.dumps({"id": str(i), "text": "x"}) + "\n")
    result = subprocess.run(["bash", str(study["jobs"] / "submit_all.sh")], capture_output=True, text=True,
                            env=_env(study, MORPHTOK_PYTHON=sys.executable))  # lsf: the only one rendered
    assert result.returncode == 0, result.stderr
    submitted = calls(study["log"], "bsub")
    ids = {c["job"]: str(700 + n) for n, c in enumerate(calls(study["log"]), start=1) if c["name"] == "bsub"}
    assert [c["job"] for c in submitted][0] == "prepare_validation" and len(submitted) == 7
    assert f"prepare_validation: {ids['prepare_validation']}" in result.stdout  # the id alone, not LSF's sentence
    order = [c["job"] for c in submitted]
    for arm, job_arm in (("baseline", "vanilla"), ("stochastok", "stochastok"), ("patok", "patok")):
        array = f"preprocess_{job_arm}[1-{study['cfg'].corpus.num_chunks}]"
        assert order.index(array) < order.index(f"cpt_{arm}")
        train = next(c for c in submitted if c["job"] == f"cpt_{arm}")
        assert train["argv"] == ["-w", f"done({ids[array]}) && done({ids['prepare_validation']})"]
        assert f"{arm}: preprocess {ids[array]}, train {ids[f'cpt_{arm}']}" in result.stdout
    assert not any(c["argv"] for c in submitted if not c["job"].startswith("cpt_"))  # nothing else waits


def test_all_renders_every_registered_scheduler_and_both_the_built_ins(tmp_path, lsf):
    assert [s.name for s in resolve("all")] == ["lsf", "pbs", "slurm"]
    assert [s.name for s in resolve("both")] == ["pbs", "slurm"]
    cfg = load_config("gemma3-1b-seapile")
    written = render_jobs(cfg, tmp_path / "jobs", run_dir=tmp_path, scheduler="slurm,lsf")
    assert {Path(n).suffix for n in written} == {".slurm", ".lsf", ".yaml", ".sh"}
    submit = written["submit_all.sh"].read_text()
    assert 'SCHED="${1:-slurm}"' in submit and "[slurm|lsf]" in submit
    _, commands = submit_plan(cfg, tmp_path / "run", scheduler="lsf")
    assert commands[-1].endswith("submit_all.sh lsf")


def test_an_unknown_scheduler_is_an_error_listing_the_registered_ones(tmp_path, lsf, capsys):
    cfg = load_config("gemma3-1b-seapile")
    with pytest.raises(ConfigError) as err:
        render_jobs(cfg, tmp_path / "jobs", run_dir=tmp_path, scheduler="sge")
    assert "sge" in str(err.value) and "available: lsf, pbs, slurm" in err.value.hint
    assert not (tmp_path / "jobs").exists()  # refused before anything is written
    assert main(["jobs", "render", "--scheduler", "sge", "--out", str(tmp_path / "cli")]) == 2
    assert "available: lsf, pbs, slurm" in capsys.readouterr().err
    assert main(["jobs", "schedulers"]) in (0, None)
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["lsf:", "pbs", "slurm"]
    assert "submitted with bsub" in listed[0] and "(rendered by default)" in listed[1]


def test_schedulers_that_share_a_file_suffix_are_refused(tmp_path, lsf):
    class Twin(LSF):
        name = "lsf2"

    SCHEDULERS.register("lsf2")(Twin)
    try:
        with pytest.raises(ConfigError, match="suffix"):
            render_jobs(load_config("gemma3-1b-seapile"), tmp_path / "jobs", run_dir=tmp_path, scheduler="lsf,lsf2")
    finally:
        SCHEDULERS.unregister("lsf2")


def test_a_scheduler_whose_array_hint_would_break_the_shell_word_is_refused(tmp_path, lsf):
    class Quoted(LSF):
        name, suffix, array_hint = "quoted", "quoted", 'run under "bsub"'

    SCHEDULERS.register("quoted")(Quoted)
    try:
        with pytest.raises(ConfigError, match="array_hint"):
            render_jobs(load_config("gemma3-1b-seapile"), tmp_path / "jobs", run_dir=tmp_path, scheduler="quoted")
    finally:
        SCHEDULERS.unregister("quoted")


def test_a_scheduler_missing_a_member_says_which(tmp_path):
    class Half(Scheduler):
        name, suffix, submit = "half", "half", "hsub"

        def depend(self, variables: Sequence[str]) -> str:
            return ""

    SCHEDULERS.register("half")(Half)
    try:
        with pytest.raises(ConfigError, match="does not define array_index, array_hint, directives"):
            render_jobs(load_config("gemma3-1b-seapile"), tmp_path / "jobs", run_dir=tmp_path, scheduler="half")
    finally:
        SCHEDULERS.unregister("half")
