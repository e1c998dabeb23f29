"""Split a JSONL corpus into N chunks balanced by bytes, keeping every line.

Lines are assigned in order (chunk ``k`` holds the lines that start in the
``k``-th N-th of the file's bytes), so the chunks' concatenation is the input,
byte for byte. Chunks are named ``chunk_0001.jsonl`` ... (1-based, matching
``$PBS_ARRAY_INDEX`` / ``$SLURM_ARRAY_TASK_ID``) and written atomically.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

from morphtok.atomic import atomic_open
from morphtok.errors import CorpusError, ParameterError
from morphtok.progress import make_progress


def chunk_path(output_dir: str | Path, index: int) -> Path:
    return Path(output_dir) / f"chunk_{index:04d}.jsonl"


def split_jsonl(input_path: str | Path, output_dir: str | Path, num_chunks: int) -> list[Path]:
    input_path = Path(input_path)
    if num_chunks < 1:
        raise ParameterError(f"num_chunks must be >= 1, got {num_chunks}")
    if not input_path.is_file():
        raise CorpusError("input not found", where=str(input_path))
    total = os.path.getsize(input_path)
    paths = [chunk_path(output_dir, k + 1) for k in range(num_chunks)]
    # ExitStack: on any error every temp file is removed; on success all are renamed.
    with ExitStack() as stack, open(input_path, "rb") as source, make_progress("MB") as progress:
        handles = [stack.enter_context(atomic_open(p, "wb")) for p in paths]
        task = progress.add_task(f"split {input_path.name}", total=total / 1e6)
        offset = 0
        for line in source:
            handles[min(num_chunks - 1, offset * num_chunks // max(total, 1))].write(line)
            offset += len(line)
            progress.update(task, completed=offset / 1e6)
    return paths
