"""Render the cluster part of a study as PBS/Slurm jobs, from one config, quoted and checked.

One layout (``StudyLayout``) says where everything lives on the host and in the container;
the rendered jobs carry a copy of the resolved study config (``config.yaml`` beside them) and
every command reads it -- no hyper-parameter is typed into a job as a flag. Every value that
reaches a shell line goes through ``shlex.quote``; names that become paths or job names (arms,
the W&B run name) must be plain names (letters, digits, ``._-``; no ``/`` or ``..``).
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from morphtok.config import StudyConfig, dump_config
from morphtok.errors import ConfigError
from morphtok.segment.processor import JobNames

# Each arm's ``job_name`` (the seed names the baseline preprocessing job and data directory "vanilla").
JOB_ARM = JobNames()
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
CONTAINER_NAME = "nemo_framework"  # the seed's enroot container name (setup_enroot.sh)
# In the container (run_in_enroot.sh mounts these): the seed's /workspace and /logs/checkpoints.
MOUNTS = {"repo": "/workspace", "study": "/study", "jobs": "/jobs", "checkpoints": "/logs/checkpoints"}


def safe_name(value: str, key: str) -> str:
    """``value`` if it is a plain name usable as a path component and a job name."""
    if not NAME.match(value) or ".." in value:
        raise ConfigError(f"{key} {value!r} is not a plain name",
                          hint="use letters, digits, '.', '_' and '-' only (no '/', '..', spaces or quotes)")
    return value


def run_name(cfg: StudyConfig, arm: str) -> str:
    """``train.wandb_name`` for ``arm`` (its only placeholder is ``{arm}``), checked as a name."""
    template = cfg.train.wandb_name
    try:
        name = template.format(arm=arm)
    except (IndexError, KeyError, ValueError) as err:
        raise ConfigError(f"train.wandb_name {template!r} is not a valid template ({type(err).__name__}: {err})",
                          hint="the only placeholder allowed is {arm}, e.g. gemma3-1b-{arm}") from None
    return safe_name(name, "train.wandb_name")


@dataclass(frozen=True)
class StudyLayout:
    """Host paths of one study's cluster run (all absolute)."""

    repo: Path
    study: Path
    jobs: Path
    checkpoints: Path

    @classmethod
    def create(cls, cfg: StudyConfig, jobs: str | Path, study: str | Path | None = None,
               repo: str | Path | None = None) -> StudyLayout:
        repo_dir = Path(repo) if repo else default_repo()
        study_dir = Path(study) if study else repo_dir
        root = cfg.train.checkpoint_root
        checkpoints = Path(root).expanduser() if root else study_dir / "checkpoints"
        return cls(repo_dir.resolve(), study_dir.resolve(), Path(jobs).resolve(), checkpoints.resolve())

    @property
    def chunks(self) -> Path:
        return self.study / "data" / "chunks"

    @property
    def processed(self) -> Path:
        return self.study / "data" / "processed"

    def in_container(self, path: Path) -> str:
        """``path`` as the container sees it (it must be under a mounted dir)."""
        for key in ("checkpoints", "jobs", "study", "repo"):  # most specific mount first
            root = getattr(self, key)
            if path == root or root in path.parents:
                return str(Path(MOUNTS[key]) / path.relative_to(root))
        raise ConfigError(f"{path} is not under a directory mounted into the container")


def default_repo() -> Path:
    """The checkout holding run_in_enroot.sh (this source tree), else the working directory."""
    source_root = Path(__file__).resolve().parents[3]
    return source_root if (source_root / "run_in_enroot.sh").is_file() else Path.cwd()


def check(cfg: StudyConfig, launcher: str) -> None:
    """Everything a job would trip over later, refused now."""
    for arm in cfg.arms.names:
        safe_name(arm, "arms.names entry")
        run_name(cfg, arm)
    if launcher not in ("nemo", "torchrun"):
        raise ConfigError(f"launcher {launcher!r} is not nemo or torchrun")
    if cfg.train.num_nodes != 1:
        raise ConfigError(f"train.num_nodes is {cfg.train.num_nodes}: the rendered jobs run on one node",
                          hint="the seed trains on one node of 8 GPUs")
    if launcher == "nemo":
        from morphtok.train.bridge_recipe import check_supported

        check_supported(cfg)
    from morphtok.cluster.disk import checkpoint_disk

    need, budget = checkpoint_disk(cfg), cfg.train.disk_budget_gb * 1e9
    if need > budget:
        raise ConfigError(
            f"checkpoints need {need / 1e9:,.0f} GB (train.keep_last={cfg.train.keep_last} per arm) but "
            f"train.disk_budget_gb is {cfg.train.disk_budget_gb:g}",
            hint="lower train.keep_last or raise train.disk_budget_gb")


def _template(name: str) -> Template:
    return Template((resources.files("morphtok.cluster") / "templates" / name).read_text(encoding="utf-8"))


def _quoted(values: dict[str, object]) -> dict[str, str]:
    return {key: shlex.quote(str(value)) for key, value in values.items()}


