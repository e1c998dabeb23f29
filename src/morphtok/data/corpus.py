"""Corpus acquisition: SEA-PILE v2 (Filipino) from the Hugging Face hub, the bundled
sample, or local files, written as JSONL ``{"id", "text"}`` one document per line.

SEA-PILE v2 is read with ``datasets.load_dataset(..., streaming=True)``. We use
``data_dir="tl"`` (the Tagalog/Filipino folder), split ``train``, as the earlier
attempt at this study did; the v2 dataset card could not be consulted offline,
so both are options (``--data-dir``, ``--split``) and recorded in the output's
``.meta.json``. ``--language fil`` maps to ``tl``.

Resumable: lines go to ``OUTPUT.partial``, and ``OUTPUT.partial.meta.json`` records the
source's identity (for local files: each file's size and sha256). A rerun of the *same*
source counts the partial's complete lines, drops a torn last line, skips that many
source records and appends; a rerun of another source is refused (``force=True``
starts over). One fetch per output at a time (``OUTPUT.lock``). The finished file is
renamed into place.

Accounting: ``OUTPUT.meta.json`` holds ``records_read`` (documents + skipped),
``documents``, ``skipped`` (counts by reason with ``file:line`` examples) and the
output's ``sha256``, so preprocessing can carry the fetch's skips downstream.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from morphtok.atomic import atomic_write_json, output_lock, sha256_file
from morphtok.data.documents import SkipLog, input_files, iter_documents, text_key
from morphtok.errors import CorpusError, NetworkError
from morphtok.progress import make_progress

log = logging.getLogger(__name__)

SEAPILE = "aisingapore/SEA-PILE-v2"
LANGUAGE_DIRS = {"fil": "tl", "tl": "tl", "tgl": "tl"}


def fetch(
    source: str,
    output: str | Path,
    *,
    limit: int | None = None,
    language: str = "fil",
    data_dir: str | None = None,
    split: str = "train",
    dataset: str = SEAPILE,
    force: bool = False,
) -> Path:
    """Write the corpus to ``output`` (JSONL); returns its path."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    skips = SkipLog()
    if source == "sample":
        from morphtok.lang.fil.corpus import sample_corpus_path

        path = sample_corpus_path()
        records: Iterable[dict] = _from_local(path, skips)
        meta: dict[str, Any] = {"source": "sample", "source_identity": {"source": "sample", **_local_identity(path)}}
    elif source == "seapile":
        folder = data_dir or LANGUAGE_DIRS.get(language)
        if folder is None:
            raise CorpusError(f"no SEA-PILE folder known for language '{language}'", hint="use --data-dir")
        hub = {"dataset": dataset, "data_dir": folder, "split": split}
        records = _from_hub(dataset, folder, split, skips)
        meta = {"source": "seapile", **hub, "language": language, "source_identity": {"source": "seapile", **hub}}
    else:
        records = _from_local(Path(source), skips)
        meta = {"source": str(source), "source_identity": {"source": "local", **_local_identity(Path(source))}}
    with output_lock(output.with_name(output.name + ".lock"), f"corpus {output}"):
        return _write_resumable(records, output, limit, meta, skips, force)


def _local_identity(path: Path) -> dict[str, Any]:
    files = input_files(path)
    return {"files": [{"path": str(f), "size": f.stat().st_size, "sha256": sha256_file(f)} for f in files]}


def _from_local(path: Path, skips: SkipLog) -> Iterator[dict]:
    for doc in iter_documents(path, skips):
        yield {"id": doc.key, "text": doc.text}
    if skips.total:
        log.warning("skipped %d bad records in %s: %s", skips.total, path, dict(skips.counts))


def _from_hub(dataset: str, data_dir: str, split: str, skips: SkipLog) -> Iterator[dict]:
    try:
        from datasets import load_dataset

        stream = load_dataset(dataset, data_dir=data_dir, split=split, streaming=True)
        iterator = iter(stream)
        first = next(iterator)
    except StopIteration:
        return
    except Exception as err:  # datasets/hub raise many types (ConnectionError, HfHubHTTPError, ...)
        raise NetworkError(
            f"cannot stream {dataset} (data_dir={data_dir}, split={split}): {type(err).__name__}: {err}",
            hint="this needs network access to the Hugging Face hub and, for gated datasets, HF_TOKEN "
            "(cp .env.example .env; source .env). Offline, use --source sample or a local PATH.",
        ) from None
    for index, record in enumerate(_chain(first, iterator)):
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            skips.skip("empty or non-string text", f"{dataset}/{data_dir}:{split}:row{index + 1}")
            continue
        yield {"id": str(record.get("id") or f"{data_dir}-{index}"), "text": text}


def _chain(first, rest):
    yield first
    yield from rest


def _write_resumable(records: Iterable[dict], output: Path, limit: int | None, meta: dict, skips: SkipLog,
                     force: bool) -> Path:
    partial = output.with_name(output.name + ".partial")
    done = _resume_point(partial, meta["source_identity"], force)
    written = done
    with open(partial, "ab") as handle, make_progress("docs") as progress:
        task = progress.add_task(f"fetch -> {output.name}", total=limit, completed=done)
        for index, record in enumerate(records):
            if limit is not None and written >= limit:
                break
            if index < done:
                continue
            line = json.dumps({"id": record.get("id") or text_key(record["text"]), "text": record["text"]},
                              ensure_ascii=False)
            handle.write(line.encode("utf-8") + b"\n")
            written += 1
            progress.advance(task)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, output)
    _partial_meta(partial).unlink(missing_ok=True)
    atomic_write_json(output.with_name(output.name + ".meta.json"), {
        **meta, "documents": written, "limit": limit, "records_read": written + skips.total,
        "skipped": skips.to_dict(), "sha256": sha256_file(output), "bytes": output.stat().st_size,
    })
    return output


def _partial_meta(partial: Path) -> Path:
    return partial.with_name(partial.name + ".meta.json")


def _resume_point(partial: Path, identity: dict, force: bool) -> int:
    """Complete documents already in ``partial`` from this same source (0: start afresh)."""
    record = _partial_meta(partial)
    if partial.exists() and not force:
        recorded = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else None
        if recorded != identity:
            raise CorpusError(
                f"a partial fetch of another source is here ({_describe(recorded)}); this fetch is of "
                f"{_describe(identity)}",
                where=str(partial),
                hint="rerun the fetch of that source to resume it, or pass --force to discard it and start over",
            )
        done = _complete_lines(partial)
        log.info("resuming %s after %d complete documents", partial, done)
        return done
    partial.unlink(missing_ok=True)
    atomic_write_json(record, identity)
    return 0


def _describe(identity: dict | None) -> str:
    if identity is None:
        return "unknown source: no record of it"
    if identity.get("files"):
        return ", ".join(f"{f['path']} (sha256 {f['sha256'][:12]}...)" for f in identity["files"])
    return json.dumps(identity, sort_keys=True)


def _complete_lines(path: Path) -> int:
    """Count complete lines and cut a torn last line (from a killed run)."""
    with open(path, "rb+") as handle:
        data = handle.read()
        keep = data.rfind(b"\n") + 1
        if keep != len(data):
            handle.truncate(keep)
    return data[:keep].count(b"\n")
