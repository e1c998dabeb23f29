"""What the model sees: zero-shot, k-shot and letter-mode prompts, and the few-shot split.

Zero-shot is ``Question: ...\\nAnswer:`` (``bench.schema.prompt_text``, shared with the
lm-eval export). Each option (or answer) is scored as the continuation ``" " + text``.

k-shot (``num_fewshot=k`` for MCQ, ``gen_fewshot=k`` for GEN, default 3): every file is split
once, by the seed, into a few-shot pool (up to ``POOL_PER_SUBTASK`` items per subtask, never
more than half of a subtask) and the evaluation items (the rest) -- also at k = 0, so the
evaluated items (and the ``--limit`` subset drawn from them) depend on the seed only, never on
k: a 0-shot and a 3-shot run score the same items (paired). Each evaluated item gets k examples
of its own subtask drawn from the pool by a generator seeded with (seed, item id), so an item's
examples do not depend on which other items are evaluated or on resuming. Examples are the
example's prompt, a space and its gold answer, joined to the question by a blank line
(lm-eval's default ``fewshot_delimiter``). 0-shot GEN is a format check: without an example the
models answer in free form ("10 letters", "A."), and exact match measures that format.

Question-blind control (MCQ): the same options scored after :data:`NEUTRAL_PROMPT`, with the
question (and any examples) removed; in letter mode the options are listed without the
question and the letters scored (``blind_question``).

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
NEUTRAL_PROMPT = "Answer:"  # the question-blind control's prompt (constant: its scores are cached per option)


def item_rng(seed: int, item_id: str) -> np.random.Generator:
    """A generator for one item: the same draws whatever else is scored, and after a resume."""
    return np.random.default_rng([seed, zlib.crc32(item_id.encode("utf-8"))])


def split_fewshot(items: list[Item], seed: int) -> tuple[list[Item], dict[str, list[Item]]]:
    """(evaluation items, few-shot pool per subtask): the same for every k, zero included."""
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


def question(item: Item, style: str = "text", language: str = "en") -> str:
    """The item's question, from its prompt in ``language`` (``item.prompt[language]``)."""
    if style == "letter" and item.format == "mcq":
        listed = "\n".join(f"{LETTERS[k]}. {option}" for k, option in enumerate(item.options or []))
        return f"Question: {item.prompt_in(language)}\n{listed}\nAnswer:"
    return prompt_text(item, language)


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


def blind_question(item: Item, style: str = "text") -> str:
    """The question-blind prompt: :data:`NEUTRAL_PROMPT`, after the listed options in letter mode."""
    if style == "letter" and item.format == "mcq":
        listed = "\n".join(f"{LETTERS[k]}. {option}" for k, option in enumerate(item.options or []))
        return f"{listed}\n{NEUTRAL_PROMPT}"
    return NEUTRAL_PROMPT


def build_prompt(item: Item, shots: list[Item], style: str = "text", language: str = "en") -> str:
    examples = [f"{question(shot, style, language)} {gold_text(shot, style)}" for shot in shots]
    return FEWSHOT_DELIMITER.join([*examples, question(item, style, language)])
