"""Render the cluster part of a study as batch jobs, from one config, quoted and checked.

One set of job files per scheduler (PBS, Slurm, or any registered in ``morphtok.schedulers``).

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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from morphtok.cluster.schedulers import JobSpec, Scheduler, resolve
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
    if cfg.train.num_gpus < 1:
        raise ConfigError(f"train.num_gpus is {cfg.train.num_gpus}: the rendered training jobs need a GPU",
                          hint="set train.num_gpus (the seed trains on 8), or run the study here without jobs")
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
    # Directive lines are not shell: only checked names and integers reach them (JobSpec).
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
    """Write the jobs, ``submit_all.sh`` and ``config.yaml`` into ``out_dir``; returns name -> path.

    ``scheduler``: a registered scheduler's name, several joined by commas, ``all`` or ``both``
    (the built-ins; see :func:`morphtok.cluster.schedulers.resolve`)."""
    launcher = launcher or ("torchrun" if cfg.train.launcher == "torchrun" else "nemo")
    schedulers = [_checked(sched) for sched in resolve(scheduler)]
    check(cfg, launcher)
    layout = StudyLayout.create(cfg, out_dir, run_dir, repo_dir)
    layout.jobs.mkdir(parents=True, exist_ok=True)
    written = {"config.yaml": _write(layout.jobs / "config.yaml", dump_config(cfg), executable=False)}
    for sched in schedulers:
        for i, arm in enumerate(cfg.arms.names):
            values = job_values(cfg, layout, arm, launcher)
            for kind, stem, spec in _arm_jobs(cfg, arm, values["job_arm"], first=i == 0):
                text = sched.template(kind).substitute(
                    values, directives="\n".join(sched.directives(spec)), chunk_index=sched.chunk_index(),
                    on_resume_exit=sched.on_resume_exit())
                name = f"{stem}.{sched.suffix}"
                written[name] = _write(layout.jobs / name, text)
    written["submit_all.sh"] = _write(layout.jobs / "submit_all.sh", submit_script(cfg, layout, schedulers))
    return written


def _checked(sched: Scheduler) -> Scheduler:
    """A (possibly plugin) scheduler whose names and array variable are safe in file names and shell words."""
    safe_name(sched.name, "scheduler name")
    safe_name(sched.suffix, f"scheduler {sched.name}'s suffix")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sched.array_index) or re.search(r"[\"'`$}\\]", sched.array_hint):
        raise ConfigError(f"scheduler {sched.name}: array_index must be a variable name and array_hint "
                          "plain text (no quotes, $, ` or }): they become a shell word")
    return sched


def _arm_jobs(cfg: StudyConfig, arm: str, job_arm: str, first: bool) -> list[tuple[str, str, JobSpec]]:
    """(template kind, file stem, resources) of one arm's jobs; the first arm also prepares validation."""
    cpus = max(cfg.preprocess.workers, 1)
    jobs = [("prepare_validation", "prepare_validation", JobSpec("prepare_validation", cpus, 64, 8))] if first else []
    return [*jobs,
            ("preprocess", f"preprocess_data_{job_arm}",
             JobSpec(f"preprocess_{job_arm}", cpus, 64, 8, array=cfg.corpus.num_chunks)),
            # one node of GPUs; a signal ten minutes before the limit leaves the trainer time to checkpoint
            ("run_cpt", f"run_cpt_{arm}", JobSpec(f"cpt_{arm}", 64, 480, 48, gpus=cfg.train.num_gpus, warn_s=600))]


def submit_script(cfg: StudyConfig, layout: StudyLayout, schedulers: Sequence[Scheduler]) -> str:
    """``submit_all.sh [SCHEDULER]``: the validation job and the preprocessing arrays, then each arm's
    training job after its array and the validation set (``afterok``)."""
    config = shlex.quote(str(layout.jobs / "config.yaml"))
    lines = ["#!/usr/bin/env bash",
             "# Submit the study's cluster jobs in order; rendered by `morphtok jobs render`.",
             "set -euo pipefail", 'HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
             f'SCHED="${{1:-{schedulers[0].name}}}"', f'PY="${{MORPHTOK_PYTHON:-{shlex.quote(sys.executable)}}}"',
             "# Fail before submitting anything when the split is missing or has another chunk count.",
             f'"$PY" -m morphtok.cli jobs step check-chunks --config {config} --chunks-dir '
             f'{shlex.quote(str(layout.chunks))}', 'case "$SCHED" in']
    for sched in schedulers:
        lines.append(f"  {sched.name})")
        validation = sched.submit_command(f'"$HERE/prepare_validation.{sched.suffix}"')
        lines.append(f"    VAL=$({validation})")
        lines.append('    echo "prepare_validation: $VAL"')
        for arm in cfg.arms.names:
            job_arm = JOB_ARM.get(arm, arm)
            var = re.sub(r"\W", "_", arm).upper()
            pre = sched.submit_command(f'"$HERE/preprocess_data_{job_arm}.{sched.suffix}"')
            train = sched.submit_command(f'"$HERE/run_cpt_{arm}.{sched.suffix}"', after=(f"PRE_{var}", "VAL"))
            lines.append(f"    PRE_{var}=$({pre})")
            lines.append(f"    TRAIN_{var}=$({train})")
            lines.append(f'    echo "{arm}: preprocess $PRE_{var}, train $TRAIN_{var}"')
        lines.append("    ;;")
    lines += [f'  *) echo "usage: $0 [{"|".join(s.name for s in schedulers)}]" >&2; exit 2 ;;', "esac", ""]
    return "\n".join(lines)


def _write(path: Path, text: str, executable: bool = True) -> Path:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    if executable:
        os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return path
