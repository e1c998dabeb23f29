"""Rule-based Tagalog morphological analyzer: ``analyze(word) -> list[Analysis]``.

Pipeline for one word:

1. **Normalise** (:mod:`~morphtok.lang.fil.normalise`): NFC, soft hyphens and other
   invisible characters dropped; spans are mapped back, so every morpheme's
   ``start``/``end`` index the word as given and the texts reassemble it exactly.
2. **Closed lists**: function words and curated monomorphemic look-alikes
   (``data/monomorphemic.txt``: pamilya, babala, Manila...) stay whole; so does a
   capitalised word in the middle of a sentence (``mid_sentence=True``: a name).
3. **Parse** (:mod:`~morphtok.lang.fil.parser`): every decomposition whose root is
   attested, a function word inside an affixed word (na|wala), a guessed
   Tagalog-shaped root with paradigm evidence, or an English loan (nag-|commit); an
   English plural (event|s) when the word is no Tagalog form.
4. **Linker** -ng/-g (after a vowel / after n) is a clitic morpheme of its own
   (ma|ganda|ng, bulkan|g); the word is also parsed without it and the better reading wins.
5. **Rank** (:mod:`~morphtok.lang.fil.ranking`): paradigm evidence, phonology and
   over-analysis penalties; the unanalysed word is always a candidate. The best
   analysis gets a calibrated ``confidence`` and ``confident`` flag.

Results are cached per word type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

from morphtok.lang.fil import ranking
from morphtok.lang.fil.guesser import english_plural
from morphtok.lang.fil.lexicon import Lexicon
from morphtok.lang.fil.normalise import WORD, is_name_like, needs_normalising, normalise
from morphtok.lang.fil.parser import ATTESTED, ENGLISH, Parse, Parser

_MAX_LEN = 40
_KEEP = 4  # ranked analyses kept per word
_VOWELS = frozenset("aeiouáéíóúàèìòùâêîôû")


@dataclass(frozen=True, slots=True)
class Morpheme:
    text: str
    type: str  # prefix | infix | suffix | root | redup | clitic
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"text": self.text, "type": self.type, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Analysis:
    word: str
    root: str
    prefixes: tuple[str, ...] = ()
    infixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    reduplication: str | None = None
    morphemes: tuple[Morpheme, ...] = field(default=())
    score: float = 0.0
    confident: bool = False
    confidence: float = 0.0
    kind: str = ""  # the root's kind (attested, function, evidenced, english); "" when unanalysed
    clitic: str | None = None  # the linker -ng/-g

    @property
    def boundaries(self) -> list[int]:
        """Internal character offsets where one morpheme ends and the next starts."""
        return [m.start for m in self.morphemes[1:]]

    @property
    def is_affixed(self) -> bool:
        return bool(self.prefixes or self.infixes or self.suffixes or self.reduplication or self.clitic)

    def to_dict(self) -> dict:
        return {
            "word": self.word, "root": self.root, "prefixes": list(self.prefixes), "infixes": list(self.infixes),
            "suffixes": list(self.suffixes), "reduplication": self.reduplication, "clitic": self.clitic,
            "morphemes": [m.to_dict() for m in self.morphemes], "score": round(self.score, 4),
            "confidence": round(self.confidence, 4), "confident": self.confident, "kind": self.kind,
        }


def unanalysed(word: str, score: float = 0.0) -> Analysis:
    morphemes = (Morpheme(word, "root", 0, len(word)),) if word else ()
    return Analysis(word=word, root=word.lower(), morphemes=morphemes, score=score)


def analyze(word: str, mid_sentence: bool = False) -> list[Analysis]:
    """Ranked analyses of ``word`` (best first; never empty).

    ``mid_sentence``: the word stands inside a sentence, so a capitalised one is a name.
    """
    return list(_analyze_cached(word, mid_sentence and is_name_like(word)))


@lru_cache(maxsize=1 << 18)
def _analyze_cached(word: str, as_name: bool) -> tuple[Analysis, ...]:
    if as_name or not word or len(word) > _MAX_LEN or WORD.fullmatch(word) is None:
        return (unanalysed(word, score=100.0 if as_name else 0.0),)
    norm = normalise(word) if needs_normalising(word) else None
    text = norm.text if norm is not None else word
    lower = text.lower()
    if len(lower) != len(text):
        return (unanalysed(word),)
    ranked = _analyze_lower(lower)
    if norm is None and word == lower:  # every analysis of _analyze_lower(lower) is of the word lower
        return ranked
    return tuple(_to_word(a, word, norm) for a in ranked)


def _to_word(analysis: Analysis, word: str, norm) -> Analysis:
    """Re-anchor an analysis of the lower-cased normalised form onto ``word`` itself."""
    if norm is None and word == analysis.word:
        return analysis
    spans = [(m.start, m.end, m.type) for m in analysis.morphemes]
    if norm is not None:
        cuts = [0] + [norm.to_original(s) for _, s, _ in spans[:-1]] + [len(word)]
        spans = [(a, b, kind) for (a, b), (_, _, kind) in zip(zip(cuts, cuts[1:], strict=False), spans, strict=True)]
    morphemes = tuple(Morpheme(word[a:b], kind, a, b) for a, b, kind in spans)
    return Analysis(word, analysis.root, analysis.prefixes, analysis.infixes, analysis.suffixes,
                    analysis.reduplication, morphemes, analysis.score, analysis.confident, analysis.confidence,
                    analysis.kind, analysis.clitic)


@lru_cache(maxsize=1 << 18)
def _analyze_lower(w: str) -> tuple[Analysis, ...]:
    lexicon = Lexicon.default()
    if w in lexicon.function_words or w in lexicon.monomorphemic:
        return (unanalysed(w, score=100.0),)
    candidates = _candidates(w, lexicon)
    for base, linker in _linker_splits(w):
        if not (base in lexicon.counts or base in lexicon.roots or base in lexicon.function_words):
            continue  # a linker needs a word before it that running text or the dictionary knows
        bonus = _linker_bonus(lexicon, w, base, linker)
        for analysis in sorted(_candidates(base, lexicon), key=lambda a: -a.score)[:3]:
            candidates.append(_with_linker(analysis, w, linker, bonus))
    ranked = sorted(candidates, key=lambda a: (-a.score, len(a.morphemes), a.root))[:_KEEP]
    return tuple(_calibrate(ranked))


def _candidates(w: str, lexicon: Lexicon) -> list[Analysis]:
    """Unranked analyses of ``w`` without a linker: the whole word, its best parses, an English plural."""
    if w in lexicon.function_words or w in lexicon.monomorphemic:
        return [unanalysed(w, score=100.0)]
    if w in lexicon.irregular:
        return [_irregular(w, *lexicon.irregular[w])]
    parses = Parser(w, lexicon).parses()
    out = [unanalysed(w, score=ranking.whole_word_score(lexicon, w))]
    depth = ranking.depth_penalties(parses, lexicon, w)
    best: dict[tuple, tuple[float, Parse]] = {}
    for parse, penalty in zip(parses, depth, strict=True):
        score = ranking.parse_score(parse, lexicon, w) - penalty
        key = (parse.root, tuple([segment[0] for segment in parse.segments]), tuple(parse.prefixes),
               tuple(parse.suffixes))
        if key not in best or best[key][0] < score:
            best[key] = (score, parse)
    # Morpheme objects only for the strongest few: the rest never reach a caller.
    for score, parse in sorted(best.values(), key=lambda item: -item[0])[:_KEEP]:
        out.append(_from_parse(parse, w, score))
    singular = english_plural(w) if w not in lexicon.roots and lexicon.counts.get(w, 0) < 5 else None
    if singular is not None:
        cut = len(w) - (3 if singular.endswith("y") and w.endswith("ies") else 1)
        morphemes = (Morpheme(w[:cut], "root", 0, cut), Morpheme(w[cut:], "suffix", cut, len(w)))
        out.append(Analysis(w, singular, suffixes=(w[cut:],), morphemes=morphemes, score=0.9, kind=ENGLISH))
    return out


def _from_parse(parse: Parse, word: str, score: float) -> Analysis:
    morphemes = tuple(Morpheme(word[a:b], kind, a, b) for a, b, kind in parse.segments if b > a)
    return Analysis(word=word, root=parse.root, prefixes=tuple(parse.prefixes), infixes=tuple(parse.infixes),
                    suffixes=tuple(parse.suffixes), reduplication=parse.redup, morphemes=morphemes, score=score,
                    kind=parse.kind)


def _linker_splits(w: str) -> list[tuple[str, str]]:
    """(base, linker) readings: -ng after a vowel (maganda|ng), -g after n (bulkan|g)."""
    if len(w) < 5 or not w.endswith("ng") or w[-3] not in _VOWELS:
        return []
    return [(w[:-2], "ng"), (w[:-1], "g")]


def _irregular(w: str, root: str, segments: tuple[str, ...]) -> Analysis:
    morphemes, at = [], 0
    for index, piece in enumerate(segments):
        kind = "root" if index == (1 if len(segments) > 1 and segments[0] in ("ika",) else 0) else (
            "prefix" if index == 0 else "suffix")
        morphemes.append(Morpheme(piece, kind, at, at + len(piece)))
        at += len(piece)
    prefixes = tuple(m.text for m in morphemes if m.type == "prefix")
    suffixes = tuple(m.text for m in morphemes if m.type == "suffix")
    return Analysis(w, root, prefixes=prefixes, suffixes=suffixes, morphemes=tuple(morphemes), score=3.0, kind=ATTESTED)


def _linker_bonus(lexicon: Lexicon, word: str, base: str, linker: str) -> float:
    """Running text has the base as a word of its own far more often than a root ending in -ng
    (pangulo 557 vs pangulong 0; but tulo 6 vs tulong 270): the count ratio moves the linker reading."""
    per_million = 1e6 / lexicon.total
    ratio = math.log10(lexicon.counts.get(base, 0) * per_million + 1) - math.log10(
        lexicon.counts.get(word, 0) * per_million + 1)
    return 0.25 * ratio - (0.1 if linker == "ng" else 0.2)


def _with_linker(analysis: Analysis, word: str, linker: str, bonus: float) -> Analysis:
    cut = len(word) - len(linker)
    morphemes = (*analysis.morphemes, Morpheme(word[cut:], "clitic", cut, len(word)))
    kind = analysis.kind or ATTESTED
    if analysis.score >= 100:  # a function word or look-alike before the linker: wala|ng, pamilya|ng
        score = (1.6 if analysis.word in Lexicon.default().function_words else 1.5) + bonus
    else:
        score = analysis.score + bonus
    return replace(analysis, word=word, morphemes=morphemes, clitic=linker, score=score, kind=kind)


def _calibrate(ranked: list[Analysis]) -> list[Analysis]:
    best = ranked[0]
    best_boundaries = best.boundaries
    rivals = [a for a in ranked[1:] if a.boundaries != best_boundaries]
    margin = best.score - rivals[0].score if rivals else math.inf
    value = ranking.confidence(margin, best.kind)
    ranked[0] = Analysis(best.word, best.root, best.prefixes, best.infixes, best.suffixes, best.reduplication,
                         best.morphemes, best.score, best.is_affixed and value >= ranking.CONFIDENT, value, best.kind,
                         best.clitic)
    return ranked
