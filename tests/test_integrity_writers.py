"""Dataset writers (issue #17 items 4 and 16): one writer per output, a dataset is one unit,
reuse only on an exact fingerprint, and processes and temp files never outlive a run.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from morphtok.data.indexed import IndexedReader
from morphtok.data.preprocess import preprocess
from morphtok.errors import DatasetError, MorphtokError

TEXTS = ["Kumain kami ng masarap na pagkain.", "Umuwi sila kahapon.", "Nagluluto si Maria ng adobo sa kusina."]
ENV = {**os.environ, "MORPHTOK_PROGRESS": "0", "TOKENIZERS_PARALLELISM": "false"}


def _corpus(path: Path, documents: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(documents):
            handle.write(json.dumps({"id": str(i), "text": " ".join(TEXTS[(i + k) % 3] for k in range(6))}) + "\n")
    return path


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "morphtok.cli", "preprocess", *args]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    # stderr to a file, not a pipe: orphaned workers would hold a pipe open and block its reader.
    with open(log, "w") as handle:
        return subprocess.Popen(args, env=ENV, stdout=subprocess.DEVNULL, stderr=handle, start_new_session=True)


def _wait(ready, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"finished too early (exit {proc.returncode})")
        if time.monotonic() > deadline:
            pytest.fail("never reached the wait point")
        time.sleep(0.02)


def _writing(prefix: Path):
    return lambda: any(p.stat().st_size > 0 for p in prefix.parent.glob(f"{prefix.name}.bin.tmp*"))


def test_second_writer_fails_at_once_naming_the_holder(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 20000)
    prefix = tmp_path / "p"
    proc = _start(_cli("-m", "patok", "-i", str(corpus), "-o", str(prefix)), tmp_path / "log.txt")
    try:
        _wait(_writing(prefix), proc)
        started = time.monotonic()
        with pytest.raises(MorphtokError, match=rf"pid {proc.pid}\b"):
            preprocess(corpus, prefix, "stochastok")
        assert time.monotonic() - started < 30  # at once: no tokenizing before the lock is checked
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_reuse_needs_the_same_fingerprint_and_force_starts_fresh(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 30)
    prefix = tmp_path / "p"
    first = preprocess(corpus, prefix, "stochastok", params={"expand_prop": 0.1})
    mtime = (tmp_path / "p.bin").stat().st_mtime_ns
    again = preprocess(corpus, prefix, "stochastok", params={"expand_prop": 0.1})
    assert again["fingerprint"] == first["fingerprint"] and (tmp_path / "p.bin").stat().st_mtime_ns == mtime
    with pytest.raises(DatasetError) as caught:
        preprocess(corpus, prefix, "stochastok", params={"expand_prop": 0.2})
    assert first["fingerprint"] in str(caught.value) and "--force" in str(caught.value)
    assert json.loads((tmp_path / "p.stats.json").read_text())["params"]["expand_prop"] == 0.1
    fresh = preprocess(corpus, prefix, "stochastok", params={"expand_prop": 0.2}, force=True)
    assert fresh["fingerprint"] not in (first["fingerprint"], None) and fresh["params"]["expand_prop"] == 0.2
    with pytest.raises(DatasetError, match=fresh["fingerprint"]):
        preprocess(corpus, prefix, "baseline")  # another arm into the same prefix: refused too


def test_bin_and_idx_from_another_run_are_not_a_committed_dataset(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 30)
    preprocess(corpus, tmp_path / "base", "baseline")
    preprocess(corpus, tmp_path / "stoch", "stochastok")
    # What two unlocked writers used to leave: stochastok's .bin/.idx under baseline's stats.json.
    for suffix in (".bin", ".idx"):
        os.replace(tmp_path / f"stoch{suffix}", tmp_path / f"base{suffix}")
    done = subprocess.run(_cli("merge", str(tmp_path / "base"), "-o", str(tmp_path / "m")), env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "does not match its stats.json" in done.stderr, done.stderr[-2000:]
    with pytest.raises(DatasetError, match="does not match its stats.json"):
        preprocess(corpus, tmp_path / "base", "baseline")  # not silently reused either


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_die_with_a_killed_main_process_and_the_rerun_cleans_its_temp_files(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 20000)
    prefix = tmp_path / "p"
    proc = _start(_cli("-m", "patok", "-i", str(corpus), "-o", str(prefix), "-w", "2"), tmp_path / "log.txt")
    try:
        _wait(_writing(prefix), proc)
        workers = _children(proc.pid)
        assert len(workers) >= 2
        os.kill(proc.pid, signal.SIGKILL)  # the main process only, as an OOM killer or a scheduler would
        proc.wait()
        deadline = time.monotonic() + 20
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        orphans = [pid for pid in workers if _alive(pid)]
        assert not orphans, f"workers {orphans} outlived their parent"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group, so no test leaves orphans
        except ProcessLookupError:
            pass
    stale = sorted(p.name for p in tmp_path.glob("p.*tmp*"))
    assert stale, "the killed run left its temp file (it cannot remove it itself)"
    small = _corpus(tmp_path / "small.jsonl", 10)
    preprocess(small, prefix, "baseline")
    assert sorted(p.name for p in tmp_path.iterdir() if "tmp" in p.name or p.name.endswith(".lock")) == []


def test_sigterm_stops_workers_and_removes_temp_files(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 20000)
    prefix = tmp_path / "p"
    log = tmp_path / "log.txt"
    proc = _start(_cli("-m", "patok", "-i", str(corpus), "-o", str(prefix), "-w", "2"), log)
    try:
        _wait(_writing(prefix), proc)
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)  # as a scheduler's time limit or `timeout` sends it
        proc.wait(timeout=60)
        assert proc.returncode == 143, log.read_text()[-2000:]
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in ("c.jsonl", "log.txt")) == []


def test_stop_pool_unblocks_a_result_cut_off_mid_message() -> None:
    # The SIGTERM test above hung 1 run in ~20 in CI: a worker terminated while sending its
    # batch's ids leaves the pool's manager thread reading the rest of a message that never
    # comes, and interpreter exit joins that thread. Here the cut-off message is made directly.
    from morphtok.data.workers import start_pool, stop_pool

    pool = start_pool(2)
    manager = pool._executor_manager_thread
    header = struct.pack("!i", 1000)  # multiprocessing's framing: the length, then the bytes
    os.write(pool._result_queue._writer.fileno(), header + b"x" * 10)  # 10 of the 1000 arrive
    writer = pool._result_queue._writer
    time.sleep(0.2)  # the manager thread is now inside recv()
    try:
        stop_pool(pool)
        manager.join(timeout=20)
        assert not manager.is_alive(), "the pool's manager thread still waits for the rest of the message"
    finally:
        if not writer.closed:
            writer.close()  # so a failure here does not also hang the test run's exit


def _limit_file_size() -> None:
    # A full disk, portably: writes past 256 KiB fail with EFBIG like they fail with ENOSPC.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))


def test_a_full_disk_leaves_no_temp_file_and_a_clear_error(tmp_path: Path, gemma_tokenizer) -> None:
    # gemma_tokenizer: the tokenizer cache exists before the size limit applies
    corpus = _corpus(tmp_path / "c.jsonl", 3000)
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run(_cli("-m", "baseline", "-i", str(corpus), "-o", str(out / "p")), env=ENV,
                          capture_output=True, text=True, timeout=300, preexec_fn=_limit_file_size)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "cannot write" in done.stderr, done.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == []
    with pytest.raises(DatasetError):
        IndexedReader(out / "p")
