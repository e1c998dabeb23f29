"""MCQ option sets for generator 2.0: the inputs of four nearby questions, gold drawn after.

Generator 1.x perturbed the gold to get distractors, so the gold was the option closest to all
the others (an option-only guesser scored 0.43 over every MCQ item). 2.0 builds the *set* of
four questions first, each a plausible wrong procedure on the input, and only then draws the
asked one uniformly from the set (``bench.build``). Because the draw does not depend on the
options, no function of the options alone beats chance in expectation; the audit
(:mod:`bench.audit`) checks that this holds in the files.

Designs (each returns four input dicts, or None when the input does not allow one):

* ``window``: the operation at four neighbouring positions of the same word (delete, insert,
  substitute, swap: "the right operation at the wrong position"), outputs distinct;
* ``distinct_positions``: four positions whose letters (syllables) differ (char_at, nth);
* ``clique``: the word and three words that differ from it in one letter at one position, a
  vowel for a vowel and a consonant for a consonant, attested words first (whole-word tasks:
  spell, case changes, duplicate, accent removal: "the same task on the word misread");
* ``forms``: one root under four affixes whose forms are trusted and attested (inflect,
  identify, replace_prefix, root_then_affix: "the wrong affix");
* counts (in ``bench.build``): four consecutive numbers, the gold at a uniform offset.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

from morphtok.bench.subtask import Meta
from morphtok.bench.trust import affix_name, attested, distrust
from morphtok.errors import ParameterError
from morphtok.lang.fil import Lexicon, analyze, inflect, strip_diacritics

VOWELS = "aeiou"
CONSONANTS = "bdghklmnprstwy"
# Single affixes whose forms 2.0 uses: common verbal and nominal affixes the analyzer recovers.
FORM_SPECS = ("-um-", "-in-", "nag-", "mag-", "pag-", "ma-", "na-", "i-", "ka-", "pa-", "-an", "-in", "mang-",
              "nang-", "pang-", "maka-", "naka-", "maki-", "naki-", "ka-...-an", "pag-...-an", "pa-...-an",
              "pinag-", "pina-", "taga-", "ipag-", "magpa-", "nagpa-")
PREFIX_SPECS = tuple(s for s in FORM_SPECS if s.endswith("-") and not s.startswith("-") and "..." not in s)


def has_ng(meta: Meta) -> bool:
    """A word of the item holds "ng" (one letter of the Filipino alphabet, two characters)."""
    words = [meta["word"]] if isinstance(meta.get("word"), str) else list(meta.get("words", []))
    return any("ng" in strip_diacritics(w).lower() for w in words)


def window(meta: Meta, rng: np.random.Generator, positions: list[int], solve, key: str = "index") -> list[Meta] | None:
    """Four consecutive valid ``positions`` (a random window) with distinct outputs."""
    starts = rng.permutation(max(len(positions) - 3, 0)).tolist()
    for start in starts:
        variants = [{**meta, key: p} for p in positions[start : start + 4]]
        outputs = [solve(v) for v in variants]
        if len(set(outputs)) == 4 and meta.get("word") not in outputs:
            return variants
    return None


def distinct_positions(meta: Meta, rng: np.random.Generator, units: list[str]) -> list[Meta] | None:
    """Four 1-based positions ``n`` whose units (letters, syllables) are pairwise distinct."""
    first: dict[str, int] = {}
    for k in rng.permutation(len(units)).tolist():
        first.setdefault(units[k], k + 1)
    if len(first) < 4:
        return None
    chosen = rng.choice(sorted(first.values()), size=4, replace=False).tolist()
    return [{**meta, "n": int(n)} for n in sorted(chosen)]


def _respell(form: str, plain: str, at: int, letter: str) -> str:
    """``form`` (a cased or accented display of ``plain``) with the letter at ``at`` replaced,
    keeping that position's case and accent mark."""
    shown = form[at]
    base = letter.upper() if shown.isupper() else letter
    mark = unicodedata.normalize("NFD", shown)[1:]
    return form[:at] + unicodedata.normalize("NFC", base + mark) + form[at + 1 :]


def clique(meta: Meta, rng: np.random.Generator, plain_key: str = "plain") -> list[Meta] | None:
    """The word and three one-letter substitutes at one random position (attested words first).

    ``meta["word"]`` is what the prompt shows; ``meta[plain_key]``, when present, the plain
    lower-case word it displays (case and accent marks are carried over to the substitutes)."""
    form = meta["word"]
    plain = meta.get(plain_key, form)
    if len(plain) != len(form) or len(plain) < 3:
        return None
    lexicon = Lexicon.default()
    for at in rng.permutation(len(plain)).tolist():
        letters = VOWELS if plain[at] in VOWELS else CONSONANTS if plain[at] in CONSONANTS else ""
        swaps = [c for c in letters if c != plain[at]]
        words = [plain[:at] + c + plain[at + 1 :] for c in swaps]
        words = [w for w in words if "ng" not in w]
        if len(words) < 3:
            continue
        real = [w for w in rng.permutation(words).tolist() if lexicon.frequency(w) > 0]
        other = [w for w in rng.permutation(words).tolist() if w not in real]
        picked = (real + other)[:3]
        variants = [dict(meta)]
        for word in picked:
            letter = word[at]
            variant = {**meta, "word": _respell(form, plain, at, letter)}
            if plain_key in meta:
                variant[plain_key] = word
            variants.append(variant)
        return variants
    return None


