"""Per-item result records: what made them, and resuming only from records of the same run.

Every record line carries ``model_sha256`` (the weights as loaded) and ``settings_sha256``
(every evaluation setting that can change a record). A results directory ``OUT/<model>/``
holds the records of one model and one set of settings: evaluating another model, or the same
model with other settings, into it is an error naming both fingerprints, unless ``force`` (the
old records are removed and the run starts fresh). Resume and :func:`read_matching` only ever
use records whose two fingerprints equal this run's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from morphtok.errors import EvaluationError


class ResultsConflict(EvaluationError):
    """A results directory holds records of another model or other settings."""


@dataclass(frozen=True)
class Identity:
    model_sha256: str
    settings_sha256: str

    def stamp(self, record: dict) -> dict:
        return {**record, "model_sha256": self.model_sha256, "settings_sha256": self.settings_sha256}

    def matches(self, record: dict) -> bool:
        return record.get("model_sha256") == self.model_sha256 and record.get("settings_sha256") == self.settings_sha256

    def describe(self) -> str:
        return f"model sha256 {self.model_sha256[:12]}, settings sha256 {self.settings_sha256[:12]}"


def _identities(path: Path) -> set[tuple[str | None, str | None]]:
    out = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line of a killed run
            if isinstance(record, dict):
                out.add((record.get("model_sha256"), record.get("settings_sha256")))
    return out


def claim(target: Path, identity: Identity, force: bool = False) -> None:
    """Make ``target`` a directory of this run's records: refuse (or, with ``force``, clear)
    records of another model or other settings."""
    files = sorted(target.glob("*.jsonl"))
    if force:
        for path in [*files, target / "summary.json"]:
            path.unlink(missing_ok=True)
        return
    for path in files:
        others = {found for found in _identities(path) if found != (identity.model_sha256, identity.settings_sha256)}
        if others:
            model, settings = sorted(others, key=str)[0]
            theirs = (f"model sha256 {(model or 'none (no fingerprint)')[:12]}, "
                      f"settings sha256 {(settings or 'none (no fingerprint)')[:12]}")
            what = "another model" if model != identity.model_sha256 else "other evaluation settings"
            raise ResultsConflict(
                f"the results dir holds records of {what} ({theirs}); this run is {identity.describe()}",
                where=str(path), hint="pass --force to start this model's results afresh, or evaluate into another --out")


def finished_ids(path: Path, identity: Identity) -> set[str]:
    """Ids this run already scored; a torn last line (killed run) is cut off so appends stay clean."""
    if not path.is_file():
        return set()
    with open(path, "rb+") as handle:
        data = handle.read()
        keep = data.rfind(b"\n") + 1
        if keep != len(data):
            handle.truncate(keep)
    return {record["id"] for record in read_matching(path, identity)}


def read_matching(path: Path, identity: Identity) -> list[dict]:
    """The records of ``path`` this run made (others are never summarised or resumed from)."""
    if not path.is_file():
        return []
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and "id" in record and identity.matches(record):
                out.append(record)
    return out
