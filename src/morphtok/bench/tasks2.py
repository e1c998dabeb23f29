"""The generator 2.0 subtasks: 1.x's prompts and rules, 2.0's option sets and input rules.

Every 1.x subtask is kept (same family, name, level and templates). What 2.0 changes:

* MCQ options come from :mod:`bench.option_sets` (nearby questions, gold drawn after) or, for
  counts, a window of four consecutive numbers with the gold at a uniform offset;
* position and letter tasks keep words with "ng" out (``letters``): "ng" is one letter of the
  Filipino alphabet and two characters, and the prompts say "letter";
* morphology subtasks build on :mod:`bench.trust` only, from roots with four or more trusted,
  attested forms; affix answers use the canonical name (``-in`` for -hin/-nin) and GEN also
  accepts the form as written;
* find_root and remove_prefix are GEN only (``gen_only`` says why).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from morphtok.bench import option_sets as sets
from morphtok.bench.subtask import Meta, Subtask
from morphtok.bench.tasks import SUBTASKS as SUBTASKS_1
from morphtok.bench.tasks import _make_capitalize, _make_upper
from morphtok.bench.text_tasks import _accented, _mixed_case
from morphtok.bench.trust import affix_name, surface_affix, trusted
from morphtok.lang.fil import analyze, strip_diacritics, syllabify

_ABSENT_LETTERS = "abdeghiklmnoprstuy"


# ----------------------------------------------------------------------------- counts (make_for)
def _length_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    return {"word": word} if len(word) == target else None


def _char_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    letters = [c for c in _ABSENT_LETTERS if word.count(c) == target]
    return {"word": word, "char": letters[int(rng.integers(0, len(letters)))]} if letters else None


def _vowels_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    return {"word": word} if sum(c in "aeiou" for c in word) == target else None


def _upper_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    if target > len(word):
        return None
    upper = set(rng.choice(len(word), size=target, replace=False).tolist())
    return {"word": "".join(c.upper() if i in upper else c for i, c in enumerate(word))}


def _marks_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    vowels = [i for i, c in enumerate(word) if c in "aeiou"]
    if target > len(vowels):
        return None
    import unicodedata

    marked = set(rng.choice(vowels, size=target, replace=False).tolist()) if target else set()
    marks = ("\u0301", "\u0300", "\u0302")
    return {"word": "".join(unicodedata.normalize("NFC", c + marks[int(rng.integers(0, 3))]) if i in marked else c
                            for i, c in enumerate(word))}


def _syllables_for(word: str, rng: np.random.Generator, target: int) -> Meta | None:
    return {"word": word} if word.isalpha() and len(syllabify(word)) == target else None


# ----------------------------------------------------------------------------- displayed forms
def _make_lower(word, rng):
    form = word.upper() if rng.random() < 0.5 else _mixed_case(word, rng)
    return {"word": form, "plain": word} if len(word) > 1 else None


def _make_strip(word, rng):
    form = _accented(word, rng)
    return {"word": form, "plain": word} if form else None


# ----------------------------------------------------------------------------- positions
def _delete_variants(meta, rng):
    solve = lambda m: m["word"][: m["index"]] + m["word"][m["index"] + 1 :]  # noqa: E731
    return sets.window(meta, rng, list(range(len(meta["word"]))), solve)


def _insert_variants(meta, rng):
    solve = lambda m: m["word"][: m["index"]] + m["char"] + m["word"][m["index"] :]  # noqa: E731
    return sets.window(meta, rng, list(range(len(meta["word"]) + 1)), solve)


def _substitute_variants(meta, rng):
    word, char = meta["word"], meta["char"]
    solve = lambda m: m["word"][: m["index"]] + m["char"] + m["word"][m["index"] + 1 :]  # noqa: E731
    return sets.window(meta, rng, [i for i, c in enumerate(word) if c != char], solve)


def _swap_variants(meta, rng):
    word = meta["word"]
    solve = lambda m: m["word"][: m["index"]] + m["word"][m["index"] + 1] + m["word"][m["index"]] + m["word"][m["index"] + 2 :]  # noqa: E731,E501
    return sets.window(meta, rng, [i for i in range(len(word) - 1) if word[i] != word[i + 1]], solve)


def _char_at_variants(meta, rng):
    return sets.distinct_positions(meta, rng, list(meta["word"]))


def _nth_variants(meta, rng):
    return sets.distinct_positions(meta, rng, syllabify(meta["word"]))


# ----------------------------------------------------------------------------- morphology
def _pick_spec(root: str, rng: np.random.Generator, specs=sets.FORM_SPECS) -> str | None:
    usable = [s for s in specs if s in sets.forms_of(root)]
    return usable[int(rng.integers(0, len(usable)))] if usable else None


def _make_inflect(root, rng):
    spec = _pick_spec(root, rng)
    return {"root": root, "affix": spec} if spec else None


def _make_identify(root, rng):
    spec = _pick_spec(root, rng)
    return {"word": sets.forms_of(root)[spec], "root": root} if spec else None


def _solve_identify(meta: Meta) -> str:
    return affix_name(analyze(meta["word"])[0])


def _accept_identify(meta: Meta) -> list[str]:
    surface = surface_affix(analyze(meta["word"])[0])
    return [surface] if surface and surface != _solve_identify(meta) else []


def _make_replace_prefix(root, rng):
    spec = _pick_spec(root, rng, sets.PREFIX_SPECS)
    if spec is None:
        return None
    others = [s for s in sets.PREFIX_SPECS if s in sets.forms_of(root) and s != spec]
    if not others:
        return None
    new = others[int(rng.integers(0, len(others)))]
    return {"word": sets.forms_of(root)[spec], "prefix": spec.rstrip("-"), "new": new, "root": root}


def _make_root_then_affix(root, rng):
    spec = _pick_spec(root, rng)
    others = [s for s in sets.FORM_SPECS if s in sets.forms_of(root) and s != spec] if spec else []
    if not others:
        return None
    return {"word": sets.forms_of(root)[spec], "affix": others[int(rng.integers(0, len(others)))], "root": root,
            "word_affix": spec}


def _make_find_root(word, rng):
    best = trusted(word)
    return {"word": word} if best is not None and not best.reduplication else None


def _make_remove_prefix(word, rng):
    best = trusted(word)
    if best and len(best.prefixes) == 1 and not (best.infixes or best.suffixes or best.reduplication):
        return {"word": word, "prefix": best.prefixes[0]}
    return None


def _make_redup(word, rng):
    best = trusted(word)
    return {"word": word} if best and best.reduplication and "-" not in best.reduplication else None


_GEN_ONLY_ROOT = ("every wrong segmentation of the input is a non-word or a rarer word than the root, so an "
                  "option-only guesser picks the gold (generator 1.3: most_frequent_word {score}); options from "
                  "other words' roots would not be wrong procedures on the input")

_CHANGES: dict[str, dict] = {
    "spell": {"variants": sets.clique, "letters": True},
    "count_char": {"counts": (0, 1), "make_for": _char_for, "letters": True},
    "length": {"counts": (3, 7), "make_for": _length_for, "letters": True},
    "count_vowels": {"counts": (1, 3), "make_for": _vowels_for},
    "count_uppercase": {"counts": (0, 2), "make_for": _upper_for, "letters": True},
    "count_diacritics": {"counts": (0, 1), "make_for": _marks_for},
    "compare": {"variants": sets.compare_variants, "letters": True},
    "delete": {"variants": _delete_variants, "letters": True},
    "insert": {"variants": _insert_variants, "letters": True},
    "substitute": {"variants": _substitute_variants, "letters": True},
    "swap": {"variants": _swap_variants, "letters": True},
    "uppercase": {"variants": sets.clique, "make": _make_upper},
    "capitalize": {"variants": sets.clique, "letters": True, "make": _make_capitalize},
    "lowercase": {"variants": sets.clique, "make": _make_lower},
    "duplicate": {"variants": sets.clique},
    "strip_diacritics": {"variants": sets.clique, "make": _make_strip},
    "count": {"counts": (2, 3), "make_for": _syllables_for},
    "nth": {"variants": _nth_variants},
    "reduplication": {"variants": lambda m, r: sets.redup_variants(m, r, sets.redup_forms(sets.root_pool())),
                      "morphology": True, "make": _make_redup, "pool": "redup"},
    "inflect": {"variants": lambda m, r: sets.affix_set(m, r, "affix"), "morphology": True, "make": _make_inflect,
                "pool": "roots"},
    "identify": {"variants": sets.word_forms, "morphology": True, "make": _make_identify, "solve": _solve_identify,
                 "accept": _accept_identify, "pool": "roots"},
    "char_at": {"variants": _char_at_variants, "letters": True},
    "delete_char": {"variants": _delete_variants, "letters": True},
    "find_root": {"morphology": True, "make": _make_find_root, "pool": "affixed",
                  "gen_only": _GEN_ONLY_ROOT.format(score="0.88")},
    "identify_affix": {"variants": sets.word_forms, "morphology": True, "make": _make_identify,
                       "solve": _solve_identify, "accept": _accept_identify, "pool": "roots"},
    "remove_prefix": {"morphology": True, "make": _make_remove_prefix, "pool": "affixed",
                      "gen_only": _GEN_ONLY_ROOT.format(score="0.84")},
    "replace_prefix": {"variants": lambda m, r: sets.affix_set(m, r, "new", sets.PREFIX_SPECS, m["prefix"] + "-"),
                       "morphology": True, "make": _make_replace_prefix, "pool": "roots"},
    "apply_affix": {"variants": lambda m, r: sets.affix_set(m, r, "affix"), "morphology": True,
                    "make": _make_inflect, "pool": "roots"},
    "root_then_affix": {"variants": lambda m, r: sets.affix_set(m, r, "affix", avoid=m["word_affix"]),
                        "morphology": True, "make": _make_root_then_affix, "pool": "roots"},
}


def _subtasks() -> list[Subtask]:
    out = []
    for task in SUBTASKS_1:
        change = dict(_CHANGES[task.name])
        out.append(replace(task, distract=None, **change))
    return out


SUBTASKS: list[Subtask] = _subtasks()
_PLAIN = re.compile(r"^[a-z]+$")


def plain_word(meta: Meta) -> str | None:
    """The plain word an item is about (its cluster for clustered statistics)."""
    for key in ("root", "plain", "word"):
        value = meta.get(key)
        if isinstance(value, str):
            return strip_diacritics(value).lower()
    return None
