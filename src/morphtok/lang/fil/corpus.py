"""The bundled sample corpus: hand-written Filipino running text (see data/README.md).

Schema: JSON lines ``{"id": str, "text": str}``. ``sample_corpus.jsonl`` is the
training part, ``sample_validation.jsonl`` a held-out part.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from morphtok.errors import CorpusError


def _data_path(name: str) -> Path:
    path = Path(str(resources.files("morphtok.lang.fil") / "data" / name))
    if not path.is_file():
        raise CorpusError("bundled corpus file is missing", where=str(path), hint="reinstall morphtok")
    return path


def sample_corpus_path() -> Path:
    return _data_path("sample_corpus.jsonl")


def sample_validation_path() -> Path:
    return _data_path("sample_validation.jsonl")


def iter_sample_documents(validation: bool = False) -> Iterator[dict]:
    path = sample_validation_path() if validation else sample_corpus_path()
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            try:
                yield json.loads(line)
            except json.JSONDecodeError as err:
                raise CorpusError(f"malformed JSON: {err.msg}", where=f"{path}:{lineno}") from None
