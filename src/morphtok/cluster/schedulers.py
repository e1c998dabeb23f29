"""Batch schedulers: what PBS, Slurm (or a plugin's LSF, SGE, ...) do differently, on one small class.

The job bodies are shared (``templates/<kind>.sh``, package data); a :class:`Scheduler` says how
its jobs are headed and submitted: the directive lines for a :class:`JobSpec` (name, array size,
CPUs, GPUs, memory, time limit, requeue), the array-index variable, what a training job does when
the trainer stops after a checkpoint (exit 75), and how ``submit_all.sh`` submits a job after
others and captures its id. A new scheduler is one class and one registration::

    [project.entry-points."morphtok.schedulers"]
    lsf = "my_package.lsf:LSF"

(or ``SCHEDULERS.register("lsf")(LSF)`` in-process). ``--scheduler all`` renders every registered
scheduler; ``both`` (the default, its name kept from when there were two) those with ``default = True``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from string import Template
from typing import ClassVar

from morphtok.errors import ConfigError
from morphtok.registry import Registry

RESUME_EXIT = 75  # the trainer saved a checkpoint and stopped (time limit, preemption): rerun resumes


@dataclass(frozen=True)
class JobSpec:
    """The resources of one job, as every scheduler's directives need them (names already checked)."""

    name: str
    cpus: int
    mem_gb: int
    hours: int
    array: int = 0  # > 0: an array job of tasks 1..array
    gpus: int = 0  # > 0: a one-node GPU job
    warn_s: int = 0  # > 0: ask for a signal this long before the time limit (the trainer checkpoints)

    @property
    def walltime(self) -> str:
        return f"{self.hours:02d}:00:00"


class Scheduler(ABC):
    """One batch scheduler. Subclass, set the class attributes, write :meth:`directives` and
    :meth:`depend`; override the rest only where the scheduler differs."""

    name: ClassVar[str]  # registry name: ``--scheduler NAME``, ``submit_all.sh NAME``
    suffix: ClassVar[str]  # job file suffix: preprocess_data_patok.<suffix>
    submit: ClassVar[str]  # submit command; prints the new job's id
    id_filter: ClassVar[str] = ""  # shell pipeline appended to the submit command to keep only the id
    array_index: ClassVar[str]  # environment variable holding an array task's index (1-based)
    array_hint: ClassVar[str]  # error when a preprocessing job runs outside an array (no quotes, $, ` or })
    default: ClassVar[bool] = False  # rendered by ``--scheduler both`` (the built-ins)

    @abstractmethod
    def directives(self, job: JobSpec) -> list[str]:
        """The job file's directive lines (``#PBS ...``): name, array, resources, requeue, environment."""

    @abstractmethod
    def depend(self, variables: Sequence[str]) -> str:
        """Submit options that hold a job until the jobs whose ids are in shell ``variables`` succeeded."""

    def submit_command(self, script: str, after: Sequence[str] = ()) -> str:
        """The shell command submitting ``script`` (a shell word) after ``after``, printing only the id."""
        words = [self.submit, *([self.depend(after)] if after else []), script]
        return " ".join(words) + self.id_filter

    def on_resume_exit(self) -> str:
        """Shell lines a training job runs when the trainer exits 75; the job then exits with ``$RC``."""
        return f'    echo "stopped after saving a checkpoint: resubmit this job to resume ({self.submit} $0)" >&2'

    def chunk_index(self) -> str:
        """The shell word a preprocessing array task reads its chunk number from."""
        return f'"${{{self.array_index}:?{self.array_hint}}}"'

    def template(self, kind: str) -> Template:
        """The body of a ``kind`` job (prepare_validation, preprocess, run_cpt); ``${directives}`` heads it."""
        text = (resources.files("morphtok.cluster") / "templates" / f"{kind}.sh").read_text(encoding="utf-8")
        return Template(text)


SCHEDULERS: Registry[type[Scheduler]] = Registry("job scheduler", Scheduler, group="morphtok.schedulers")


