"""Benchmark item schema (one JSON object per line).

``id, family, subtask, level, prompt_en, prompt_tl, options, answer_index, answer,
format ("mcq" | "gen"), metadata``. GEN items have ``options = None`` and
``answer_index = None``. ``metadata`` holds the rule's inputs, so the validator can
recompute the answer independently. Families: affixation, composition,
manipulation, syllabification (PACUTE) and hierarchical (levels 0-5).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from morphtok.errors import BenchmarkError

PACUTE = ("affixation", "composition", "manipulation", "syllabification")
FAMILIES = (*PACUTE, "hierarchical")


@dataclass
class Item:
    id: str
    family: str
    subtask: str
    prompt_en: str
    prompt_tl: str
    answer: str
    format: str
    level: int | None = None
    options: list[str] | None = None
    answer_index: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # Where the item was read from (file:line); not part of the item's JSON.
    source: str | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> str:
        record = asdict(self)
        del record["source"]
        return json.dumps(record, ensure_ascii=False, sort_keys=True)

    @property
    def label(self) -> str:
        """How problems name the item: ``file:line (id)`` when read from a file, else the id."""
        return f"{self.source} ({self.id})" if self.source else self.id


_ITEM_FIELDS = frozenset(f.name for f in fields(Item)) - {"source"}


def prompt_text(item: Item) -> str:
    """The zero-shot prompt every evaluator scores (ours and the lm-eval export alike); an
    earlier file's own prompt is kept verbatim (``metadata["verbatim_prompt"]``)."""
    if item.metadata.get("verbatim_prompt"):
        return item.prompt_en
    return f"Question: {item.prompt_en}\nAnswer:"


def read_items(path: str | Path) -> list[Item]:
    """Read a benchmark JSONL file, naming file:line on any malformed record.

    Our schema, and the earlier PACUTE and hierarchical formats (see ``legacy``),
    are recognised per line.
    """
    from morphtok.bench import legacy

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
