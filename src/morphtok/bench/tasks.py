"""Benchmark subtasks: bilingual prompt templates and the rule that gives each answer.

Each subtask is data (templates) plus two small functions: ``make(word, rng)`` returns
the rule's inputs (metadata) or None when the word does not suit the task, and
``solve(meta)`` computes the gold answer from those inputs. The validator calls
``solve`` again, independently of generation; ``distract(meta, answer, rng)``
proposes wrong options for MCQ.
"""

from __future__ import annotations

import numpy as np

from morphtok.bench import answers
from morphtok.bench.subtask import (
    Meta,
    Subtask,
    numeric_options,
    ordinal,
    string_options,
    string_variants,
    subtask_1x,
)
from morphtok.bench.text_tasks import TEXT_SUBTASKS, fill_comparison
from morphtok.lang.fil import analyze, inflect, syllabify
from morphtok.lang.fil.lexicon import Lexicon


# ----------------------------------------------------------------------------- composition
def make_spell(word, rng):
    return {"word": word}


def make_count_char(word, rng):
    letters = sorted(set(word.lower()) - {"-"})
    return {"word": word, "char": letters[int(rng.integers(0, len(letters)))]} if letters else None


def make_length(word, rng):
    return {"word": word}


def make_count_vowels(word, rng):
    return {"word": word}


# ----------------------------------------------------------------------------- manipulation
def make_delete(word, rng):
    return {"word": word, "index": int(rng.integers(0, len(word)))} if len(word) > 2 else None


def make_insert(word, rng):
    return {"word": word, "index": int(rng.integers(0, len(word) + 1)), "char": "aeioubkl"[int(rng.integers(0, 8))]}


def make_substitute(word, rng):
    index = int(rng.integers(0, len(word)))
    choices = [c for c in "aeioubkmnst" if c != word[index]]
    return {"word": word, "index": index, "char": choices[int(rng.integers(0, len(choices)))]}


def make_swap(word, rng):
    if len(word) < 3:
        return None
    index = int(rng.integers(0, len(word) - 1))
    return {"word": word, "index": index} if word[index] != word[index + 1] else None


def make_upper(word, rng):
    return {"word": word} if word != word.upper() else None


def make_capitalize(word, rng):
    return {"word": word} if word[:1].islower() else None


def make_duplicate(word, rng):
    return {"word": word}



# ----------------------------------------------------------------------------- trusted analyses
_VOWELS = "aeiou"


def trusted_analysis(word: str):
    """The analyzer's best analysis when the benchmark may build on it, else None.

    Confident analyses only, and not a consonant-final prefix glued to a vowel-initial
    root without the hyphen standard spelling requires (mag-aral, pag-ibig): such a word
    is either an informal spelling or not prefixed at all ("magasin", a magazine, is not
    mag- + asin). Nasal prefixes (mang-, pang-) take no hyphen and stay trusted.
    """
    best = analyze(word)[0]
    if not best.confident:
        return None
    if best.prefixes and "-" not in word:
        last = best.prefixes[-1]
        if last[-1] not in _VOWELS and not last.endswith("ng") and best.root[:1].lower() in _VOWELS:
            return None
    return best


# ----------------------------------------------------------------------------- syllables
def make_syllable_count(word, rng):
    return {"word": word} if word.isalpha() else None


def make_nth_syllable(word, rng):
    syllables = syllabify(word)
    return {"word": word, "n": int(rng.integers(1, len(syllables) + 1))} if len(syllables) >= 2 and word.isalpha() else None


def make_redup(word, rng):
    best = trusted_analysis(word)
    if best and best.reduplication and "-" not in best.reduplication:
        return {"word": word}
    return None


def solve_redup(meta):
    return analyze(meta["word"])[0].reduplication


# ----------------------------------------------------------------------------- morphology
AFFIX_SPECS = {
    "um": "-um-", "in": "-in-", "nag": "nag-", "mag": "mag-", "pag": "pag-", "ma": "ma-", "i": "i-",
    "an": "-an", "hin": "-in",
}