ROOT_CANDIDATES = 3000  # most frequent running-text words considered as roots (besides the hand-checked ones)


@lru_cache(maxsize=1)
def root_pool() -> tuple[str, ...]:
    """Roots with at least four trusted, attested forms: the hand-checked roots and the frequent
    dictionary headwords that are not themselves affixed."""
    lexicon = Lexicon.default()
    plain = re.compile(r"^[a-z]{3,10}$")
    frequent = {w for w in lexicon.words[:ROOT_CANDIDATES] if w in lexicon.roots and plain.match(w)
                and not analyze(w)[0].is_affixed}
    hand = {r for r in lexicon.hand_roots if plain.match(r)}
    candidates = sorted((frequent | hand) - lexicon.function_words)
    return tuple(r for r in candidates if len(forms_of(r)) >= 4)


@lru_cache(maxsize=1 << 14)
def forms_of(root: str) -> dict[str, str]:
    """Spec -> form, for every spec of ``FORM_SPECS`` whose form of ``root`` is trusted, attested,
    analysed back to ``root`` with exactly that affix, and distinct from the other forms."""
    out: dict[str, str] = {}
    for spec in FORM_SPECS:
        try:
            form = inflect(root, spec)
        except ParameterError:
            continue
        # attested() first: a dictionary lookup, where distrust() runs the analyzer
        if form == root or form in out.values() or not attested(form) or distrust(form) is not None:
            continue
        best = analyze(form)[0]
        if best.root == root and affix_name(best) == spec:
            out[spec] = form
    return out


def affix_set(meta: Meta, rng: np.random.Generator, key: str, specs: tuple[str, ...] = FORM_SPECS,
              avoid: str | None = None) -> list[Meta] | None:
    """Four inputs that differ only in ``meta[key]``: four specs with forms of ``meta["root"]``."""
    forms = forms_of(meta["root"])
    usable = [s for s in specs if s in forms and s != avoid]
    if len(usable) < 4:
        return None
    chosen = rng.choice(usable, size=4, replace=False).tolist()
    return [{**meta, key: spec} for spec in chosen]


def word_forms(meta: Meta, rng: np.random.Generator) -> list[Meta] | None:
    """Four inputs ``{word: form, root}``: the root's forms under four affixes with distinct names."""
    forms = forms_of(meta["root"])
    if len(forms) < 4:
        return None
    chosen = rng.choice(sorted(forms), size=4, replace=False).tolist()
    return [{**meta, "word": forms[spec]} for spec in chosen]


def compare_variants(meta: Meta, rng: np.random.Generator) -> list[Meta] | None:
    """For each listed word, a letter and a mode (most / fewest / exactly n) that make it the one
    answer: the four nearby questions over the same four words."""
    words = meta["words"]
    out = []
    for target in range(len(words)):
        letters = sorted({c for w in words for c in w})
        found = None
        for char in rng.permutation(letters).tolist():
            counts = [w.count(char) for w in words]
            modes = []
            if counts[target] == max(counts) and counts.count(max(counts)) == 1:
                modes.append({"mode": "most"})
            if counts[target] == min(counts) and counts.count(min(counts)) == 1:
                modes.append({"mode": "fewest"})
            if counts[target] > 0 and counts.count(counts[target]) == 1:
                modes.append({"mode": "exactly", "n": counts[target]})
            if modes:
                found = {"words": list(words), "char": char, **modes[int(rng.integers(0, len(modes)))]}
                break
        if found is None:
            return None
        out.append(found)
    return out


REDUP_SPECS = ("nag-+R", "mag-+R", "-um-+R", "ma-+R", "i-+R", "pag-+R", "maka-+R", "naka-+R", "ka-+R")


@lru_cache(maxsize=4)
def redup_forms(roots: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(form, reduplicated syllable) of the roots' reduplicated forms that are trusted and attested."""
    out = []
    for root in roots:
        for spec in REDUP_SPECS:
            try:
                form = inflect(root, spec)
            except ParameterError:
                continue
            best = analyze(form)[0]
            if best.root == root and best.reduplication and distrust(form) is None and attested(form):
                out.append((form, best.reduplication))
    return tuple(sorted(set(out)))


def redup_variants(meta: Meta, rng: np.random.Generator, index: tuple[tuple[str, str], ...]) -> list[Meta] | None:
    """The word and three other reduplicated words whose reduplicated syllables differ from it and
    from each other ("which syllable is reduplicated" asked of a nearby word)."""
    own = analyze(meta["word"])[0].reduplication
    picked: dict[str, str] = {own: meta["word"]}
    for k in rng.permutation(len(index)).tolist():
        form, redup = index[k]
        if redup not in picked:
            picked[redup] = form
        if len(picked) == 4:
            return [{**meta, "word": form} for form in picked.values()]
    return None
