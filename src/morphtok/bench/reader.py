"""Read a benchmark JSONL file: our schema, or an earlier format through :mod:`bench.legacy`."""

from __future__ import annotations

import json
from pathlib import Path

from morphtok.bench import legacy
from morphtok.bench.schema import _ITEM_FIELDS, Item
from morphtok.errors import BenchmarkError


def read_items(path: str | Path) -> list[Item]:
    """Read a benchmark JSONL file, naming file:line on any malformed record.

    Our schema (and its generator 1.x shape with ``prompt_en``/``prompt_tl``), and the earlier
    public formats (see ``legacy``), are recognised per line.
    """
    path = Path(path)
    items = []
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise TypeError("a line must hold one JSON object")
                if legacy.detect(record) == "morphtok":
                    if "prompt" not in record and ("prompt_en" in record or "prompt_tl" in record):
                        record = legacy.from_prompt_fields(record)  # a generator 1.x file
                    _check_prompt(record.get("prompt"), f"{path}:{lineno}")
                    unknown = sorted(set(record) - _ITEM_FIELDS)
                    if unknown:
                        raise BenchmarkError(f"unknown item field(s) {', '.join(unknown)}; an item has "
                                             f"{', '.join(sorted(_ITEM_FIELDS))}", where=f"{path}:{lineno}")
                    read = [Item(**record)]
                else:
                    read = legacy.from_record(record, path, lineno)
                for item in read:
                    item.source = f"{path}:{lineno}"
                items.extend(read)
            except (json.JSONDecodeError, TypeError, KeyError) as err:
                raise BenchmarkError(f"not a benchmark item: {err}", where=f"{path}:{lineno}") from None
    return items


def _check_prompt(prompt: object, where: str) -> None:
    if not isinstance(prompt, dict) or "en" not in prompt or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in prompt.items()):
        raise BenchmarkError(f"`prompt` must map language codes to text, with an 'en' entry; got {prompt!r:.80}",
                             where=where)
