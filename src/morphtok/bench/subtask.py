"""The subtask record and the helpers every subtask family shares (option makers, ordinals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Meta = dict[str, Any]


@dataclass(frozen=True)
class Subtask:
    family: str
    name: str
    level: int | None
    prompt_en: str
    prompt_tl: str
    make: Callable[[str, np.random.Generator], Meta | None]
    solve: Callable[[Meta], str]
    distract: Callable[[Meta, str, np.random.Generator], list[str]]


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
