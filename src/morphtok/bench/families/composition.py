"""composition (PACUTE): spelling, counting letters, vowels, case and accent marks, comparing words."""

from __future__ import annotations

from pathlib import Path

from morphtok.bench import answers, tasks, tasks2, text_tasks
from morphtok.bench import option_sets as sets
from morphtok.bench.family import define
from morphtok.bench.subtask import Subtask

COMPOSITION = define(
    "composition", order=20, suites=("pacute",), sizes={"mcq": 900, "gen": 500},
    prompts=Path(__file__).with_suffix(".yaml"),
    subtasks=[
        Subtask(name="spell", make=tasks.make_spell, solve=answers.spelled, variants=sets.clique, checks={"ng"}),
        Subtask(name="count_char", make=tasks.make_count_char, solve=answers.letter_count, counts=(0, 1),
                make_for=tasks2.char_for, checks={"ng"}),
        Subtask(name="length", make=tasks.make_length, solve=answers.length, counts=(3, 7),
                make_for=tasks2.length_for, checks={"ng"}),
        Subtask(name="count_vowels", make=tasks.make_count_vowels, solve=answers.vowel_count, counts=(1, 3),
                make_for=tasks2.vowels_for),
        Subtask(name="count_uppercase", make=text_tasks.make_count_upper, solve=answers.uppercase_count,
                counts=(0, 2), make_for=tasks2.upper_for, checks={"ng"}),
        Subtask(name="count_diacritics", make=text_tasks.make_count_marks, solve=answers.mark_count, counts=(0, 1),
                make_for=tasks2.marks_for),
        Subtask(name="compare", make=text_tasks.make_compare, solve=text_tasks.solve_compare,
                variants=sets.compare_variants, checks={"ng", "no_leak"}),
    ],
)