def resolve(spec: str) -> list[Scheduler]:
    """``pbs``, ``pbs,slurm``, ``all`` (every registered) or ``both`` (the defaults) -> schedulers."""
    if spec in ("all", "both"):
        found = [_load(name) for name in SCHEDULERS.names()]
        chosen = found if spec == "all" else [s for s in found if s.default]
    else:
        chosen = [_load(name.strip()) for name in spec.split(",") if name.strip()]
    if not chosen:
        raise ConfigError(f"scheduler {spec!r} names no scheduler",
                          hint=f"available: {', '.join(SCHEDULERS.names())}, all, both")
    suffixes = [s.suffix for s in chosen]
    if len(set(suffixes)) != len(suffixes):
        raise ConfigError(f"schedulers {[s.name for s in chosen]} share a job file suffix ({suffixes})")
    return chosen


def _load(key: str) -> Scheduler:
    """The registered scheduler ``key``, checked whole: a plugin missing a member says which."""
    cls = SCHEDULERS.get(key)
    missing = [a for a in ("name", "suffix", "submit", "array_index", "array_hint") if not hasattr(cls, a)]
    missing += sorted(getattr(cls, "__abstractmethods__", ()))
    if missing:
        raise ConfigError(f"scheduler '{key}' ({cls.__module__}.{cls.__qualname__}) does not define "
                          f"{', '.join(missing)}", hint="see morphtok.cluster.schedulers.Scheduler")
    if cls.name != key:
        raise ConfigError(f"scheduler registered as '{key}' calls itself {cls.name!r}",
                          hint="register it under its name (submit_all.sh takes the name)")
    return cls()


class PBS(Scheduler):
    """PBS Pro / OpenPBS: ``qsub``, ``-J 1-N`` arrays indexed by ``$PBS_ARRAY_INDEX``, ``-r y`` rerunnable.
    At the walltime PBS sends SIGTERM, which the training job forwards to the trainer."""

    name, suffix, submit, default = "pbs", "pbs", "qsub", True
    array_index, array_hint = "PBS_ARRAY_INDEX", "run as a PBS array job (qsub submits it with -J)"

    def directives(self, job: JobSpec) -> list[str]:
        gpus = f":ngpus={job.gpus}" if job.gpus else ""
        return [f"#PBS -N {job.name}", *([f"#PBS -J 1-{job.array}"] if job.array else []),
                f"#PBS -l select=1:ncpus={job.cpus}{gpus}:mem={job.mem_gb}gb", f"#PBS -l walltime={job.walltime}",
                "#PBS -j oe", "#PBS -r y", "#PBS -V"]

    def depend(self, variables: Sequence[str]) -> str:
        # qsub answers an array with its whole-array id (123[].server): afterok waits for every task
        return "-W depend=afterok:" + ":".join(f'"${v}"' for v in variables)


class Slurm(Scheduler):
    """Slurm: ``sbatch --parsable``, ``--array=1-N`` indexed by ``$SLURM_ARRAY_TASK_ID``, ``--requeue``,
    ``--signal=B:USR1@<s>`` before the time limit; a stopped trainer requeues its own job."""

    name, suffix, submit, default = "slurm", "slurm", "sbatch --parsable", True
    id_filter = " | cut -d ';' -f 1"  # --parsable may print ID;CLUSTER
    array_index = "SLURM_ARRAY_TASK_ID"
    array_hint = "run as a Slurm array job (sbatch submits it with --array)"

    def directives(self, job: JobSpec) -> list[str]:
        lines = [f"#SBATCH --job-name={job.name}", *([f"#SBATCH --array=1-{job.array}"] if job.array else [])]
        if job.gpus:
            lines += ["#SBATCH --nodes=1", f"#SBATCH --gpus-per-node={job.gpus}"]
        lines += [f"#SBATCH --cpus-per-task={job.cpus}", f"#SBATCH --mem={job.mem_gb}G",
                  f"#SBATCH --time={job.walltime}", "#SBATCH --requeue"]
        if job.warn_s:
            lines += [f"# USR1 {_ahead(job.warn_s)} before the time limit, to the batch shell, which forwards "
                      "it to the trainer.", f"#SBATCH --signal=B:USR1@{job.warn_s}"]
        return [*lines, "#SBATCH --export=ALL"]

    def depend(self, variables: Sequence[str]) -> str:
        return "--dependency=afterok:" + ":".join(f'"${v}"' for v in variables)

    def on_resume_exit(self) -> str:
        return ('    echo "stopped after saving a checkpoint: requeueing to resume" >&2\n'
                '    scontrol requeue "${SLURM_JOB_ID:?}"\n    exit 0')


def _ahead(seconds: int) -> str:
    return "ten minutes" if seconds == 600 else f"{seconds} s"
