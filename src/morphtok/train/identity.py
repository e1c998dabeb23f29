"""What a training run is: the fingerprint its checkpoints and export carry.

A run is its arm, its data, its model and its training settings. Each part is hashed
separately, and the run's fingerprint is the hash of the four, so a mismatch can say
which part differs. Resuming from a checkpoint and reusing an export ("already
trained") happen only when the recorded fingerprint equals this run's; otherwise it
is an error naming both (or a fresh run with ``--force``), never another run's model.

* **data**: per dataset prefix its identity (the settings and counts of its
  ``stats.json``, the SHA-256 of its ``.idx``, the size of its ``.bin`` and a hash of 16
  blocks sampled across it: hashing all of a 19 GB ``.bin`` at every start would cost
  minutes) and the SHA-256 of the validation file.
* **model**: the ``train.model`` spec; for ``tiny`` also its shape and the identities of the
  datasets its vocabulary is built from; for a local directory its ``config.json`` hash and
  weight file sizes.
* **train**: the settings that change the trajectory (batch sizes, lr schedule, optimizer,
  precision, ``max_steps``, seed, tokenizer); not the logging, validation or checkpoint
  intervals, the world size or the efficiency switches (gradient checkpointing, loss chunk).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from morphtok.atomic import fingerprint, sha256_file
from morphtok.errors import CheckpointError

STATS_KEYS = ("method", "params", "seed", "tokenizer", "tokenizer_hash", "vocab_size", "bos_id", "eod_id",
              "documents", "tokens", "fingerprint")
TRAIN_KEYS = ("model", "seq_length", "global_batch_size", "micro_batch_size", "lr", "min_lr", "warmup_steps",
              "weight_decay", "grad_clip", "precision", "param_dtype", "lr_schedule", "max_steps")
_SAMPLES, _BLOCK = 16, 1 << 16


def _sampled_hash(path: Path) -> str:
    """SHA-256 over 16 evenly spaced 64 KiB blocks of ``path`` (all of it when smaller)."""
    import hashlib

    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with open(path, "rb") as handle:
        if size <= _SAMPLES * _BLOCK:
            digest.update(handle.read())
        else:
            for k in range(_SAMPLES):
                handle.seek((size - _BLOCK) * k // (_SAMPLES - 1))
                digest.update(handle.read(_BLOCK))
    return digest.hexdigest()


def dataset_identity(prefix: str | os.PathLike) -> dict:
    """The identity of one indexed dataset (see the module docstring); independent of its path."""
    from morphtok.data.indexed import bin_path, idx_path
    from morphtok.data.preprocess import stats_path

    stats_file = stats_path(prefix)
    try:
        stats = json.loads(stats_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stats = {}
    return {"stats": {k: stats[k] for k in STATS_KEYS if k in stats}, "idx_sha256": sha256_file(idx_path(prefix)),
            "bin": _sampled_hash(bin_path(prefix))}


def _model_identity(train_cfg, vocab_prefixes: list[str]) -> dict:
    spec = train_cfg.model
    if spec == "tiny":
        from morphtok.train.models import TINY

        return {"spec": spec, "shape": TINY, "vocab_from": [dataset_identity(p) for p in vocab_prefixes]}
    directory = Path(spec).expanduser()
    if directory.is_dir() and (directory / "config.json").is_file():
        weights = {p.name: p.stat().st_size for p in sorted(directory.glob("*.safetensors"))}
        return {"spec": spec, "config_sha256": sha256_file(directory / "config.json"), "weights": weights}
    return {"spec": spec}


@dataclass(frozen=True)
class RunIdentity:
    """A run's fingerprint and the fingerprints of its parts (arm, data, model, train)."""

    parts: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.parts)

    @classmethod
    def of(cls, cfg, arm: str, prefixes: list[str], validation_path: str | os.PathLike,
           vocab_prefixes: list[str]) -> RunIdentity:
        tc = cfg.train
        train = {k: getattr(tc, k) for k in TRAIN_KEYS}
        train.update(seed=cfg.seed, tokenizer=cfg.tokenizer.name)
        data = {"datasets": [dataset_identity(p) for p in prefixes], "validation": sha256_file(validation_path)}
        return cls({"arm": arm, "data": fingerprint(data), "model": fingerprint(_model_identity(tc, vocab_prefixes)),
                    "train": fingerprint(train)})

    def to_dict(self) -> dict:
        return {"fingerprint": self.fingerprint, "parts": dict(self.parts)}

    def check(self, record: dict, *, where: str) -> None:
        """Raise CheckpointError unless ``record`` (a :meth:`to_dict`) is this run's."""
        recorded = record.get("fingerprint")
        if recorded == self.fingerprint:
            return
        theirs = record.get("parts") or {}
        differ = [k for k in self.parts if theirs.get(k) != self.parts[k]]
        detail = f"arm {theirs.get('arm')!r} vs {self.parts['arm']!r}" if "arm" in differ else ""
        raise CheckpointError(
            f"holds another run (fingerprint {recorded or 'none recorded'}; this run is {self.fingerprint}); "
            f"they differ in {', '.join(differ) or 'unknown parts'}" + (f" ({detail})" if detail else ""),
            where=where,
            hint="train into another --checkpoint-dir, or rerun with --force to start this run afresh there "
                 "(deletes that directory's checkpoints and export)")
