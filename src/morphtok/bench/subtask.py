"""The subtask record and the helpers every subtask family shares (option makers, ordinals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Meta = dict[str, Any]


@dataclass(frozen=True)
class Subtask:
    """One subtask: prompt templates, ``make(word, rng)`` -> the rule's inputs (or None),
    ``solve(inputs)`` -> the gold answer, and how MCQ options are made.

    Generator 1.x: ``distract(inputs, answer, rng)`` proposes wrong options.
    Generator 2.0 (see ``bench.option_sets``): ``variants(inputs, rng)`` returns the inputs of
    four nearby questions (the option set), or ``counts`` gives the range of window starts for
    an answer that is a count, with ``make_for(word, rng, target)`` hitting a given count.
    """

    family: str
    name: str
    level: int | None
    prompt_en: str
    prompt_tl: str
    make: Callable[[str, np.random.Generator], Meta | None]
    solve: Callable[[Meta], str]
    distract: Callable[[Meta, str, np.random.Generator], list[str]] | None = None
    variants: Callable[[Meta, np.random.Generator], list[Meta] | None] | None = None
    counts: tuple[int, int] | None = None
    make_for: Callable[[str, np.random.Generator, int], Meta | None] | None = None
    letters: bool = False  # asks about letters or letter positions: words with "ng" stay out
    morphology: bool = False  # builds on analyses: trusted words only (bench.trust)
    gen_only: str | None = None  # why the subtask has no MCQ items (2.0)
    pool: str = "words"  # words | roots | affixed
    accept: Callable[[Meta], list[str]] | None = None  # other GEN answers that count as exact


def numeric_options(meta: Meta, answer: str, rng: np.random.Generator) -> list[str]:
    value = int(answer)
    pool = [value + d for d in (-3, -2, -1, 1, 2, 3) if value + d >= 0]
    return [str(v) for v in rng.permutation(pool).tolist()]


def string_variants(word: str, rng: np.random.Generator) -> list[str]:
    """Near-miss spellings of ``word`` (a swapped pair, a dropped or doubled letter, reversed),
    in random order so no option length is systematically the gold's."""
    out = []
    if len(word) > 2:
        i = int(rng.integers(0, len(word) - 1))
        out.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
        j = int(rng.integers(0, len(word)))
        out.append(word[:j] + word[j + 1 :])
        k = int(rng.integers(0, len(word)))
        out.append(word[: k + 1] + word[k] + word[k + 1 :])
    out.append(word[::-1])
    return rng.permutation(out).tolist() if out else out


def string_options(meta: Meta, answer: str, rng: np.random.Generator) -> list[str]:
    return string_variants(answer, rng)


def ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")