def _suffix_form_attested(root: str, spec: str, word: str) -> bool:
    """A vowel-final root takes -han/-hin or, after an unwritten glottal stop, -an/-in (basahin
    but upuan): spelling cannot tell which, so such a gold answer must be attested in running text."""
    suffixed = any(part.endswith(("-an", "-in", "-han", "-hin")) for part in spec.split("+"))
    if not suffixed or root[-1:] not in _VOWELS:
        return True
    return Lexicon.default().counts.get(word, 0) > 0


def make_inflect(root, rng):
    """A root and an affix whose inflection the analyzer recovers (valid by construction)."""
    keys = list(AFFIX_SPECS)
    for _ in range(4):
        affix = keys[int(rng.integers(0, len(keys)))]
        spec = AFFIX_SPECS[affix]
        try:
            word = inflect(root, spec)
        except Exception:  # noqa: BLE001 - a root an affix cannot take (ParameterError)
            continue
        best = trusted_analysis(word)
        if best and best.root == root and word != root and _suffix_form_attested(root, spec, word):
            return {"root": root, "affix": spec}
    return None


def solve_inflect(meta):
    return inflect(meta["root"], meta["affix"])


def _distract_inflect(meta, answer, rng):
    root, spec = meta["root"], meta["affix"]
    bare = spec.strip("-")
    naive = [bare + root, root + bare, root[:1] + bare + root[1:], bare + "-" + root]
    others = []
    for other in ("-um-", "-in-", "nag-", "mag-", "-an", "i-"):
        if other != spec:
            try:
                others.append(inflect(root, other))
            except Exception:  # noqa: BLE001
                continue
    return [*naive, *rng.permutation(others).tolist()]


def make_identify(word, rng):
    best = trusted_analysis(word)
    if best is None:
        return None
    affixes = [*best.prefixes, *(f"-{i}-" for i in best.infixes), *(f"-{s}" for s in best.suffixes)]
    if len(affixes) == 1 and not best.reduplication:
        return {"word": word}
    return None


def solve_identify(meta):
    best = analyze(meta["word"])[0]
    if best.prefixes:
        return best.prefixes[0] + "-"
    if best.infixes:
        return f"-{best.infixes[0]}-"
    return f"-{best.suffixes[0]}"


def _distract_affix(meta, answer, rng):
    pool = ["nag-", "mag-", "pag-", "ma-", "na-", "i-", "ka-", "-um-", "-in-", "-an", "-in", "-han", "maka-", "pinaka-"]
    return [a for a in rng.permutation(pool).tolist() if a != answer]


def make_root(word, rng):
    best = trusted_analysis(word)
    return {"word": word} if best and best.is_affixed else None


def solve_root(meta):
    return analyze(meta["word"])[0].root


def _distract_root(meta, answer, rng):
    word = meta["word"]
    pieces = [m.text.lower() for m in analyze(word)[0].morphemes]
    # Wrong segmentations of similar length first (no length cue), then near-miss spellings.
    wrong = ["".join(pieces[1:]), "".join(pieces[:-1]), word[1:], word[:-1]]
    similar = [w for w in wrong if w and abs(len(w) - len(answer)) <= 2]
    return rng.permutation(similar + string_variants(answer, rng)).tolist()


def make_remove_affix(word, rng):
    best = trusted_analysis(word)
    if best and len(best.prefixes) == 1 and not (best.infixes or best.suffixes or best.reduplication):
        return {"word": word, "prefix": best.prefixes[0]}
    return None


def solve_remove_affix(meta):
    return analyze(meta["word"])[0].root


REPLACEMENT_PREFIXES = ("mag-", "nag-", "pag-", "ma-", "na-", "i-", "ka-", "pa-")


def make_replace_prefix(word, rng):
    """A word with exactly one prefix, and another prefix the analyzer recovers on its root."""
    meta = make_remove_affix(word, rng)
    if meta is None:
        return None
    root = analyze(word)[0].root
    for spec in rng.permutation(REPLACEMENT_PREFIXES).tolist():
        if spec.rstrip("-") == meta["prefix"]:
            continue
        try:
            target = inflect(root, spec)
        except Exception:  # noqa: BLE001 - a root this prefix cannot take
            continue
        if target != word and analyze(target)[0].root == root:
            return {**meta, "new": spec}
    return None


