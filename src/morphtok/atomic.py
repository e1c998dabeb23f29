"""Safe output: atomic files, one writer per output, cleanup on every exit path we can catch.

* :func:`atomic_open` writes to a temp file in the same directory, then renames it, so a
  killed job never leaves a valid-looking partial file behind.
* :func:`output_lock` is an advisory ``fcntl.flock`` on ``<output>.lock``: a second writer of
  the same output fails at once, naming the holder's pid, instead of interleaving its
  files with the first one's.
* :func:`sigterm_raises` turns SIGTERM (schedulers, ``timeout``, ``kill``) into
  ``SystemExit`` while a writer runs, so its ``except``/``finally`` cleanup runs. SIGKILL
  cannot be caught: the next writer of the output removes what a killed one left
  (it holds the lock, so nobody else is writing those temp files).

Phases also drop a ``done`` marker (with a fingerprint of their inputs) once all
their outputs are in place, so a rerun can tell finished work from partial work.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from morphtok.errors import OutputLockedError

DONE_MARKER = "done"


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", **kwargs: Any) -> Iterator[IO]:
    """Open a temp file beside ``path``; on clean exit fsync and rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with open(tmp, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_open(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return Path(path)


def atomic_write_json(path: str | os.PathLike, obj: Any, *, indent: int | None = 2) -> Path:
    text = json.dumps(obj, indent=indent, ensure_ascii=False, sort_keys=True)
    return atomic_write_text(path, text + "\n")


def sha256_file(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(obj: Any) -> str:
    """A stable short hash of a JSON-serialisable object (sorted keys)."""
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def mark_done(directory: str | os.PathLike, fingerprint_value: str, **extra: Any) -> Path:
    """Write the ``done`` marker of a phase directory (last, after every output)."""
    payload = {"fingerprint": fingerprint_value, **extra}
    return atomic_write_json(Path(directory) / DONE_MARKER, payload)


def is_done(directory: str | os.PathLike, fingerprint_value: str) -> bool:
    """True when ``directory`` holds a ``done`` marker with this fingerprint."""
    marker = Path(directory) / DONE_MARKER
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("fingerprint") == fingerprint_value
    except (json.JSONDecodeError, OSError):
        return False


@contextlib.contextmanager
def output_lock(lock_path: str | os.PathLike, what: str) -> Iterator[Path]:
    """Hold an exclusive advisory lock on ``lock_path`` (which records our pid) while writing ``what``.

    A second holder fails at once with :class:`OutputLockedError` naming the first one's pid.
    The lock file is removed on release while still locked; a waiter that opened the old
    file then sees a different inode and retries on the new one (no two holders at once).
    Forked children share the lock, so release unlocks explicitly rather than on close.
    """
    path = Path(lock_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(path, what)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(path: Path, what: str) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder_pid(fd)
            os.close(fd)
            raise OutputLockedError(
                f"{what} is being written by another process (pid {holder})",
                where=str(path),
                hint=f"wait for pid {holder} to finish, or stop it; two writers of one output would mix their files",
            ) from None
        try:
            same_file = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same_file = False
        if same_file:
            return fd
        os.close(fd)  # the previous holder removed the file between our open and our lock: retry


def _holder_pid(fd: int) -> str:
    # The holder writes its pid right after locking; give it a moment if we raced that write.
    for _ in range(25):
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text:
            return text
        time.sleep(0.02)
    return "unknown"


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises ``SystemExit(143)`` in the main thread, so cleanup code runs.

    A no-op outside the main thread, or when someone else already handles SIGTERM.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous not in (signal.SIG_DFL, None):
        yield
        return

    def _raise(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def remove_temp_files(directory: str | os.PathLike, patterns: list[str]) -> list[Path]:
    """Delete temp files a killed writer left (``glob`` patterns in ``directory``); call under the lock."""
    removed = []
    for pattern in patterns:
        for path in Path(directory).glob(pattern):
            if path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def atomic_temp_pattern(name: str) -> str:
    """The glob of :func:`atomic_open`'s temp files for an output called ``name``."""
    return f".{glob.escape(name)}.*.tmp"
