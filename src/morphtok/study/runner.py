"""The phase runner behind ``morphtok study run``: one config, one run dir, resumable phases.

A study is an ordered list of :class:`~morphtok.study.phase.Phase` objects (corpus ->
preprocess -> bench -> train -> eval -> analysis; the list is
:data:`morphtok.study.phases.PHASES`). The runner knows nothing of any phase: each
phase writes into ``<run>/<phase>/`` and, when all its outputs are in place, a
``done`` marker holding the fingerprint of its inputs: the config sections it
reads plus the fingerprints of the phases it depends on. Hence:

* a rerun skips every phase whose marker matches (``is_done``);
* an interrupted phase has no marker and simply runs again -- the phase itself
  resumes from what it left (per-chunk prefixes, trainer checkpoints);
* a config change alters that phase's fingerprint and, through the chain, the
  fingerprints of everything downstream, so exactly those phases re-run.

Integrity: one runner per run dir (``<run>/study.lock``: a second ``study run`` on the
same ``--out`` fails at once, naming the first one's pid). ``<run>/study.json`` records
the phase directories this study created; only those are ever deleted (``--force``, or
a phase whose inputs changed). A phase directory the study did not create -- a user's
``corpus/`` under ``--out`` -- is refused, never written into or deleted. (Run dirs from
before ``study.json`` are recognised by the ``inputs.json`` the runner always wrote.)

Like Megatron's ``pretrain`` loop this module only orders and records work; the
real work lives in each phase module and its library entry point.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from morphtok import __version__
from morphtok.atomic import (
    atomic_write_json,
    atomic_write_text,
    fingerprint,
    is_done,
    mark_done,
    output_lock,
)
from morphtok.config import StudyConfig, dump_config
from morphtok.errors import StudyError
from morphtok.study.phase import Phase, read_result, write_inputs

log = logging.getLogger(__name__)


@dataclass
class PhaseRecord:
    name: str
    status: str  # done | skipped | pending | failed | not-run
    seconds: float = 0.0
    fingerprint: str = ""
    message: str = ""


def phase_fingerprints(cfg: StudyConfig, phases: list[Phase]) -> dict[str, str]:
    """Fingerprint of each phase: its config sections + upstream fingerprints + package version."""
    data = cfg.to_dict()
    fps: dict[str, str] = {}
    for phase in phases:
        missing = [s for s in phase.sections if s not in data]
        if missing:
            raise StudyError(f"phase '{phase.name}' reads unknown config section(s) {missing}")
        fps[phase.name] = fingerprint(
            {
                "phase": phase.name,
                "config": {s: data[s] for s in phase.sections},
                "upstream": {d: fps[d] for d in phase.depends},
                "version": __version__,
            }
        )
    return fps


def select_phases(phases: list[Phase], only: str | None = None, start: str | None = None) -> list[str]:
    """Names of the phases to attempt: all, ``--only P``, or ``--from P`` onwards."""
    names = [p.name for p in phases]
    for value, flag in ((only, "--only"), (start, "--from")):
        if value is not None and value not in names:
            raise StudyError(f"{flag}: unknown phase '{value}'", hint=f"phases: {', '.join(names)}")
    if only is not None and start is not None:
        raise StudyError("give --only or --from, not both")
    if only is not None:
        return [only]
    if start is not None:
        return names[names.index(start) :]
    return names


def _read_json(path: Path) -> dict[str, Any]:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def run_study(
    cfg: StudyConfig,
    run_dir: str | Path,
    phases: list[Phase],
    *,
    only: str | None = None,
    start: str | None = None,
    force: bool = False,
    on_event: Callable[[PhaseRecord], None] | None = None,
    has_gpu: bool = False,
) -> list[PhaseRecord]:
    """Run (or skip) each selected phase in order; returns one record per phase.

    A phase that is not selected but whose outputs are needed must already be
    done with the current fingerprint; otherwise the run stops with a clear error.
    A phase that returns ``complete=False`` (work handed to a cluster or a machine
    with network) blocks only the phases downstream of it; independent ones still run.
    """
    run_dir = Path(run_dir)
    with output_lock(run_dir / "study.lock", f"study run dir {run_dir}"):
        return _run_locked(cfg, run_dir, phases, only=only, start=start, force=force,
                           emit=on_event or (lambda record: None), has_gpu=has_gpu)


def _run_locked(cfg: StudyConfig, run_dir: Path, phases: list[Phase], *, only: str | None, start: str | None,
                force: bool, emit: Callable[[PhaseRecord], None], has_gpu: bool) -> list[PhaseRecord]:
    atomic_write_text(run_dir / "config.yaml", dump_config(cfg))
    fps = phase_fingerprints(cfg, phases)
    selected = set(select_phases(phases, only, start))
    outputs: dict[str, dict[str, Any]] = {}  # each finished phase's outputs, for the phases downstream
    records: list[PhaseRecord] = []
    blocked: set[str] = set()  # pending phases and everything downstream of them
    for phase in phases:
        directory = run_dir / phase.name
        fp = fps[phase.name]
        record = PhaseRecord(phase.name, "not-run", fingerprint=fp)
        finished = is_done(directory, fp)
        waits_for = [d for d in phase.depends if d in blocked]
        if waits_for:
            blocked.add(phase.name)
            record.message = f"waits for {', '.join(waits_for)}"
        elif phase.name not in selected or (finished and not force):
            if finished:
                _require_created(run_dir, phase.name)
                outputs[phase.name] = _read_json(directory / "done").get("outputs", {})
                record.status = "skipped"
                record.message = "done (fingerprint matches)"
            else:
                record.message = "not selected"
        else:
            _prepare_phase_dir(run_dir, phase, fp, force)
            write_inputs(directory, fp, phase, {d: outputs[d] for d in phase.depends if d in outputs}, has_gpu)
            _run_phase(cfg, run_dir, phase, fp, record, records, emit, blocked, outputs)
        records.append(record)
        emit(record)
    _write_timings(run_dir, records)
    return records


def _prepare_phase_dir(run_dir: Path, phase: Phase, fp: str, force: bool) -> None:
    """An empty (or resumable) directory for the phase, created -- and only ever deleted -- by the study."""
    directory = run_dir / phase.name
    _require_created(run_dir, phase.name)
    previous = _read_json(directory / "inputs.json").get("fingerprint")
    if directory.exists() and (force or (previous is not None and previous != fp)):
        # Inputs changed (or --force): outputs of the old inputs must not be resumed
        # from (old chunks, old checkpoints), so the phase starts clean.
        log.info("phase %s: %s, starting it afresh", phase.name, "forced" if force else "inputs changed")
        shutil.rmtree(directory)
    elif (directory / "done").exists():
        (directory / "done").unlink()  # a marker of unknown inputs: redo the phase
    if not directory.exists():
        _record_created(run_dir, phase.name)
        directory.mkdir(parents=True)


def _run_phase(cfg: StudyConfig, run_dir: Path, phase: Phase, fp: str, record: PhaseRecord,
               records: list[PhaseRecord], emit: Callable[[PhaseRecord], None], blocked: set[str],
               outputs: dict[str, dict[str, Any]]) -> None:
    directory = run_dir / phase.name
    record.status = "running"
    emit(record)
    start_time = time.perf_counter()
    try:
        result = read_result(phase.run(cfg, directory), phase.name)
    except BaseException:
        record.status = "failed"
        record.seconds = time.perf_counter() - start_time
        records.append(record)
        emit(record)
        _write_timings(run_dir, records)
        raise
    record.seconds = time.perf_counter() - start_time
    record.message = result.message
    outputs[phase.name] = result.outputs
    if result.complete:
        mark_done(directory, fp, outputs=result.outputs, seconds=round(record.seconds, 3))
        record.status = "done"
    else:
        # Work handed elsewhere (cluster jobs): record what to run next, no marker.
        atomic_write_json(directory / "pending.json", {"outputs": result.outputs, "message": result.message})
        record.status = "pending"
        blocked.add(phase.name)


STUDY_MANIFEST = "study.json"


def _created(run_dir: Path) -> list[str]:
    return list(_read_json(run_dir / STUDY_MANIFEST).get("created", []))


def _record_created(run_dir: Path, name: str) -> None:
    created = _created(run_dir)
    if name not in created:
        atomic_write_json(run_dir / STUDY_MANIFEST, {"created": [*created, name], "version": __version__})


def _require_created(run_dir: Path, name: str) -> None:
    """Refuse a phase directory that exists but that this study did not create (it is not ours to touch)."""
    directory = run_dir / name
    if not directory.exists() or name in _created(run_dir):
        return
    if (directory / "inputs.json").is_file():  # a run dir from before study.json: the runner's own file
        _record_created(run_dir, name)
        return
    raise StudyError(
        f"{directory} exists and was not created by this study (it is not listed in {run_dir / STUDY_MANIFEST})",
        where=str(directory),
        hint="use another --out, or move that directory away; the study never writes into or deletes "
        "directories it did not create",
    )


def _write_timings(run_dir: Path, records: list[PhaseRecord]) -> None:
    atomic_write_json(run_dir / "timings.json", {"phases": [dataclasses.asdict(r) for r in records]})
