"""The subtask record and the helpers every subtask family shares (option makers, ordinals)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Meta = dict[str, Any]


# The validator checks a subtask can opt into (see bench.validator):
#   ng       asks about letters or letter positions: words with "ng" (one letter, two characters) stay out
#   trusted  builds on morphological analyses: every word a gold rests on passes bench.trust.distrust
#   changes  the answer must differ from the input word
#   no_leak  the answer is one of the words the prompt lists (selection): the leak check is skipped
CHECKS = frozenset({"ng", "trusted", "changes", "no_leak"})
FORMATS = ("mcq", "gen")
# The word pools make() can draw from (bench.generate2): the lexicon's plain words, the hand-checked
# roots with four or more trusted forms, trusted affixed words, trusted reduplicated forms.
POOLS = ("words", "roots", "affixed", "redup")


@dataclass(frozen=True, kw_only=True)
class Subtask:
    """One subtask: prompt templates per language code, ``make(word, rng)`` -> the rule's inputs
    (or None), ``solve(inputs)`` -> the gold answer, and how MCQ options are made.

    Generator 1.x: ``distract(inputs, answer, rng)`` proposes wrong options.
    Generator 2.0 (see ``bench.option_sets``): ``variants(inputs, rng)`` returns the inputs of
    four nearby questions (the option set), or ``counts`` gives the range of window starts for
    an answer that is a count, with ``make_for(word, rng, target)`` hitting a given count.
    A subtask without MCQ items says why (``gen_only``). Families declare their subtasks with
    these keywords (:mod:`bench.family`); the prompts come from the family's YAML.
    """

    name: str
    make: Callable[[str, np.random.Generator], Meta | None]
    solve: Callable[[Meta], str]
    family: str = ""  # filled in by the family that declares the subtask
    level: int | None = None
    prompt: Mapping[str, str] = field(default_factory=dict)  # language code -> template
    pool: str = "words"  # the word pool make() draws from: words | roots | affixed | redup
    checks: frozenset[str] = frozenset()  # see CHECKS
    gen_only: str | None = None  # why the subtask has no MCQ items (2.0)
    distract: Callable[[Meta, str, np.random.Generator], list[str]] | None = None
    variants: Callable[[Meta, np.random.Generator], list[Meta] | None] | None = None
    counts: tuple[int, int] | None = None
    make_for: Callable[[str, np.random.Generator, int], Meta | None] | None = None
    accept: Callable[[Meta], list[str]] | None = None  # other GEN answers that count as exact
    same_rule_as: str | None = None  # "family/subtask" whose make/solve this one reuses (manifest)

    def __post_init__(self) -> None:
        unknown = set(self.checks) - CHECKS
        if unknown:
            raise ValueError(f"subtask {self.name!r}: unknown check(s) {sorted(unknown)}; checks: {sorted(CHECKS)}")
        if self.pool not in POOLS:
            raise ValueError(f"subtask {self.name!r}: unknown pool {self.pool!r}; pools: {', '.join(POOLS)}")
        object.__setattr__(self, "checks", frozenset(self.checks))

    @property
    def letters(self) -> bool:
        return "ng" in self.checks

    @property
    def morphology(self) -> bool:
        return "trusted" in self.checks

    @property
    def formats(self) -> tuple[str, ...]:
        return ("gen",) if self.gen_only else FORMATS


def subtask_1x(family: str, name: str, level: int | None, prompt_en: str, prompt_tl: str, make, solve,
               distract) -> Subtask:
    """A generator 1.x subtask (the frozen records of :mod:`bench.tasks`)."""
    return Subtask(family=family, name=name, level=level, prompt={"en": prompt_en, "tl": prompt_tl}, make=make,
                   solve=solve, distract=distract)


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
