"""affixation (PACUTE): apply an affix to a root; name the affix of a word."""

from __future__ import annotations

from pathlib import Path

from morphtok.bench import option_sets as sets
from morphtok.bench import tasks, tasks2
from morphtok.bench.family import define
from morphtok.bench.subtask import Subtask

INFLECT = Subtask(name="inflect", pool="roots", make=tasks2.make_inflect, solve=tasks.solve_inflect,
                  variants=tasks2.affix_variants, checks={"trusted"})
IDENTIFY = Subtask(name="identify", pool="roots", make=tasks2.make_identify, solve=tasks2.solve_identify,
                   accept=tasks2.accept_identify, variants=sets.word_forms, checks={"trusted"})

AFFIXATION = define(
    "affixation", order=10, suites=("pacute",), sizes={"mcq": 140, "gen": 140},
    prompts=Path(__file__).with_suffix(".yaml"),
    subtasks=[INFLECT, IDENTIFY],
)
