"""Generator 2.0: pools, sizes and the one de-duplication set over every family.

Item construction is :mod:`bench.build`; subtasks are :mod:`bench.tasks2`. MCQ files hold the
subtasks that have MCQ items (``gen_only`` is None); a family's MCQ total is split over those
(per hierarchical level where the level has one, so levels keep 100 items each).
"""

from __future__ import annotations

import re

import numpy as np

from morphtok.bench import option_sets
from morphtok.bench.build import items_for
from morphtok.bench.family import get as get_family
from morphtok.bench.schema import Item
from morphtok.bench.sizes import balance_gold, default_sizes
from morphtok.bench.trust import trusted
from morphtok.lang.fil import Lexicon

_PLAIN = re.compile(r"^[a-z]{3,12}$")


def _pools(lexicon: Lexicon) -> dict[str, list[str]]:
    words = [w for w in lexicon.words[:20000] if _PLAIN.match(w) and w not in lexicon.function_words]
    affixed = [w for w in words if trusted(w) is not None]
    roots = list(option_sets.root_pool())
    redup = sorted({form for form, _ in option_sets.redup_forms(option_sets.root_pool())}
                   | {w for w in affixed if trusted(w).reduplication})
    return {"words": words, "affixed": affixed, "roots": roots, "redup": redup}


def generate(seed: int, sizes: dict[str, int] | None, families: list[str], scale: float) -> dict[str, list[Item]]:
    lexicon = Lexicon.default()
    pools = _pools(lexicon)
    rng = np.random.default_rng([seed, 2])
    seen: set[str] = set()  # one set over the whole generation: no prompt in two families or formats
    files: dict[str, list[Item]] = {}
    for family in families:
        definition = get_family(family)
        for fmt in ("mcq", "gen"):
            base = definition.sizes[fmt]
            chosen = [t for t in definition.subtasks if fmt in t.formats]
            total = max(len(chosen), round(base * scale))
            items: list[Item] = []
            for task, default in zip(chosen, default_sizes(chosen, total), strict=True):
                want = (sizes or {}).get(task.name, default)
                made = items_for(task, fmt, want, pools[task.pool], lexicon, rng, seen)
                if fmt == "mcq":
                    balance_gold(made, rng)
                items += made
            files[f"{family}_{fmt}"] = items
    return files


def manifest_notes(files: dict[str, list[Item]]) -> dict:
    """What the 2.0 manifest says besides the per-file tables."""
    families = list(dict.fromkeys(name.rsplit("_", 1)[0] for name in files))
    tasks = [t for family in families for t in get_family(family).subtasks]
    return {
        "gen_only": {f"{t.family}/{t.name}": t.gen_only for t in tasks if t.gen_only},
        "shared_generators": {f"{t.family}/{t.name}": t.same_rule_as for t in tasks if t.same_rule_as},
        "prompts_disjoint_across_families": True,
        "ng_convention": "\"ng\" is one letter of the Filipino alphabet: words with \"ng\" are kept out of every "
                         "subtask that counts letters or names letter positions",
    }
