"""The trainer's metrics sink: ``metrics.jsonl`` and W&B, written by rank 0 only.

``metrics.jsonl`` holds one JSON object per event (``step`` plus ``train/...`` or
``val/...`` keys). On resume from step ``s`` the rows a killed run logged after ``s``
are dropped, so the resumed run logs those steps again and the file holds each step
once; a fresh run starts an empty file.

W&B: off with ``WANDB_MODE=disabled`` or without the ``wandb`` package; ``WANDB_MODE``
decides otherwise, else online when ``WANDB_API_KEY`` is set and offline without it.
Before going online the W&B host (``WANDB_BASE_URL``, else the wandb package's default) is
probed with a 5-second TCP connect; when it is unreachable, or ``wandb.init`` fails online,
the run logs offline with a warning (``wandb sync`` uploads it later) instead of waiting
~100 s and crashing. The W&B run id is kept in ``wandb_run_id`` in the checkpoint dir,
so a resumed run continues the same W&B run.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from pathlib import Path
from urllib.parse import urlparse

from morphtok.atomic import atomic_write_text

log = logging.getLogger(__name__)
PROBE_SECONDS = 5.0
RUN_ID_FILE = "wandb_run_id"


def unreachable(url: str, timeout: float = PROBE_SECONDS) -> str | None:
    """Why ``url``'s host cannot be reached by TCP within ``timeout`` seconds (DNS included), or None."""
    parsed = urlparse(url)
    host = parsed.hostname
    if not host:
        return f"not a URL: {url!r}"
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    outcome: list[str | None] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append(None)
        except OSError as err:
            outcome.append(f"{type(err).__name__}: {err}")

    # A thread bounds the DNS lookup too, which create_connection's timeout does not cover.
    worker = threading.Thread(target=connect, daemon=True)
    worker.start()
    worker.join(timeout)
    return outcome[0] if outcome else f"no answer within {timeout:g} s"


def _new_run_id() -> str:
    """A fresh W&B run id (8 lowercase letters/digits, as W&B makes them); not part of any result."""
    import secrets
    import string

    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))


class MetricsSink:
    """``log(record)`` to ``directory/metrics.jsonl`` and W&B; inert on ranks other than 0."""

    def __init__(self, directory: Path, *, enabled: bool, project: str, name: str):
        self.dir, self.enabled, self.project, self.name = Path(directory), enabled, project, name
        self.path = self.dir / "metrics.jsonl"
        self.wandb_run = None
        self.wandb_mode: str | None = None

    def start(self, resumed_step: int | None) -> None:
        """Begin logging: keep the rows up to ``resumed_step`` (None: a fresh run, empty file), open W&B."""
        if not self.enabled:
            return
        if resumed_step is None:
            self.path.unlink(missing_ok=True)
            (self.dir / RUN_ID_FILE).unlink(missing_ok=True)
        else:
            self._drop_after(resumed_step)
        self.wandb_run = self._open_wandb()

    def log(self, record: dict) -> None:
        if not self.enabled:
            return
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        if self.wandb_run is not None:
            self.wandb_run.log(record, step=record["step"])

    def close(self) -> None:
        if self.wandb_run is not None:
            self.wandb_run.finish()
            self.wandb_run = None

    def _drop_after(self, step: int) -> None:
        """Forget rows a killed run logged after its last checkpoint: the resumed run logs them again."""
        if not self.path.is_file():
            return
        kept = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                if json.loads(line)["step"] <= step:
                    kept.append(line)
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by the kill
        atomic_write_text(self.path, "".join(f"{line}\n" for line in kept))

    def _mode(self, wandb) -> str:
        mode = os.environ.get("WANDB_MODE") or ("online" if os.environ.get("WANDB_API_KEY") else "offline")
        if mode == "online":
            url = os.environ.get("WANDB_BASE_URL") or wandb.Settings().base_url
            reason = unreachable(url)
            if reason is not None:
                log.warning("W&B: cannot reach %s (%s); logging offline under %s (upload later with `wandb sync`)",
                            url, reason, self.dir / "wandb")
                return "offline"
        return mode

    def _open_wandb(self):
        if os.environ.get("WANDB_MODE") == "disabled":
            return None
        try:
            import wandb
        except ImportError:
            return None
        id_file = self.dir / RUN_ID_FILE
        run_id = id_file.read_text().strip() if id_file.is_file() else _new_run_id()
        atomic_write_text(id_file, run_id + "\n")
        self.wandb_mode = self._mode(wandb)
        options = {"project": self.project, "name": self.name, "dir": str(self.dir), "id": run_id,
                   "resume": "allow", "reinit": "finish_previous"}
        try:
            return wandb.init(mode=self.wandb_mode, **options)
        except wandb.errors.Error as err:
            if self.wandb_mode != "online":
                raise
            log.warning("W&B: online init failed (%s); logging offline instead", str(err).splitlines()[0])
            self.wandb_mode = "offline"
            return wandb.init(mode="offline", **options)
