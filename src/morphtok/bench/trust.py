"""Which analyses a benchmark gold may rest on (generator 2.0).

A morphology item uses a word only when its analysis is trusted *and* independently
corroborated (:func:`distrust` gives the reason when not):

1. the analyzer's best analysis is ``confident`` (score margin) and the word is affixed;
2. the word is not a known monomorphemic look-alike (``Lexicon.default().monomorphemic``,
   the language data's curated list: pamilya, panganay, ...) nor in this package's list of
   words the analyzer gets wrong (``data/excluded_words.txt``, with the reason per word);
3. the root is attested as a standalone word in running text (:func:`standalone`);
4. the affixed form itself is attested in running text (:func:`attested`: taglid or wordfreq;
   the tglstemmer list alone is not enough, it holds generated forms);
5. no consonant-final prefix glued to a vowel-initial root without the hyphen standard
   spelling requires (magasin is a magazine, not mag- + asin);
6. the root does not itself read as affixed, unless it is a hand-checked root (kaugnayan is
   ka-...-an + ugnay, not kaugnay + -an; maiwasan is ma- + iwas + -an, not ma- + iwasan);
7. reduplication only as the analyzer finds it, CV or V (not CVC: sabsaban), together with
   another affix (a bare CV-CV word is usually one morpheme: babala, mamangha), and never
   where another candidate analysis reads the same letters as a prefix (kakahuyan: ka-).

``affix_name`` gives the canonical name of a single affix (``-in`` for -hin/-nin, ``-an``
for -han/-nan), the form GEN golds use.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from morphtok.lang.fil import Analysis, Lexicon, analyze
from morphtok.lang.fil.affixes import inventory
from morphtok.lang.fil.lexicon import _wordfreq

_VOWELS = "aeiou"
_CANONICAL_SUFFIX = {"han": "an", "nan": "an", "hin": "in", "nin": "in"}
EXCLUDED_PATH = Path(__file__).with_name("data") / "excluded_words.txt"


@lru_cache(maxsize=1)
def excluded_words() -> dict[str, str]:
    """Words the analyzer gets wrong, with the reason (``word<TAB>reason`` lines)."""
    out = {}
    for line in EXCLUDED_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, reason = line.partition("\t")
            out[word.strip().lower()] = reason.strip() or "excluded"
    return out


def monomorphemic() -> frozenset[str]:
    """The language data's monomorphemic look-alikes (empty until the lexicon ships the list)."""
    return frozenset(getattr(Lexicon.default(), "monomorphemic", ()) or ())


@lru_cache(maxsize=1)
def _prefix_forms() -> frozenset[str]:
    return frozenset(inventory().prefix_forms())


MIN_COUNT = 2  # taglid occurrences
MIN_WORDFREQ = 1e-6  # wordfreq relative frequency (Zipf 3)


def attested(word: str) -> bool:
    """Seen in running text: at least ``MIN_COUNT`` taglid occurrences, or (unhyphenated) a wordfreq
    frequency of at least ``MIN_WORDFREQ``.

    The tglstemmer list alone is not evidence: it holds generated forms (tagatao, manaon) that
    taglid counts once. wordfreq splits at hyphens, so it says nothing about ``nag-ayon``."""
    lexicon = Lexicon.default()
    if lexicon.counts.get(word, 0) >= MIN_COUNT:
        return True
    return "-" not in word and _wordfreq(word) >= MIN_WORDFREQ


def standalone(root: str) -> bool:
    """Seen on its own in running text (as :func:`attested`), or a hand-checked root."""
    return root in Lexicon.default().hand_roots or attested(root)


@lru_cache(maxsize=1 << 16)
def distrust(word: str) -> str | None:
    """Why a benchmark must not build on ``word``'s analysis; None when it may."""
    word = word.lower()
    candidates = analyze(word)
    best = candidates[0]
    if not best.is_affixed:
        return "not affixed"
    if not best.confident:
        return "analysis not confident"
    if word in monomorphemic():
        return "monomorphemic look-alike (language data)"
    if word in excluded_words():
        return f"excluded: {excluded_words()[word]}"
    if best.root in excluded_words():
        return f"excluded root '{best.root}': {excluded_words()[best.root]}"
    if not standalone(best.root):
        return f"root '{best.root}' not attested as a standalone word"
    inner = analyze(best.root)[0]
    if inner.is_affixed and best.root not in Lexicon.default().hand_roots:
        affixes = ", ".join((*inner.prefixes, *(f"-{i}-" for i in inner.infixes), *(f"-{s}" for s in inner.suffixes)))
        return f"root '{best.root}' itself reads as affixed ({inner.root} + {affixes})"
    if not attested(word):
        return "affixed form not attested in a word list"
    if best.prefixes and "-" not in word:
        last = best.prefixes[-1]
        if last[-1] not in _VOWELS and not last.endswith("ng") and best.root[:1] in _VOWELS:
            return "consonant-final prefix on a vowel-initial root without a hyphen"
    return _reduplication_problem(best, candidates)


def _reduplication_problem(best: Analysis, candidates: list[Analysis]) -> str | None:
    redup = best.reduplication
    if not redup or "-" in redup:
        return None
    if len(redup) > 2:
        return f"CVC reduplication '{redup}' (rare; usually part of the root)"
    if not (best.prefixes or best.infixes or best.suffixes):
        return f"bare reduplication '{redup}' without another affix (usually one morpheme)"
    if redup in _prefix_forms() and any(redup in a.prefixes for a in candidates[1:]):
        return f"'{redup}' also reads as the prefix {redup}-"
    return None


def trusted(word: str) -> Analysis | None:
    """The best analysis of ``word`` when :func:`distrust` finds nothing against it."""
    return None if distrust(word) else analyze(word.lower())[0]


def affix_name(analysis: Analysis) -> str | None:
    """Canonical name of the analysis's single affix (``nag-``, ``-um-``, ``-in``, ``ka-...-an``),
    None for no affix, a reduplication or more than one affix."""
    if analysis.reduplication:
        return None
    prefixes, infixes = analysis.prefixes, analysis.infixes
    suffixes = tuple(_CANONICAL_SUFFIX.get(s, s) for s in analysis.suffixes)
    if len(prefixes) + len(infixes) + len(suffixes) == 1:
        if prefixes:
            return f"{prefixes[0]}-"
        return f"-{infixes[0]}-" if infixes else f"-{suffixes[0]}"
    if len(prefixes) == 1 and len(suffixes) == 1 and not infixes:
        return f"{prefixes[0]}-...-{suffixes[0]}"
    return None


def surface_affix(analysis: Analysis) -> str | None:
    """The affix as written in this word (``-hin`` where the canonical name is ``-in``)."""
    name = affix_name(analysis)
    if name is None or not analysis.suffixes:
        return name
    return name.rsplit("-", 1)[0] + f"-{analysis.suffixes[-1]}"
