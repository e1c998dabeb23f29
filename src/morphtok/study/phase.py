"""What a study phase is, and the files through which the runner and a phase talk.

Every phase module (``morphtok.study.phases.<name>``) has the same two functions:

* ``run(cfg, workdir) -> Path``: do the phase's work into ``workdir`` (``<run>/<phase>/``)
  and return the result file written by :func:`write_result` (outputs for downstream
  phases, whether it finished, a one-line message);
* ``estimate(cfg) -> Estimate``: time, disk and where it runs, for ``study plan``.

A phase reads only the config and files: before calling ``run`` the runner writes
``workdir/inputs.json`` (the phase's fingerprint, the outputs of the phases it depends
on, whether this machine has a GPU), read back with :func:`upstream` and :func:`has_gpu`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from morphtok.atomic import atomic_write_json
from morphtok.config import StudyConfig
from morphtok.errors import StudyError

INPUTS = "inputs.json"
RESULT = "result.json"


@dataclass
class PhaseResult:
    """What a phase reports back: outputs for downstream phases, and whether it finished."""

    outputs: dict[str, Any] = field(default_factory=dict)
    # False when the phase could only prepare work for elsewhere (e.g. rendered cluster jobs):
    # no done marker is written, so the next run tries again.
    complete: bool = True
    message: str = ""


@dataclass
class Estimate:
    """One row of ``study plan``: seconds and bytes from the throughputs, and where it runs."""

    seconds: float
    disk_bytes: float
    where: str = "cpu"  # "cpu" | "gpu cluster" | "network"
    note: str = ""
    # The command when this machine has no GPU and the phase runs on a cluster ("{out}" = the run dir);
    # "" means the phase runs here: ``--only <phase>``.
    cluster_command: str = ""


@dataclass(frozen=True)
class Phase:
    name: str
    sections: tuple[str, ...]  # config sections (or top-level keys) the phase reads
    depends: tuple[str, ...]  # upstream phases whose outputs it uses
    run: Callable[[StudyConfig, Path], Path]
    estimate: Callable[[StudyConfig], Estimate] | None = None
    description: str = ""


def write_result(workdir: Path, outputs: dict[str, Any], *, complete: bool = True, message: str = "") -> Path:
    """Record what the phase produced (the runner turns it into the ``done`` marker or ``pending.json``)."""
    return atomic_write_json(Path(workdir) / RESULT, {"outputs": outputs, "complete": complete, "message": message})


def read_result(path: Path, phase: str) -> PhaseResult:
    """The result file a phase's ``run`` returned; consumed (deleted) once read."""
    path = Path(path)
    if not path.is_file():
        raise StudyError(f"phase '{phase}' returned {path}, which does not exist",
                         where=str(path), hint="a phase's run() returns the path write_result() gave it")
    data = json.loads(path.read_text(encoding="utf-8"))
    path.unlink()
    return PhaseResult(data["outputs"], complete=data["complete"], message=data["message"])


def write_inputs(workdir: Path, fp: str, phase: Phase, upstream_outputs: dict[str, Any], gpu: bool) -> None:
    atomic_write_json(workdir / INPUTS, {"fingerprint": fp, "sections": list(phase.sections),
                                         "upstream": upstream_outputs, "has_gpu": gpu})


def _inputs(workdir: Path) -> dict[str, Any]:
    path = Path(workdir) / INPUTS
    if not path.is_file():
        raise StudyError(f"{path} is missing", where=str(path), hint="phases are run by morphtok study run")
    return json.loads(path.read_text(encoding="utf-8"))


def upstream(workdir: Path, phase: str) -> dict[str, Any]:
    """Outputs of an earlier phase, as the runner recorded them for this one."""
    outputs = _inputs(workdir).get("upstream", {})
    if phase not in outputs:
        run_dir = Path(workdir).parent
        raise StudyError(
            f"phase '{phase}' has no recorded outputs in {run_dir}",
            hint=f"run it first: morphtok study run --out {run_dir} --only {phase}",
        )
    return outputs[phase]


def has_gpu(workdir: Path) -> bool:
    """Whether the machine running the study has a GPU (decided once, by the runner's caller)."""
    return bool(_inputs(workdir).get("has_gpu", False))
