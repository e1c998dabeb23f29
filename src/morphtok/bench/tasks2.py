"""The generator 2.0 rules: inputs, count-hitting inputs and option sets per subtask.

The families (:mod:`bench.families`) declare their subtasks with these functions. What 2.0
changes from 1.x (:mod:`bench.tasks`, whose ``make`` and ``solve`` it reuses where they still hold):

* MCQ options come from :mod:`bench.option_sets` (nearby questions, gold drawn after) or, for
  counts, a window of four consecutive numbers with the gold at a uniform offset (``*_for``);
* morphology subtasks build on :mod:`bench.trust` only, from roots with four or more trusted,
  attested forms; affix answers use the canonical name (``-in`` for -hin/-nin) and GEN also
  accepts the form as written.
"""

from __future__ import annotations

import re

import numpy as np

from morphtok.bench import answers
from morphtok.bench import option_sets as sets
from morphtok.bench.subtask import Meta
from morphtok.bench.text_tasks import _accented, _mixed_case
from morphtok.bench.trust import affix_name, surface_affix, trusted
from morphtok.lang.fil import analyze, strip_diacritics, syllabify

_ABSENT_LETTERS = "abdeghiklmnoprstuy"


# ----------------------------------------------------------------------------- counts (make_for)
def length_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    return {"word": word} if len(word) == target else None


def char_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    letters = [c for c in _ABSENT_LETTERS if word.count(c) == target]
    return {"word": word, "char": letters[int(rng.integers(0, len(letters)))]} if letters else None


def vowels_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    return {"word": word} if sum(c in "aeiou" for c in word) == target else None


def upper_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    if target > len(word):
        return None
    upper = set(rng.choice(len(word), size=target, replace=False).tolist())
    return {"word": "".join(c.upper() if i in upper else c for i, c in enumerate(word))}


def marks_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    vowels = [i for i, c in enumerate(word) if c in "aeiou"]
    if target > len(vowels):
        return None
    import unicodedata

    marked = set(rng.choice(vowels, size=target, replace=False).tolist()) if target else set()
    marks = ("\u0301", "\u0300", "\u0302")
    return {"word": "".join(unicodedata.normalize("NFC", c + marks[int(rng.integers(0, 3))]) if i in marked else c
                            for i, c in enumerate(word))}


def syllables_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    return {"word": word} if word.isalpha() and len(syllabify(word)) == target else None


# ----------------------------------------------------------------------------- displayed forms
def make_lower(word, rng):
    form = word.upper() if rng.random() < 0.5 else _mixed_case(word, rng)
    return {"word": form, "plain": word} if len(word) > 1 else None


def make_strip(word, rng):
    form = _accented(word, rng)
    return {"word": form, "plain": word} if form else None


# ----------------------------------------------------------------------------- positions
def delete_variants(meta, rng):
    return sets.window(meta, rng, list(range(len(meta["word"]))), answers.deleted)


def insert_variants(meta, rng):
    return sets.window(meta, rng, list(range(len(meta["word"]) + 1)), answers.inserted)


def substitute_variants(meta, rng):
    word, char = meta["word"], meta["char"]
    return sets.window(meta, rng, [i for i, c in enumerate(word) if c != char], answers.substituted)


def swap_variants(meta, rng):
    word = meta["word"]
    return sets.window(meta, rng, [i for i in range(len(word) - 1) if word[i] != word[i + 1]], answers.swapped)


def char_at_variants(meta, rng):
    return sets.distinct_positions(meta, rng, list(meta["word"]))


def nth_variants(meta, rng):
    return sets.distinct_positions(meta, rng, syllabify(meta["word"]))


# ----------------------------------------------------------------------------- morphology
def _pick_spec(root: str, rng: np.random.Generator, specs=sets.FORM_SPECS) -> str | None:
    usable = [s for s in specs if s in sets.forms_of(root)]
    return usable[int(rng.integers(0, len(usable)))] if usable else None


def make_inflect(root, rng):
    spec = _pick_spec(root, rng)
    return {"root": root, "affix": spec} if spec else None


def make_identify(root, rng):
    spec = _pick_spec(root, rng)
    return {"word": sets.forms_of(root)[spec], "root": root} if spec else None


def solve_identify(meta: Meta) -> str:
    return affix_name(analyze(meta["word"])[0])


def accept_identify(meta: Meta) -> list[str]:
    surface = surface_affix(analyze(meta["word"])[0])
    return [surface] if surface and surface != solve_identify(meta) else []


def make_replace_prefix(root, rng):
    spec = _pick_spec(root, rng, sets.PREFIX_SPECS)
    if spec is None:
        return None
    others = [s for s in sets.PREFIX_SPECS if s in sets.forms_of(root) and s != spec]
    if not others:
        return None
    new = others[int(rng.integers(0, len(others)))]
    return {"word": sets.forms_of(root)[spec], "prefix": spec.rstrip("-"), "new": new, "root": root}


def make_root_then_affix(root, rng):
    spec = _pick_spec(root, rng)
    others = [s for s in sets.FORM_SPECS if s in sets.forms_of(root) and s != spec] if spec else []
    if not others:
        return None
    return {"word": sets.forms_of(root)[spec], "affix": others[int(rng.integers(0, len(others)))], "root": root,
            "word_affix": spec}


def make_find_root(word, rng):
    best = trusted(word)
    return {"word": word} if best is not None and not best.reduplication else None


def make_remove_prefix(word, rng):
    best = trusted(word)
    if best and len(best.prefixes) == 1 and not (best.infixes or best.suffixes or best.reduplication):
        return {"word": word, "prefix": best.prefixes[0]}
    return None


def make_redup(word, rng):
    best = trusted(word)
    return {"word": word} if best and best.reduplication and "-" not in best.reduplication else None


def reduplicated_variants(meta: Meta, rng: np.random.Generator) -> list[Meta] | None:
    return sets.redup_variants(meta, rng, sets.redup_forms(sets.root_pool()))


def affix_variants(meta: Meta, rng: np.random.Generator) -> list[Meta] | None:
    return sets.affix_set(meta, rng, "affix")


def replace_prefix_variants(meta: Meta, rng: np.random.Generator) -> list[Meta] | None:
    return sets.affix_set(meta, rng, "new", sets.PREFIX_SPECS, meta["prefix"] + "-")


def root_then_affix_variants(meta: Meta, rng: np.random.Generator) -> list[Meta] | None:
    return sets.affix_set(meta, rng, "affix", avoid=meta["word_affix"])


_PLAIN = re.compile(r"^[a-z]+$")


def plain_word(meta: Meta) -> str | None:
    """The plain word an item is about (its cluster for clustered statistics)."""
    for key in ("root", "plain", "word"):
        value = meta.get(key)
        if isinstance(value, str):
            return strip_diacritics(value).lower()
    return None
