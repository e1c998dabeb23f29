"""Where a Megatron-Bridge run resumes, decided before any GPU process starts.

Bridge (0.3.0) saves ``<save>/iter_<step:07d>/`` and writes the checkpoint's ``train_state.pt`` and
then the trackers ``<save>/latest_train_state.pt`` / ``latest_checkpointed_iteration.txt`` only
after every rank finished; megatron-core writes the directory's ``metadata.json`` last. A
directory with both files is complete; anything else is what a kill during a save leaves. When
``load`` has no tracker, Bridge falls back to ``pretrained_checkpoint`` -- the HF weights -- and
trains from step 0 without a word. Hence three rules here:

* an unfinished ``iter_*`` is moved out of the save dir (to ``<run>/unfinished/``, where Bridge's
  ``iter_*`` clean-up cannot see it) and the run resumes from the newest complete one, named
  explicitly (``ckpt_step``), so a stale tracker cannot pick another;
* once a run has saved a checkpoint it has a marker (``<run>/started.json``); a marker with no
  complete checkpoint is an error (unmounted or deleted checkpoint dir), never a silent restart;
* the marker records what the run trains on; a run dir of another arm or data is refused.

The W&B run id lives in ``<run>/wandb_run_id`` so a resumed job continues the same W&B run
(``WANDB_RUN_ID`` + ``WANDB_RESUME=allow``, read by ``wandb.init``).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from morphtok.atomic import atomic_write_json, atomic_write_text
from morphtok.errors import CheckpointError

log = logging.getLogger(__name__)

MARKER = "started.json"
WANDB_ID_FILE = "wandb_run_id"
UNFINISHED_DIR = "unfinished"
_ITER = re.compile(r"^iter_(\d{7})$")


@dataclass
class ResumePoint:
    step: int | None  # newest complete checkpoint; None = start from the pretrained (HF) weights
    moved_aside: list[Path] = field(default_factory=list)


def is_complete(checkpoint: Path) -> bool:
    """Bridge's per-checkpoint train state and megatron-core's metadata are both written."""
    return (checkpoint / "train_state.pt").is_file() and (checkpoint / "metadata.json").is_file()


def checkpoints(save_dir: Path) -> list[tuple[int, Path]]:
    """``(step, dir)`` of every ``iter_*`` directory in ``save_dir``, oldest first."""
    found = []
    for path in save_dir.iterdir() if save_dir.is_dir() else ():
        match = _ITER.match(path.name)
        if match and path.is_dir():
            found.append((int(match.group(1)), path))
    return sorted(found)


def latest_complete(save_dir: Path) -> tuple[int, Path] | None:
    complete = [(step, path) for step, path in checkpoints(save_dir) if is_complete(path)]
    return complete[-1] if complete else None


def resume_point(run_dir: str | Path, save_dir: str | Path, identity: dict[str, Any]) -> ResumePoint:
    """Check the run dir, move unfinished checkpoints aside, and say which step to resume from."""
    run_dir, save_dir = Path(run_dir), Path(save_dir)
    marker = run_dir / MARKER
    recorded = _read_marker(marker)
    if recorded is not None and recorded.get("identity") != identity:
        raise CheckpointError(
            f"this run dir belongs to another run: {recorded.get('identity')} (now {identity})",
            where=str(marker),
            hint="give every arm and data set its own --checkpoint-dir, or delete the old run dir",
        )
    moved = [_move_aside(run_dir, path) for _, path in checkpoints(save_dir) if not is_complete(path)]
    for path in moved:
        log.warning("unfinished checkpoint moved aside: %s", path)
    latest = latest_complete(save_dir)
    if latest is None:
        if recorded is not None:
            raise CheckpointError(
                f"this run saved checkpoint(s) before (step {recorded.get('first_step')}) but {save_dir} "
                "holds no complete checkpoint now; refusing to restart from the HF weights",
                where=str(marker),
                hint="is the checkpoint root mounted (MORPHTOK_CHECKPOINT_ROOT)? Restore the checkpoints, "
                     f"or delete {marker} to train this run from step 0 again",
            )
        return ResumePoint(None, moved)
    if recorded is None:
        write_marker(run_dir, latest[0], identity)
    return ResumePoint(latest[0], moved)


def write_marker(run_dir: str | Path, step: int, identity: dict[str, Any]) -> Path:
    """Record that this run has a checkpoint (first step and what it trains on)."""
    return atomic_write_json(Path(run_dir) / MARKER, {"first_step": step, "identity": identity,
                                                      "time": time.strftime("%Y-%m-%dT%H:%M:%S")})


def wandb_run_id(run_dir: str | Path) -> str:
    """This run's W&B id: created once, then read back on every resume."""
    path = Path(run_dir) / WANDB_ID_FILE
    if path.is_file():
        value = path.read_text(encoding="utf-8").strip()
        if re.fullmatch(r"[a-z0-9]{8,32}", value):
            return value
        raise CheckpointError(f"not a W&B run id: {value!r}", where=str(path), hint="delete the file to start a new W&B run")
    value = uuid.uuid4().hex[:16]
    atomic_write_text(path, value + "\n")
    return value


def _read_marker(marker: Path) -> dict[str, Any] | None:
    if not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except ValueError as err:
        raise CheckpointError(f"unreadable run marker ({err})", where=str(marker)) from None
    if not isinstance(data, dict):
        raise CheckpointError("run marker is not a JSON object", where=str(marker))
    return data


def _move_aside(run_dir: Path, checkpoint: Path) -> Path:
    target_dir = run_dir / UNFINISHED_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{checkpoint.name}-{time.strftime('%Y%m%dT%H%M%S')}"
    suffix = 0
    while target.exists():
        suffix += 1
        target = target_dir / f"{checkpoint.name}-{time.strftime('%Y%m%dT%H%M%S')}-{suffix}"
    checkpoint.rename(target)
    return target
