"""What the model sees: zero-shot, k-shot and letter-mode prompts, and the few-shot split.

Zero-shot is ``Question: ...\\nAnswer:`` (``bench.schema.prompt_text``, shared with the
lm-eval export). Each option (or answer) is scored as the continuation ``" " + text``.

k-shot (``num_fewshot=k``): every file is split once, by the seed, into a few-shot pool
(up to ``POOL_PER_SUBTASK`` items per subtask, never more than half of a subtask) and the
evaluation items (the rest). Each evaluated item gets k examples of its own subtask drawn
from the pool by a generator seeded with (seed, item id), so an item's examples do not
depend on which other items are evaluated or on resuming. Examples are the example's
prompt, a space and its gold answer, joined to the question by a blank line (lm-eval's
default ``fewshot_delimiter``). The pool depends on the seed only, not on k, so 1-, 3- and
5-shot runs with one seed score the same items.

Letter mode (``mcq_style="letter"``) lists the options as ``A. ...`` lines under the
question and scores the letters; the gold is the letter of the gold option.
"""

from __future__ import annotations

import zlib
from collections import defaultdict

import numpy as np

from morphtok.bench.schema import Item, prompt_text

POOL_PER_SUBTASK = 16
FEWSHOT_DELIMITER = "\n\n"
LETTERS = "ABCDEFGHIJ"


def item_rng(seed: int, item_id: str) -> np.random.Generator:
    """A generator for one item: the same draws whatever else is scored, and after a resume."""
    return np.random.default_rng([seed, zlib.crc32(item_id.encode("utf-8"))])


def split_fewshot(items: list[Item], seed: int, num_fewshot: int) -> tuple[list[Item], dict[str, list[Item]]]:
    """(evaluation items, few-shot pool per subtask); zero-shot keeps every item."""
    if num_fewshot <= 0:
        return items, {}
    by_subtask: dict[str, list[int]] = defaultdict(list)
    for k, item in enumerate(items):
        by_subtask[item.subtask].append(k)
    rng = np.random.default_rng([seed, 0x5E7])
    pooled: set[int] = set()
    pool: dict[str, list[Item]] = {}
    for subtask in sorted(by_subtask):
        members = by_subtask[subtask]
        size = min(POOL_PER_SUBTASK, len(members) // 2)
        chosen = sorted(rng.choice(members, size=size, replace=False).tolist()) if size else []
        pooled.update(chosen)
        pool[subtask] = [items[k] for k in chosen]
    return [item for k, item in enumerate(items) if k not in pooled], pool


def shots_for(item: Item, pool: dict[str, list[Item]], num_fewshot: int, seed: int) -> list[Item]:
    """Up to ``num_fewshot`` examples of the item's subtask (fewer only if the pool is smaller)."""
    candidates = pool.get(item.subtask, [])
    if num_fewshot <= 0 or not candidates:
        return []
    picks = item_rng(seed, "shots:" + item.id).choice(len(candidates), size=min(num_fewshot, len(candidates)), replace=False)
    return [candidates[k] for k in picks]


def question(item: Item, style: str = "text") -> str:
    if style == "letter" and item.format == "mcq":
        listed = "\n".join(f"{LETTERS[k]}. {option}" for k, option in enumerate(item.options or []))
        return f"Question: {item.prompt_en}\n{listed}\nAnswer:"
    return prompt_text(item)


def gold_text(item: Item, style: str = "text") -> str:
    if style == "letter" and item.format == "mcq":
        return LETTERS[item.answer_index]
    return item.answer


def choices(item: Item, style: str = "text") -> list[str]:
    """The continuations scored for an MCQ item."""
    options = item.options or []
    if style == "letter":
        if len(options) > len(LETTERS):
            raise ValueError(f"{item.id}: letter mode supports at most {len(LETTERS)} options")
        return list(LETTERS[: len(options)])
    return options


def build_prompt(item: Item, shots: list[Item], style: str = "text") -> str:
    examples = [f"{question(shot, style)} {gold_text(shot, style)}" for shot in shots]
    return FEWSHOT_DELIMITER.join([*examples, question(item, style)])
