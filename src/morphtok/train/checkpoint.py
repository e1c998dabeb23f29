"""Checkpoints of the local trainer: save, load (``load() -> bool``) and keep-last-k.

Everything a restart needs is one dict of stateful components (optimizer, LR schedule,
data sampler, step and RNG: anything with ``state_dict`` / ``load_state_dict``) plus the
model. A checkpoint ``step_NNNNNNN/`` holds:

* ``model.safetensors`` (and ``config.json``, the card ``morphtok_model.json`` and, for the
  ``tiny`` model, the vocab map), so each checkpoint is also a model directory that
  evaluation and ``morphtok export`` load;
* ``state.pt``: the components' state dicts, made of tensors and plain containers only,
  read back with ``torch.load(weights_only=True)`` (a crafted file cannot run code);
* ``checksums.json``: the SHA-256 of every file above and the run's fingerprint;
* ``done``, written last. The directory is written under a temporary name and renamed.

:meth:`CheckpointManager.load` takes the newest checkpoint that verifies: a checkpoint of
another run (another fingerprint: arm, data, model or training config) is an error naming
both fingerprints; a truncated or corrupted one (checksum, unreadable file) is skipped with
a warning in favour of the previous one; when checkpoints exist and none is intact it is an
error, never a silent fresh start. Only rank 0 writes; under torchrun rank 0 picks and
verifies the checkpoint and every rank loads the one it picked.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from morphtok.atomic import atomic_write_json, sha256_file
from morphtok.errors import CheckpointError
from morphtok.train.distributed import DistContext, broadcast_from_main
from morphtok.train.identity import RunIdentity

log = logging.getLogger(__name__)
MODEL_FILE, STATE_FILE, CHECKSUMS = "model.safetensors", "state.pt", "checksums.json"


class CheckpointManager:
    """Save / load / keep-last-k of ``directory/step_*`` for one run (``identity``)."""

    def __init__(self, directory: Path, model: Any, states: dict[str, Any], *, identity: RunIdentity,
                 keep_last: int, dist: DistContext, write_card: Callable[[Path, int], None]):
        self.dir, self.model, self.states = Path(directory), model, states
        self.identity, self.keep_last, self.dist, self.write_card = identity, max(1, keep_last), dist, write_card

    def complete(self) -> list[Path]:
        """The checkpoints whose ``done`` marker exists, oldest first."""
        return sorted(p for p in self.dir.glob("step_*") if (p / "done").is_file())

    # ------------------------------------------------------------------ save
    def save(self, step: int) -> Path:
        """Write ``step_{step}`` atomically (rank 0 only), then drop all but the last ``keep_last``."""
        import torch
        from safetensors.torch import save_model

        target = self.dir / f"step_{step:07d}"
        for stale in self.dir.glob(".tmp_step_*"):  # left by a killed save
            shutil.rmtree(stale, ignore_errors=True)
        tmp = self.dir / f".tmp_step_{step:07d}"
        tmp.mkdir()
        # save_model handles the tied embedding/head; "format: pt" is what from_pretrained expects.
        save_model(self.model, str(tmp / MODEL_FILE), metadata={"format": "pt"})
        torch.save({name: obj.state_dict() for name, obj in self.states.items()}, tmp / STATE_FILE)
        self.write_card(tmp, step)
        files = {p.name: sha256_file(p) for p in sorted(tmp.iterdir()) if p.is_file()}
        atomic_write_json(tmp / CHECKSUMS, {"files": files, **self.identity.to_dict()})
        (tmp / "done").write_text("ok\n")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        for old in self.complete()[: -self.keep_last]:
            shutil.rmtree(old, ignore_errors=True)
        return target

    # ------------------------------------------------------------------ load
    def load(self) -> bool:
        """Restore the model and every component from the newest intact checkpoint; False if there is none."""
        picked, state = self._pick() if self.dist.is_main else (None, None)
        name = broadcast_from_main(picked.name if picked is not None else None, self.dist)
        if name is None:
            return False
        path = self.dir / name
        if not (path / "done").is_file():
            raise CheckpointError(f"rank {self.dist.rank} cannot see rank 0's checkpoint {name}", where=str(self.dir),
                                  hint="under torchrun the checkpoint dir must be on a filesystem every node shares")
        if state is None:
            state = _read_state(path)
        self._restore(path, state)
        return True

    def _pick(self) -> tuple[Path | None, dict | None]:
        found = self.complete()
        for path in reversed(found):
            record = _read_json(path / CHECKSUMS)
            if record is not None:
                self.identity.check(record, where=str(path))  # another run's checkpoint: an error, no fallback
            try:
                verify(path, record)
                return path, _read_state(path)
            except CheckpointError as err:
                log.warning("%s; falling back to the previous checkpoint", err)
        if found:
            raise CheckpointError(f"none of the {len(found)} checkpoints is intact", where=str(self.dir),
                                  hint="see the warnings above; delete them or rerun with --force to start afresh")
        return None, None

    def _restore(self, path: Path, state: dict) -> None:
        from safetensors.torch import load_model

        missing = sorted(set(self.states) - set(state))
        if missing:
            raise CheckpointError(f"the checkpoint has no state for {', '.join(missing)}", where=str(path))
        try:
            load_model(self.model, str(path / MODEL_FILE))
        except (OSError, RuntimeError, ValueError) as err:
            raise CheckpointError(f"cannot load the model weights: {err}", where=str(path / MODEL_FILE)) from None
        for name, obj in self.states.items():
            obj.load_state_dict(state[name])


def verify(path: Path, record: dict | None) -> None:
    """Raise CheckpointError unless every file listed in ``checksums.json`` is present with its SHA-256."""
    if record is None or not isinstance(record.get("files"), dict):
        raise CheckpointError("checkpoint has no readable checksums.json", where=str(path))
    for name in (MODEL_FILE, STATE_FILE):
        if name not in record["files"]:
            raise CheckpointError(f"checksums.json does not cover {name}", where=str(path))
    for name, expected in record["files"].items():
        file = path / name
        if not file.is_file():
            raise CheckpointError(f"{name} is missing", where=str(path))
        if sha256_file(file) != expected:
            raise CheckpointError(f"{name} does not match its checksum (truncated or corrupted)", where=str(file))


def _read_state(path: Path) -> dict:
    import pickle

    import torch

    try:
        # weights_only: tensors and plain containers only; anything else is refused, never executed.
        return torch.load(path / STATE_FILE, weights_only=True, map_location="cpu")
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as err:
        raise CheckpointError(f"cannot read {STATE_FILE}: {type(err).__name__}: {str(err)[:300]}",
                              where=str(path / STATE_FILE)) from None


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
