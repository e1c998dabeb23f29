"""Benchmark item schema (one JSON object per line).

``id, family, subtask, level, prompt_en, prompt_tl, options, answer_index, answer,
format ("mcq" | "gen"), metadata``. GEN items have ``options = None`` and
``answer_index = None``. ``metadata`` holds the rule's inputs, so the validator can
recompute the answer independently. Families: affixation, composition,
manipulation, syllabification (PACUTE) and hierarchical (levels 0-5).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
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

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


def prompt_text(item: Item) -> str:
    """The zero-shot prompt every evaluator scores (ours and the lm-eval export alike)."""
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
                    items.append(Item(**record))
                else:
                    items.extend(legacy.from_record(record, path, lineno))
            except (json.JSONDecodeError, TypeError, KeyError) as err:
                raise BenchmarkError(f"not a benchmark item: {err}", where=f"{path}:{lineno}") from None
    return items
