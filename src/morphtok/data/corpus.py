"""Corpus acquisition: SEA-PILE v2 (Filipino) from the Hugging Face hub, the bundled
sample, or local files, written as JSONL ``{"id", "text"}`` one document per line.

SEA-PILE v2 is read with ``datasets.load_dataset(..., streaming=True)``. We use
``data_dir="tl"`` (the Tagalog/Filipino folder), split ``train``, as the earlier
attempt at this study did; the v2 dataset card could not be consulted offline,
so both are options (``--data-dir``, ``--split``) and recorded in the output's
``.meta.json``. ``--language fil`` maps to ``tl``.

Resumable: lines go to ``OUTPUT.partial``; a rerun counts its complete lines,
drops a torn last line, skips that many source records and appends. The
finished file is renamed into place.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from morphtok.atomic import atomic_write_json
from morphtok.data.documents import SkipLog, iter_documents, text_key
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
) -> Path:
    """Write the corpus to ``output`` (JSONL); returns its path."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if source == "sample":
        from morphtok.lang.fil.corpus import sample_corpus_path

        records: Iterable[dict] = _from_local(sample_corpus_path())
        meta = {"source": "sample"}
    elif source == "seapile":
        folder = data_dir or LANGUAGE_DIRS.get(language)
        if folder is None:
            raise CorpusError(f"no SEA-PILE folder known for language '{language}'", hint="use --data-dir")
        records = _from_hub(dataset, folder, split)
        meta = {"source": "seapile", "dataset": dataset, "data_dir": folder, "split": split, "language": language}
    else:
        records = _from_local(Path(source))
        meta = {"source": str(source)}
    return _write_resumable(records, output, limit, meta)


def _from_local(path: Path) -> Iterator[dict]:
    skips = SkipLog()
    for doc in iter_documents(path, skips):
        yield {"id": doc.key, "text": doc.text}
    if skips.counts:
        log.warning("skipped %d bad records in %s: %s", sum(skips.counts.values()), path, dict(skips.counts))


def _from_hub(dataset: str, data_dir: str, split: str) -> Iterator[dict]:
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
        if isinstance(text, str) and text.strip():
            yield {"id": str(record.get("id") or f"{data_dir}-{index}"), "text": text}


def _chain(first, rest):
    yield first
    yield from rest


def _write_resumable(records: Iterable[dict], output: Path, limit: int | None, meta: dict) -> Path:
    partial = output.with_name(output.name + ".partial")
    done = _complete_lines(partial) if partial.exists() else 0
    if done:
        log.info("resuming %s after %d complete documents", output, done)
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
    atomic_write_json(output.with_name(output.name + ".meta.json"), {**meta, "documents": written, "limit": limit})
    return output


def _complete_lines(path: Path) -> int:
    """Count complete lines and cut a torn last line (from a killed run)."""
    with open(path, "rb+") as handle:
        data = handle.read()
        keep = data.rfind(b"\n") + 1
        if keep != len(data):
            handle.truncate(keep)
    return data[:keep].count(b"\n")
