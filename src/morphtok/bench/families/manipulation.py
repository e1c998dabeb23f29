"""manipulation (PACUTE): editing a word (delete, insert, substitute, swap, re-case, duplicate, strip accents)."""

from __future__ import annotations

from pathlib import Path

from morphtok.bench import answers, tasks, tasks2
from morphtok.bench import option_sets as sets
from morphtok.bench.family import define
from morphtok.bench.subtask import Subtask

MANIPULATION = define(
    "manipulation", order=30, suites=("pacute",), sizes={"mcq": 800, "gen": 800},
    prompts=Path(__file__).with_suffix(".yaml"),
    subtasks=[
        Subtask(name="delete", make=tasks.make_delete, solve=answers.deleted, variants=tasks2.delete_variants,
                checks={"ng", "changes"}),
        Subtask(name="insert", make=tasks.make_insert, solve=answers.inserted, variants=tasks2.insert_variants,
                checks={"ng", "changes"}),
        Subtask(name="substitute", make=tasks.make_substitute, solve=answers.substituted,
                variants=tasks2.substitute_variants, checks={"ng", "changes"}),
        Subtask(name="swap", make=tasks.make_swap, solve=answers.swapped, variants=tasks2.swap_variants,
                checks={"ng", "changes"}),
        Subtask(name="uppercase", make=tasks.make_upper, solve=answers.uppercased, variants=sets.clique,
                checks={"changes"}),
        Subtask(name="capitalize", make=tasks.make_capitalize, solve=answers.capitalized, variants=sets.clique,
                checks={"ng", "changes"}),
        Subtask(name="duplicate", make=tasks.make_duplicate, solve=answers.duplicated, variants=sets.clique),
        Subtask(name="lowercase", make=tasks2.make_lower, solve=answers.lowercased, variants=sets.clique,
                checks={"changes"}),
        Subtask(name="strip_diacritics", make=tasks2.make_strip, solve=answers.unaccented, variants=sets.clique,
                checks={"changes"}),
    ],
)
