"""Scoring candidate parses, the over-analysis guards, and the calibrated confidence.

Score of a parse (higher is better)::

    1 + 0.25 * log10(evidence(root) per million + 1)     paradigm evidence, not the root string's count
      - phonology penalties (reconstructed vowels, fused nasals, d -> r, g-final prefix without hyphen)
      - 0.05 per affix beyond the first
      - root kind: function word 0.3, English loan 0.5 (0.1 when hyphenated), guessed 0.6
      + 0.5 for a hand-checked root
      - 0.4 when the paradigm does not support going deeper (see :func:`depth_penalties`)

The unanalysed word scores 0.5 + 0.25 * log10(evidence per million + 1) when it is a
dictionary headword (else 0), so names and particles with no analysis stay whole.

Confidence (:func:`confidence`) maps the best analysis's margin over its strongest
rival with different boundaries, and its root kind, to a probability that its
boundaries are right: ``1 / (1 + exp(-(a * margin + b[kind])))``. ``a`` and ``b`` were
fitted (logistic regression, once, by hand-run script) on the bundled gold set and on
UD Tagalog dev lemmas together, and ``benchmarks/morph_accuracy.py`` prints the
reliability table (confidence bin -> observed accuracy) on each set, so a drift shows.
An analysis is *confident* at confidence >= :data:`CONFIDENT`; Patok keeps boundaries
only from confident analyses.
"""

from __future__ import annotations

import math

from morphtok.lang.fil.lexicon import Lexicon
from morphtok.lang.fil.parser import ATTESTED, ENGLISH, EVIDENCED, FUNCTION, Parse

KIND_PENALTY = {ATTESTED: 0.0, FUNCTION: 0.3, ENGLISH: 0.5, EVIDENCED: 0.6}
# Logistic calibration (see module doc): slope on the margin, intercept per root kind.
SLOPE = 3.0
INTERCEPT = {ATTESTED: 0.6, FUNCTION: 0.2, ENGLISH: 0.2, EVIDENCED: -0.4, "": 0.6}
CONFIDENT = 0.6
DEPTH_SUPPORT = 0.15  # extra evidence a deeper root needs, as a share of the shallower one's


def evidence_score(lexicon: Lexicon, stem: str, word: str) -> float:
    per_million = max(lexicon.backing(stem, word), 0) * 1e6 / lexicon.total
    return 0.25 * math.log10(per_million + 1.0)


def whole_word_score(lexicon: Lexicon, word: str) -> float:
    return 0.5 + evidence_score(lexicon, word, word) if word in lexicon.roots else 0.0


def parse_score(parse: Parse, lexicon: Lexicon, word: str) -> float:
    score = 1.0 + evidence_score(lexicon, parse.root, word) - parse.penalty
    score -= 0.05 * max(0, parse.affix_count - 1)
    # magpa|pa|... is the reduplicated causative (mag|pa|pa|...), not two prefixes.
    score -= 0.3 * sum(1 for a, b in zip(parse.prefixes, parse.prefixes[1:], strict=False) if a != b and a.endswith(b))
    penalty = KIND_PENALTY[parse.kind]
    if parse.kind == ENGLISH and "-" in word:
        penalty = 0.1  # nag-|commit, i-|share: the hyphen marks the loan root
    score -= penalty
    if parse.root in lexicon.hand_roots:
        score += 0.5
    return score


def depth_penalties(parses: list[Parse], lexicon: Lexicon, word: str) -> list[float]:
    """Word-vs-root test: a root inside a shallower attested stem (iwas inside iwasan, bala inside
    babala) must explain clearly more running text than that stem, else its parse loses 0.4.

    The shallower stems are the word itself (when it is a headword) and the other parses' roots.
    """
    shallow = {p.root for p in parses if p.kind == ATTESTED}
    if word in lexicon.roots:
        shallow.add(word)
    out = []
    for parse in parses:
        penalty = 0.0
        for stem in shallow:
            if len(stem) > len(parse.root) and parse.root[:2] in stem:
                base = max(lexicon.backing(stem, word), 1)
                if lexicon.backing(parse.root, word) - base < DEPTH_SUPPORT * base:
                    penalty = 0.4
                    break
        out.append(penalty)
    return out


def confidence(margin: float, kind: str) -> float:
    """Calibrated probability that the best analysis's boundaries are right (module doc)."""
    if math.isinf(margin):
        margin = 3.0
    return 1.0 / (1.0 + math.exp(-(SLOPE * margin + INTERCEPT.get(kind, 0.0))))