def job_values(cfg: StudyConfig, layout: StudyLayout, arm: str, launcher: str) -> dict[str, str]:
    """The template values of one arm's jobs; every one shell-quoted (names are checked too)."""
    t, job_arm = cfg.train, JOB_ARM.get(arm, arm)
    name = run_name(cfg, arm)
    arm_dir = layout.processed / job_arm
    merged = arm_dir / "seapile"
    chunks = [str(arm_dir / f"chunk_{i:04d}") for i in range(1, cfg.corpus.num_chunks + 1)]
    validation = layout.processed / "validation" / "baseline"
    values = _quoted({
        "arm": arm, "job_arm": job_arm, "config": layout.jobs / "config.yaml", "python": sys.executable,
        "repo": layout.repo, "study": layout.study, "jobs": layout.jobs, "checkpoint_root": layout.checkpoints,
        "chunks_dir": layout.chunks, "processed_dir": layout.processed, "merged": merged,
        "manifest": layout.chunks / "manifest.json", "container": CONTAINER_NAME,
    })
    values["chunk_prefixes"] = " ".join(shlex.quote(p) for p in chunks)
    # Directive lines (#PBS/#SBATCH) are not shell: only checked names and integers reach them.
    values.update(name=name, num_chunks=str(cfg.corpus.num_chunks), ncpus=str(max(cfg.preprocess.workers, 1)),
                  num_gpus=str(t.num_gpus), model=t.model)
    if launcher == "torchrun":
        launch = ["torchrun", "--standalone", f"--nproc_per_node={t.num_gpus}", "-m", "morphtok.cli", "train",
                  "--config", str(layout.jobs / "config.yaml"), "--arm", arm, "--data-path", str(merged),
                  "--validation", str(layout.processed / "validation.jsonl"),
                  "--checkpoint-dir", str(layout.checkpoints / name)]
    else:
        launch = ["./run_in_enroot.sh", "python", "training/nemo/run_cpt.py",
                  "--config", layout.in_container(layout.jobs / "config.yaml"), "--arm", arm,
                  "--data-path", layout.in_container(merged),
                  "--validation-path", layout.in_container(validation),
                  "--checkpoint-dir", layout.in_container(layout.checkpoints / name)]
    values["launch"] = shlex.join(launch)
    return values


def render_jobs(cfg: StudyConfig, out_dir: str | Path, run_dir: str | Path | None = None, scheduler: str = "both",
                launcher: str | None = None, repo_dir: str | Path | None = None) -> dict[str, Path]:
    """Write the jobs, ``submit_all.sh`` and ``config.yaml`` into ``out_dir``; returns name -> path."""
    launcher = launcher or ("torchrun" if cfg.train.launcher == "torchrun" else "nemo")
    schedulers = ("pbs", "slurm") if scheduler == "both" else (scheduler,)
    if any(s not in ("pbs", "slurm") for s in schedulers):
        raise ConfigError(f"scheduler {scheduler!r} is not pbs, slurm or both")
    check(cfg, launcher)
    layout = StudyLayout.create(cfg, out_dir, run_dir, repo_dir)
    layout.jobs.mkdir(parents=True, exist_ok=True)
    written = {"config.yaml": _write(layout.jobs / "config.yaml", dump_config(cfg), executable=False)}
    for sched in schedulers:
        for i, arm in enumerate(cfg.arms.names):
            values = job_values(cfg, layout, arm, launcher)
            if i == 0:
                name = f"prepare_validation.{sched}"
                written[name] = _write(layout.jobs / name, _template(name).substitute(values))
            for kind, stem in (("preprocess", f"preprocess_data_{values['job_arm']}"), ("run_cpt", f"run_cpt_{arm}")):
                name = f"{stem}.{sched}"
                written[name] = _write(layout.jobs / name, _template(f"{kind}.{sched}").substitute(values))
    written["submit_all.sh"] = _write(layout.jobs / "submit_all.sh", submit_script(cfg, layout, schedulers))
    return written


def submit_script(cfg: StudyConfig, layout: StudyLayout, schedulers: tuple[str, ...]) -> str:
    """``submit_all.sh [pbs|slurm]``: the validation job and the preprocessing arrays, then each arm's
    training job after its array and the validation set (``afterok``)."""
    config = shlex.quote(str(layout.jobs / "config.yaml"))
    lines = ["#!/usr/bin/env bash",
             "# Submit the study's cluster jobs in order; rendered by `morphtok jobs render`.",
             "set -euo pipefail", 'HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
             f'SCHED="${{1:-{schedulers[0]}}}"', f'PY="${{MORPHTOK_PYTHON:-{shlex.quote(sys.executable)}}}"',
             "# Fail before submitting anything when the split is missing or has another chunk count.",
             f'"$PY" -m morphtok.cli jobs step check-chunks --config {config} --chunks-dir '
             f'{shlex.quote(str(layout.chunks))}', 'case "$SCHED" in']
    for sched in schedulers:
        submit = "qsub" if sched == "pbs" else "sbatch --parsable"
        tail = "" if sched == "pbs" else " | cut -d ';' -f 1"  # --parsable may print ID;CLUSTER
        lines.append(f"  {sched})")
        lines.append(f'    VAL=$({submit} "$HERE/prepare_validation.{sched}"{tail})')
        lines.append('    echo "prepare_validation: $VAL"')
        for arm in cfg.arms.names:
            job_arm = JOB_ARM.get(arm, arm)
            var = re.sub(r"\W", "_", arm).upper()
            lines.append(f'    PRE_{var}=$({submit} "$HERE/preprocess_data_{job_arm}.{sched}"{tail})')
            depend = (f'-W depend=afterok:"$PRE_{var}":"$VAL"' if sched == "pbs"
                      else f'--dependency=afterok:"$PRE_{var}":"$VAL"')
            lines.append(f'    TRAIN_{var}=$({submit} {depend} "$HERE/run_cpt_{arm}.{sched}"{tail})')
            lines.append(f'    echo "{arm}: preprocess $PRE_{var}, train $TRAIN_{var}"')
        lines.append("    ;;")
    lines += [f'  *) echo "usage: $0 [{"|".join(schedulers)}]" >&2; exit 2 ;;', "esac", ""]
    return "\n".join(lines)


def _write(path: Path, text: str, executable: bool = True) -> Path:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    if executable:
        os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return path
