"""``morphtok study plan``: the phases of a config with commands, estimated time and disk.

Each phase estimates itself (``estimate(cfg)`` in its module) from the throughputs in
``throughputs.yaml`` and the arms' declared throughputs (each number says whether it
was measured here or assumed), in the shape of the seed plan's timeline table.
"""

from __future__ import annotations

from dataclasses import dataclass

from morphtok.config import StudyConfig
from morphtok.errors import StudyError
from morphtok.study.phase import Phase


@dataclass
class PlanRow:
    phase: str
    command: str
    seconds: float
    disk_bytes: float
    where: str  # "cpu" | "gpu cluster" | "network"
    note: str = ""


def build_plan(cfg: StudyConfig, *, has_gpu: bool = False, out: str = "runs/NAME",
               phases: list[Phase] | None = None) -> list[PlanRow]:
    """One row per phase: ``--only <phase>``, or its cluster command when it needs GPUs this machine lacks."""
    if phases is None:
        from morphtok.study.phases import PHASES

        phases = PHASES
    rows = []
    for phase in phases:
        if phase.estimate is None:
            raise StudyError(f"phase '{phase.name}' has no estimate()", hint="a phase module defines run and estimate")
        est = phase.estimate(cfg)
        command = f"--only {phase.name}"
        if est.cluster_command and not has_gpu:
            command = est.cluster_command.format(out=out)
        rows.append(PlanRow(phase.name, command, est.seconds, est.disk_bytes, est.where, est.note))
    return rows


def human_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} TB"
