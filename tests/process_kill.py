"""Shared by the kill-and-rerun tests: SIGKILL a command's whole process group at a chosen point."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

import pytest


def kill_when(args: list[str], ready: Callable[[], bool], timeout: float = 120, **popen) -> None:
    """Start ``args`` in its own process group and SIGKILL the group (main and workers) once
    ``ready()`` is true, i.e. at a state the test names rather than at a guessed time.

    Fails the test if the command ends first or ``ready`` stays false for ``timeout`` seconds.
    """
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            text=True, **popen)
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            if proc.poll() is not None:
                pytest.fail(f"finished before it could be killed: {proc.stderr.read()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("the kill point was never reached")
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
