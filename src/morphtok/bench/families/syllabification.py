"""syllabification (PACUTE): how many syllables, the n-th syllable, the reduplicated syllable."""

from __future__ import annotations

from pathlib import Path

from morphtok.bench import answers, tasks, tasks2
from morphtok.bench.family import define
from morphtok.bench.subtask import Subtask

SYLLABIFICATION = define(
    "syllabification", order=40, suites=("pacute",), sizes={"mcq": 400, "gen": 400},
    prompts=Path(__file__).with_suffix(".yaml"),
    subtasks=[
        Subtask(name="count", make=tasks.make_syllable_count, solve=answers.syllable_count, counts=(2, 3),
                make_for=tasks2.syllables_for),
        Subtask(name="nth", make=tasks.make_nth_syllable, solve=answers.nth_syllable, variants=tasks2.nth_variants),
        Subtask(name="reduplication", pool="redup", make=tasks2.make_redup, solve=tasks.solve_redup,
                variants=tasks2.reduplicated_variants, checks={"trusted"}),
    ],
)
