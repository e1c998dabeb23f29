"""Items of generator 2.0: inputs from a word, the option set, then the asked question drawn from it.

For an MCQ item the subtask's ``variants`` give the inputs of four nearby questions (see
:mod:`bench.option_sets`); the rule answers each, and one of the four is drawn uniformly to be
the item's question. ``metadata["options_from"]`` keeps, per option, the inputs it answers, so
the validator recomputes every option. A count answer gets four consecutive numbers instead:
the offset of the gold in the window is balanced over the subtask (a seeded permutation of
equal counts), the window start is drawn uniformly from the subtask's range, and the word is
chosen to have that count, so the window says nothing about which number is right.

Every prompt is checked against one ``seen`` set shared by all families and both formats,
so no question appears twice in the benchmark.
"""

from __future__ import annotations

import logging

import numpy as np

from morphtok.bench.option_sets import has_ng
from morphtok.bench.schema import Item
from morphtok.bench.subtask import Meta, Subtask
from morphtok.bench.validator import leaks

log = logging.getLogger(__name__)
VERSION = "2.0"


def fill_prompts(task: Subtask, meta: Meta) -> dict[str, str]:
    """The item's prompt per language code, from the subtask's templates."""
    from morphtok.bench.tasks import fill

    return {code: fill(template, meta) for code, template in task.prompt.items()}


def _new_item(task: Subtask, fmt: str, meta: Meta, index: int, seen: set[str]) -> Item | None:
    prompt = fill_prompts(task, meta)
    if prompt["en"] in seen:
        return None
    item = Item(id=f"{task.family}-{task.name}-{fmt}-{index:04d}", family=task.family, subtask=task.name,
                level=task.level, prompt=prompt, answer=task.solve(meta), format=fmt,
                metadata={**meta, "generator": VERSION})
    if task.accept is not None and fmt == "gen" and task.accept(meta):
        item.metadata["accept"] = task.accept(meta)
    return None if leaks(item) else item


def _option_set(task: Subtask, meta: Meta, rng: np.random.Generator) -> tuple[Meta, dict[str, Meta]] | None:
    """(the asked inputs, option -> the inputs it answers), or None when no set can be built."""
    variants = task.variants(meta, rng) if task.variants else None
    if not variants or len(variants) != 4 or (task.letters and any(has_ng(v) for v in variants)):
        return None
    answers = [task.solve(v) for v in variants]
    if len(set(answers)) != 4 or not all(answers):
        return None
    asked = variants[int(rng.integers(0, 4))]
    return asked, dict(zip(answers, variants, strict=True))


def items_for(task: Subtask, fmt: str, want: int, pool: list[str], lexicon, rng: np.random.Generator,
              seen: set[str]) -> list[Item]:
    """Up to ``want`` items of one subtask and format (fewer, with a warning, when the pool runs out)."""
    if want <= 0:
        return []
    candidates = _candidates(want, pool, lexicon, rng)
    if fmt == "mcq" and task.counts:
        out = _count_items(task, want, candidates, rng, seen)
    else:
        out = []
        for word in candidates:
            if len(out) >= want:
                break
            meta = task.make(word, rng)
            if meta is None or (task.letters and has_ng(meta)):
                continue
            options_from = None
            if fmt == "mcq":
                built = _option_set(task, meta, rng)
                if built is None:
                    continue
                meta, options_from = built
            item = _new_item(task, fmt, meta, len(out), seen)
            if item is None:
                continue
            if options_from is not None:
                item.metadata["options_from"] = options_from
                item.options = list(options_from)
            seen.add(item.prompt["en"])
            out.append(item)
    if len(out) < want:
        log.warning("%s/%s %s: only %d of %d items (word pool exhausted)", task.family, task.name, fmt, len(out), want)
    return out


def _candidates(want: int, pool: list[str], lexicon, rng: np.random.Generator) -> list[str]:
    """Frequency-weighted words without repeats, in several passes over a small pool (a root
    makes items with different affixes; the seen set keeps their prompts distinct)."""
    wanted = 60 * want + 100
    out: list[str] = []
    for _ in range(5):
        out += lexicon.sample(min(len(pool), wanted), rng, candidates=pool)
        if len(out) >= wanted:
            break
    return out


def _count_items(task: Subtask, want: int, candidates: list[str], rng: np.random.Generator,
                 seen: set[str]) -> list[Item]:
    low, high = task.counts
    out: list[Item] = []
    at = 0
    for offset in rng.permutation(np.arange(want) % 4).tolist():
        start = int(rng.integers(low, high + 1))
        for _ in range(len(candidates)):
            word = candidates[at % len(candidates)]
            at += 1
            meta = task.make_for(word, rng, start + offset)
            if meta is None or (task.letters and has_ng(meta)):
                continue
            item = _new_item(task, "mcq", meta, len(out), seen)
            if item is None:
                continue
            item.options = [str(start + k) for k in range(4)]
            seen.add(item.prompt["en"])
            out.append(item)
            break
    return out