def solve_replace_prefix(meta):
    return inflect(analyze(meta["word"])[0].root, meta["new"])


def _distract_replace_prefix(meta, answer, rng):
    root, word = analyze(meta["word"])[0].root, meta["word"]
    stacked = meta["new"].rstrip("-") + word  # added in front instead of replacing
    return [stacked, *_distract_inflect({"root": root, "affix": meta["new"]}, answer, rng), *string_variants(answer, rng)]


def make_multistep(word, rng):
    meta = make_root(word, rng)
    if meta is None:
        return None
    root = analyze(word)[0].root
    for spec in ("-an", "pag-", "ka-...-an", "-in"):
        try:
            target = inflect(root, spec)
        except Exception:  # noqa: BLE001
            continue
        if target != word and analyze(target)[0].root == root and _suffix_form_attested(root, spec, target):
            return {"word": word, "affix": spec}
    return None


def solve_multistep(meta):
    return inflect(analyze(meta["word"])[0].root, meta["affix"])


def make_char_at(word, rng):
    return {"word": word, "n": int(rng.integers(1, len(word) + 1))}


def _distract_letters(meta, answer, rng):
    return [c for c in rng.permutation(list("abdeghiklmnoprstuy")).tolist() if c != answer]


# ----------------------------------------------------------------------------- registry
SUBTASKS: list[Subtask] = [
    subtask_1x("composition", "spell", None, "Spell the word '{word}' with a space between letters.",
            "Baybayin ang salitang '{word}' na may puwang sa pagitan ng mga titik.",
            make_spell, answers.spelled, string_options),
    subtask_1x("composition", "count_char", None, "How many times does the letter '{char}' appear in '{word}'?",
            "Ilang beses lumalabas ang titik na '{char}' sa '{word}'?",
            make_count_char, answers.letter_count, numeric_options),
    subtask_1x("composition", "length", None, "How many letters are in the word '{word}'?",
            "Ilang titik mayroon ang salitang '{word}'?",
            make_length, answers.length, numeric_options),
    subtask_1x("composition", "count_vowels", None, "How many vowels are in the word '{word}'?",
            "Ilang patinig mayroon ang salitang '{word}'?",
            make_count_vowels, answers.vowel_count, numeric_options),
    subtask_1x("manipulation", "delete", None, "Delete the {ordinal} letter of '{word}'.",
            "Tanggalin ang ika-{n} na titik ng '{word}'.",
            make_delete, answers.deleted, string_options),
    subtask_1x("manipulation", "insert", None, "Insert the letter '{char}' at position {n} of '{word}'.",
            "Isingit ang titik na '{char}' sa posisyong {n} ng '{word}'.",
            make_insert, answers.inserted, string_options),
    subtask_1x("manipulation", "substitute", None, "Replace the {ordinal} letter of '{word}' with '{char}'.",
            "Palitan ng '{char}' ang ika-{n} na titik ng '{word}'.",
            make_substitute, answers.substituted, string_options),
    subtask_1x("manipulation", "swap", None, "Swap the {ordinal} and the next letter of '{word}'.",
            "Pagpalitin ang ika-{n} at ang kasunod na titik ng '{word}'.",
            make_swap, answers.swapped, string_options),
    subtask_1x("manipulation", "uppercase", None, "Write '{word}' in uppercase letters.",
            "Isulat ang '{word}' sa malalaking titik.",
            make_upper, answers.uppercased, lambda m, a, r: [a.capitalize(), a.lower(), a[:-1] + a[-1].lower(), a[::-1]]),
    subtask_1x("manipulation", "capitalize", None, "Capitalize the first letter of '{word}'.",
            "Gawing malaking titik ang unang titik ng '{word}'.",
            make_capitalize, answers.capitalized,
            lambda m, a, r: [a.upper(), a.lower()[:-1] + a[-1].upper(), a.swapcase(), a[::-1].capitalize()]),
    subtask_1x("manipulation", "duplicate", None, "Write the word '{word}' twice, joined by a hyphen.",
            "Isulat nang dalawang beses ang '{word}', pinagdugtong ng gitling.",
            make_duplicate, answers.duplicated, string_options),
    subtask_1x("syllabification", "count", None, "How many syllables does '{word}' have?",
            "Ilang pantig mayroon ang '{word}'?",
            make_syllable_count, answers.syllable_count, numeric_options),
    subtask_1x("syllabification", "nth", None, "What is the {ordinal} syllable of '{word}'?",
            "Ano ang ika-{n} na pantig ng '{word}'?",
            make_nth_syllable, answers.nth_syllable,
            lambda m, a, r: [s for s in syllabify(m["word"]) if s != a] + string_variants(a, r)),
    subtask_1x("syllabification", "reduplication", None, "Which syllable is reduplicated in '{word}'?",
            "Aling pantig ang inulit sa '{word}'?",
            make_redup, solve_redup, lambda m, a, r: [s for s in syllabify(m["word"]) if s != a] + string_variants(a, r)),
    subtask_1x("affixation", "inflect", None, "Apply the affix {affix} to the root '{root}'.",
            "Ilapat ang panlaping {affix} sa salitang-ugat na '{root}'.",
            make_inflect, solve_inflect, _distract_inflect),
    subtask_1x("affixation", "identify", None, "Which affix is used in the word '{word}'?",
            "Anong panlapi ang ginamit sa salitang '{word}'?",
            make_identify, solve_identify, _distract_affix),
    subtask_1x("hierarchical", "char_at", 0, "What is the {ordinal} letter of '{word}'?",
            "Ano ang ika-{n} na titik ng '{word}'?",
            make_char_at, answers.nth_letter, _distract_letters),
    subtask_1x("hierarchical", "delete_char", 1, "Delete the {ordinal} letter of '{word}'.",
            "Tanggalin ang ika-{n} na titik ng '{word}'.",
            make_delete, answers.deleted, string_options),
    subtask_1x("hierarchical", "find_root", 2, "What is the root word of '{word}'?",
            "Ano ang salitang-ugat ng '{word}'?",
            make_root, solve_root, _distract_root),
    subtask_1x("hierarchical", "identify_affix", 2, "Which affix is used in the word '{word}'?",
            "Anong panlapi ang ginamit sa salitang '{word}'?",
            make_identify, solve_identify, _distract_affix),
    subtask_1x("hierarchical", "remove_prefix", 3, "Remove the prefix {prefix}- from '{word}'. What word remains?",
            "Alisin ang unlaping {prefix}- sa '{word}'. Ano ang matitira?",
            make_remove_affix, solve_remove_affix, _distract_root),
    subtask_1x("hierarchical", "replace_prefix", 3, "Replace the prefix {prefix}- of '{word}' with {new}. What word results?",
            "Palitan ng {new} ang unlaping {prefix}- ng '{word}'. Ano ang mabubuong salita?",
            make_replace_prefix, solve_replace_prefix, _distract_replace_prefix),
    subtask_1x("hierarchical", "apply_affix", 4, "Apply the affix {affix} to the root '{root}'.",
            "Ilapat ang panlaping {affix} sa salitang-ugat na '{root}'.",
            make_inflect, solve_inflect, _distract_inflect),
    subtask_1x("hierarchical", "root_then_affix", 5, "Find the root of '{word}', then apply the affix {affix} to it.",
            "Hanapin ang salitang-ugat ng '{word}', saka ilapat dito ang panlaping {affix}.",
            make_multistep, solve_multistep, lambda m, a, r: _distract_multistep(m, a, r)),
    *TEXT_SUBTASKS,
]


def _distract_multistep(meta: Meta, answer: str, rng: np.random.Generator) -> list[str]:
    root = analyze(meta["word"])[0].root
    return _distract_inflect({"root": root, "affix": meta["affix"]}, answer, rng) + string_variants(answer, rng)


def fill(template: str, meta: Meta) -> str:
    values = dict(meta)
    if "words" in values:
        fill_comparison(values)
    if "n" not in values and "index" in values:
        values["n"] = values["index"] + 1
    if "n" in values:
        values["ordinal"] = ordinal(int(values["n"]))
    return template.format(**values)
