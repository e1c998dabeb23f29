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
from typing import Any

# The longest generation an answer needs, in tokens: every answer in our benchmarks is a word or a short
# phrase (the evaluator and the lm-eval export both stop there).
MAX_NEW_TOKENS = 24
# Metadata the generator adds besides the rule's inputs.
_BOOKKEEPING = ("options_from", "generator", "accept")


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


def inputs(item: Item) -> dict:
    """The rule's inputs of an item (its metadata without the generator's bookkeeping)."""
    return {k: v for k, v in item.metadata.items() if k not in _BOOKKEEPING}
