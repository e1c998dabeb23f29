"""Worker processes for preprocessing that never outlive the process that started them.

Each worker asks the kernel to SIGKILL it when its parent dies (Linux
``prctl(PR_SET_PDEATHSIG)``, via ctypes), then checks the parent did not die before
that request took effect. So a ``kill -9`` of the main process (OOM killer, a
scheduler's hard limit) takes its workers with it instead of leaving them blocked on
a queue nobody reads, holding ~400 MB each. Workers ignore SIGINT (Ctrl-C reaches
the whole process group; the main process handles it and stops them) and take
SIGTERM's default action. :func:`stop_pool` terminates the workers on an error, and
ends the pool's manager thread with them.

Elsewhere than Linux there is no PDEATHSIG; each worker then polls its parent
(``os.getppid()`` changes when it is orphaned) from a daemon thread.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1


def start_pool(workers: int, initializer: Callable | None = None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes tied to this one, started now (before any thread of ours).

    Where ``fork`` is available the workers inherit what the caller already built
    (copy-on-write; ``initializer`` is not run), so they start in milliseconds instead of
    each loading the 262k-entry tokenizer and the lexicon again. Elsewhere, ``spawn`` and
    ``initializer``. Forking is safe here: no thread is running yet (progress bars start
    later, and a forked ProcessPoolExecutor launches all workers at its first submit),
    and tokenizers disables its own thread pool in a forked child.
    """
    parent = os.getpid()
    if "fork" in mp.get_all_start_methods():
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"),
                                   initializer=_bind_to_parent, initargs=(parent, None, ()))
    else:
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"),
                                   initializer=_bind_to_parent, initargs=(parent, initializer, initargs))
    pool.submit(int).result()  # launch the workers now, before the progress bar's thread starts
    return pool


def _bind_to_parent(parent: int, initializer: Callable | None, initargs: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    if initializer is not None:
        initializer(*initargs)


def _die_with_parent() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def ordered_map(pool: ProcessPoolExecutor, fn: Callable, items: Iterable, window: int) -> Iterator:
    """``pool.map`` in input order with at most ``window`` batches in flight (bounded memory).

    A worker that dies raises BrokenProcessPool here instead of hanging the run.
    """
    pending: deque = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop at once after an error or a signal: cancel queued work and terminate the workers.

    ``shutdown`` alone would let each worker finish its batch and leave the interpreter
    waiting for them at exit; the process table is private API, read defensively.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    results = getattr(pool, "_result_queue", None)  # shutdown() drops the pool's reference
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    # A worker terminated while sending a result leaves the pool's manager thread reading the
    # rest of a message that never comes, and interpreter exit joins that thread. With every
    # worker gone, closing this process's write end of the result pipe turns that wait into
    # EOF: the pool marks itself broken and its thread ends.
    writer = getattr(results, "_writer", None)
    if writer is not None and not any(process.is_alive() for process in processes):
        writer.close()
