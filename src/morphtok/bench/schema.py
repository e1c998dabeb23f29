"""Benchmark item schema (one JSON object per line).

``id, family, subtask, level, prompt, options, answer_index, answer, format ("mcq" | "gen"),
metadata``. ``prompt`` maps a language code to the question in that language
(``{"en": ..., "tl": ...}``; every item has ``en``). GEN items have ``options = None`` and
``answer_index = None``. ``metadata`` holds the rule's inputs, so the validator can
recompute the answer independently. The families are the registered ones (:mod:`bench.family`).

Generator 1.x wrote the prompt as two fields, ``prompt_en`` and ``prompt_tl``; 1.3 still writes
them (its files are reproduced byte for byte) and :mod:`bench.legacy` reads them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from morphtok.errors import BenchmarkError

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
    prompt: dict[str, str]  # language code -> question
    answer: str
    format: str
    level: int | None = None
    options: list[str] | None = None
    answer_index: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # Where the item was read from (file:line); not part of the item's JSON.
    source: str | None = field(default=None, compare=False, repr=False)

    def to_json(self, *, prompt_fields: bool = False) -> str:
        """One JSON line; ``prompt_fields``: the 1.x shape (``prompt_en``/``prompt_tl`` fields)."""
        record = asdict(self)
        del record["source"]
        if prompt_fields:
            prompt = record.pop("prompt")
            record["prompt_en"], record["prompt_tl"] = prompt.get("en", ""), prompt.get("tl", "")
        return json.dumps(record, ensure_ascii=False, sort_keys=True)

    def prompt_in(self, language: str) -> str:
        """The question in ``language``; an item without it is an error naming the item."""
        text = self.prompt.get(language) if isinstance(self.prompt, dict) else None
        if not isinstance(text, str) or not text:
            raise BenchmarkError(f"item {self.label} has no {language!r} prompt (it has: "
                                 f"{', '.join(self.prompt) if isinstance(self.prompt, dict) else 'none'})",
                                 hint="evaluate in a language every item has, e.g. 'en'")
        return text

    @property
    def label(self) -> str:
        """How problems name the item: ``file:line (id)`` when read from a file, else the id."""
        return f"{self.source} ({self.id})" if self.source else self.id


_ITEM_FIELDS = frozenset(f.name for f in fields(Item)) - {"source"}


def prompt_text(item: Item, language: str = "en") -> str:
    """The zero-shot prompt every evaluator scores (ours and the lm-eval export alike), from the
    item's prompt in ``language``; an earlier file's own prompt is kept verbatim
    (``metadata["verbatim_prompt"]``)."""
    if item.metadata.get("verbatim_prompt"):
        return item.prompt_in(language)
    return f"Question: {item.prompt_in(language)}\nAnswer:"


def prompts(en: str, tl: str = "") -> dict[str, str]:
    """A prompt mapping from English and (when given) Filipino text."""
    return {"en": en, "tl": tl} if tl else {"en": en}


def inputs(item: Item) -> dict:
    """The rule's inputs of an item (its metadata without the generator's bookkeeping)."""
    return {k: v for k, v in item.metadata.items() if k not in _BOOKKEEPING}
