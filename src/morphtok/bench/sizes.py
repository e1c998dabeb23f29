"""How many items each family and subtask gets, and where MCQ golds sit (both generator versions).

A family's per-format total is split evenly over hierarchical levels, then over each level's
subtasks (``default_sizes``); within a subtask the gold sits at A/B/C/D equally often
(``balance_gold``).
"""

from __future__ import annotations

import numpy as np

from morphtok.bench.schema import Item
from morphtok.bench.subtask import Subtask


def default_sizes(tasks: list[Subtask], total: int) -> list[int]:
    """Split ``total`` items evenly over hierarchical levels (100 per level in the default
    set, however many subtasks a level has), then evenly over each level's subtasks;
    a family without levels splits evenly over its subtasks."""
    groups: dict[object, list[int]] = {}
    for index, task in enumerate(tasks):
        groups.setdefault(task.level if task.level is not None else ("task", index), []).append(index)
    out = [0] * len(tasks)
    for g, members in enumerate(groups.values()):
        share = total // len(groups) + (1 if g < total % len(groups) else 0)
        for m, index in enumerate(members):
            out[index] = share // len(members) + (1 if m < share % len(members) else 0)
    return out


def balance_gold(items: list[Item], rng: np.random.Generator) -> None:
    """Put the gold at A/B/C/D equally often within a subtask, in a seeded random order.

    Independent per-item shuffles leave chance imbalances (a chi-square p of 0.02 on one file
    of 800 items in generator 1.1); a permutation of equal counts is balanced exactly and still
    unpredictable from the item index. The distractors are shuffled around it.
    """
    slots = rng.permutation(np.arange(len(items)) % 4).tolist()
    for item, slot in zip(items, slots, strict=True):
        wrong = [o for o in item.options if o != item.answer]
        wrong = [wrong[k] for k in rng.permutation(len(wrong)).tolist()]
        item.options = [*wrong[:slot], item.answer, *wrong[slot:]]
        item.answer_index = slot
