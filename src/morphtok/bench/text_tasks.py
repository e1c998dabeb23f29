"""Character-level PACUTE subtasks on case, accent marks and word comparisons.

The lexicon's words are plain lower-case ASCII (no PyPI word list carries accents),
so these subtasks show a *form* of a lexicon word:

* case: some letters upper-cased (``BaHaY``) or the whole word (``BAHAY``);
* accent marks: one to three vowels carry an acute, grave or circumflex accent
  (``báhày``), the marks Filipino orthography uses. The marks are placed at random:
  these items count or remove marks, they make no claim about where a word's stress
  falls (the stress family is left out for want of a trustworthy accented lexicon).

Comparison items show four common words and ask which one has the most / fewest
occurrences of a letter, or exactly ``n`` of them; the four counts are such that
exactly one word answers. The answer is one of the listed words by nature, so the
validator's leak check skips this subtask (``SELECTION_SUBTASKS``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

from morphtok.bench import answers
from morphtok.bench.subtask import Meta, Subtask, numeric_options, string_variants, subtask_1x

_MARKS = ("\u0301", "\u0300", "\u0302")  # acute, grave, circumflex
_VOWELS = "aeiou"
SELECTION_SUBTASKS = frozenset({"compare"})


def _mixed_case(word: str, rng: np.random.Generator) -> str:
    """``word`` with 1..len-1 letters upper-cased (so both cases occur)."""
    k = int(rng.integers(1, len(word)))
    upper = set(rng.choice(len(word), size=k, replace=False).tolist())
    return "".join(c.upper() if i in upper else c for i, c in enumerate(word))


def _accented(word: str, rng: np.random.Generator) -> str | None:
    vowels = [i for i, c in enumerate(word) if c in _VOWELS]
    if not vowels:
        return None
    k = int(rng.integers(1, min(3, len(vowels)) + 1))
    marked = set(rng.choice(vowels, size=k, replace=False).tolist())
    return "".join(
        unicodedata.normalize("NFC", c + _MARKS[int(rng.integers(0, 3))]) if i in marked else c
        for i, c in enumerate(word)
    )


# ----------------------------------------------------------------------------- composition
def make_count_upper(word, rng):
    return {"word": _mixed_case(word, rng)} if len(word) > 1 else None


def make_count_marks(word, rng):
    form = _accented(word, rng)
    return {"word": form} if form else None


@lru_cache(maxsize=1)
def _companion_words() -> tuple[str, ...]:
    from morphtok.lang.fil import Lexicon

    lexicon = Lexicon.default()
    plain = re.compile(r"^[a-z]{3,12}$")
    return tuple(w for w in lexicon.words[:5000] if plain.match(w) and w not in lexicon.function_words)


def make_compare(word, rng):
    pool = _companion_words()
    others = [pool[int(i)] for i in rng.choice(len(pool), size=3, replace=False)]
    words = [word, *others]
    if len(set(words)) < 4:
        return None
    char = word[int(rng.integers(0, len(word)))]
    counts = [w.count(char) for w in words]
    modes = []
    if counts.count(max(counts)) == 1:
        modes.append("most")
    if counts.count(min(counts)) == 1:
        modes.append("fewest")
    unique = [c for c in counts if counts.count(c) == 1 and c > 0]
    if unique:
        modes.append("exactly")
    if not modes:
        return None
    mode = modes[int(rng.integers(0, len(modes)))]
    order = rng.permutation(4).tolist()
    meta = {"words": [words[k] for k in order], "char": char, "mode": mode}
    if mode == "exactly":
        meta["n"] = unique[int(rng.integers(0, len(unique)))]
    return meta


def solve_compare(meta: Meta) -> str:
    counts = [w.count(meta["char"]) for w in meta["words"]]
    target = {"most": max(counts), "fewest": min(counts)}.get(meta["mode"], meta.get("n"))
    (answer,) = [w for w, c in zip(meta["words"], counts, strict=True) if c == target]
    return answer


def _distract_compare(meta: Meta, answer: str, rng: np.random.Generator) -> list[str]:
    return rng.permutation([w for w in meta["words"] if w != answer]).tolist()


# ----------------------------------------------------------------------------- manipulation
def make_lower(word, rng):
    form = word.upper() if rng.random() < 0.5 else _mixed_case(word, rng)
    return {"word": form} if len(word) > 1 else None


def _distract_lower(meta: Meta, answer: str, rng: np.random.Generator) -> list[str]:
    i = int(rng.integers(0, len(answer)))
    one_left = answer[:i] + answer[i].upper() + answer[i + 1 :]
    return [one_left, answer.capitalize(), answer.upper(), answer[::-1], *string_variants(answer, rng)]


def _distract_strip(meta: Meta, answer: str, rng: np.random.Generator) -> list[str]:
    form = meta["word"]
    # One mark left in place (the same length as the gold: no length cue), then near-miss spellings.
    partial = [answer[:i] + form[i] + answer[i + 1 :] for i, c in enumerate(form) if c != answer[i]]
    return [*rng.permutation(partial).tolist(), *string_variants(answer, rng)]


def make_strip(word, rng):
    form = _accented(word, rng)
    return {"word": form} if form else None


TEXT_SUBTASKS: list[Subtask] = [
    subtask_1x("composition", "count_uppercase", None, "How many uppercase letters are in '{word}'?",
            "Ilang malalaking titik mayroon sa '{word}'?",
            make_count_upper, answers.uppercase_count, numeric_options),
    subtask_1x("composition", "count_diacritics", None, "How many letters with an accent mark are in '{word}'?",
            "Ilang titik na may tuldik mayroon sa '{word}'?",
            make_count_marks, answers.mark_count, numeric_options),
    subtask_1x("composition", "compare", None, "Which word has {comparison}: {listed}?",
            "Aling salita ang may {comparison_tl}: {listed}?",
            make_compare, solve_compare, _distract_compare),
    subtask_1x("manipulation", "lowercase", None, "Write '{word}' in lowercase letters.",
            "Isulat ang '{word}' sa maliliit na titik.",
            make_lower, answers.lowercased, _distract_lower),
    subtask_1x("manipulation", "strip_diacritics", None, "Remove the accent marks from '{word}'.",
            "Alisin ang mga tuldik sa '{word}'.",
            make_strip, answers.unaccented, _distract_strip),
]


def fill_comparison(values: Meta) -> None:
    """Template values of a comparison item: the listed words and the wording of its mode."""
    values["listed"] = ", ".join(f"'{w}'" for w in values["words"])
    char, mode = values["char"], values["mode"]
    if mode == "exactly":
        times = "time" if values["n"] == 1 else "times"
        values["comparison"] = f"the letter '{char}' exactly {values['n']} {times}"
        values["comparison_tl"] = f"eksaktong {values['n']} na titik na '{char}'"
    else:
        values["comparison"] = f"the {mode} occurrences of the letter '{char}'"
        values["comparison_tl"] = f"{'pinakamaraming' if mode == 'most' else 'pinakakaunting'} titik na '{char}'"
