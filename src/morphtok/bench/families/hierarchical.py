"""hierarchical: levels 0-5, from one letter (0) to finding a root and applying another affix (5).

delete_char, identify_affix and apply_affix reuse the rules of manipulation/delete,
affixation/identify and affixation/inflect (``same_rule_as``; their prompts differ). find_root
and remove_prefix are GEN only (``gen_only`` says why).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from morphtok.bench import answers, tasks, tasks2
from morphtok.bench.families.affixation import IDENTIFY, INFLECT
from morphtok.bench.family import define
from morphtok.bench.subtask import Subtask

_GEN_ONLY_ROOT = ("every wrong segmentation of the input is a non-word or a rarer word than the root, so an "
                  "option-only guesser picks the gold (generator 1.3: most_frequent_word {score}); options from "
                  "other words' roots would not be wrong procedures on the input")

HIERARCHICAL = define(
    "hierarchical", order=50, sizes={"mcq": 600, "gen": 600},
    prompts=Path(__file__).with_suffix(".yaml"),
    subtasks=[
        Subtask(name="char_at", level=0, make=tasks.make_char_at, solve=answers.nth_letter,
                variants=tasks2.char_at_variants, checks={"ng"}),
        Subtask(name="delete_char", level=1, make=tasks.make_delete, solve=answers.deleted,
                variants=tasks2.delete_variants, checks={"ng", "changes"}, same_rule_as="manipulation/delete"),
        Subtask(name="find_root", level=2, pool="affixed", make=tasks2.make_find_root, solve=tasks.solve_root,
                checks={"trusted"}, gen_only=_GEN_ONLY_ROOT.format(score="0.88")),
        replace(IDENTIFY, name="identify_affix", level=2, same_rule_as="affixation/identify"),
        Subtask(name="remove_prefix", level=3, pool="affixed", make=tasks2.make_remove_prefix,
                solve=tasks.solve_remove_affix, checks={"trusted", "changes"},
                gen_only=_GEN_ONLY_ROOT.format(score="0.84")),
        Subtask(name="replace_prefix", level=3, pool="roots", make=tasks2.make_replace_prefix,
                solve=tasks.solve_replace_prefix, variants=tasks2.replace_prefix_variants,
                checks={"trusted", "changes"}),
        replace(INFLECT, name="apply_affix", level=4, same_rule_as="affixation/inflect"),
        Subtask(name="root_then_affix", level=5, pool="roots", make=tasks2.make_root_then_affix,
                solve=tasks.solve_multistep, variants=tasks2.root_then_affix_variants, checks={"trusted"}),
    ],
)
