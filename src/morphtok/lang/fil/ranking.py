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
rival with different boundaries (capped at 3), and its root kind, to a probability
that the analysis is right: ``1 / (1 + exp(-(SLOPE * margin + INTERCEPT[kind])))``.
The constants are a logistic fit (:func:`fit_confidence`, L2 = 1) on 501 affixed
analyses of development data: the gold set (right = boundaries exact) and UD
Tagalog dev (right = root equals the gold lemma; UD's lemma conventions, e.g. *malaki*
kept whole, count as wrong, so the fit is pessimistic for attested roots). Reproduce
with ``python benchmarks/morph_accuracy.py --calibrate``; the benchmark also prints
the reliability table (confidence bin -> observed accuracy on UD dev). Only 2 guessed
(evidenced) and 1 English root occur there, so their intercepts lean on the prior.
An analysis is *confident* at confidence >= :data:`CONFIDENT`; Patok keeps
boundaries only from confident analyses.
"""

from __future__ import annotations

import math

from morphtok.lang.fil.lexicon import Lexicon
from morphtok.lang.fil.parser import ATTESTED, ENGLISH, EVIDENCED, FUNCTION, Parse

KIND_PENALTY = {ATTESTED: 0.0, FUNCTION: 0.3, ENGLISH: 0.5, EVIDENCED: 0.6}
# Logistic calibration (see module doc): slope on the margin, intercept per root kind.
SLOPE = 1.54
INTERCEPT = {ATTESTED: 0.91, FUNCTION: 0.22, ENGLISH: 0.17, EVIDENCED: -0.97, "": 0.91}
CONFIDENT = 0.6
DEPTH_SUPPORT = 0.15  # extra evidence a deeper root needs, as a share of the shallower one's


def evidence_score(lexicon: Lexicon, stem: str, word: str) -> float:
    per_million = max(lexicon.backing(stem, word), 0) * 1e6 / lexicon.total
    return 0.25 * math.log10(per_million + 1.0)


def whole_word_score(lexicon: Lexicon, word: str) -> float:
    return 0.5 + evidence_score(lexicon, word, word) if word in lexicon.roots else 0.0


def parse_score(parse: Parse, lexicon: Lexicon, word: str) -> float:
    score = 1.0 + evidence_score(lexicon, parse.root, word) - parse.penalty
    affixes = parse.affix_count
    if affixes > 1:  # (subtracting an exact 0.0 would leave the score as it is)
        score -= 0.05 * (affixes - 1)
    prefixes = parse.prefixes
    if len(prefixes) > 1:
        # magpa|pa|... is the reduplicated causative (mag|pa|pa|...), not two prefixes.
        score -= 0.3 * sum(1 for a, b in zip(prefixes, prefixes[1:], strict=False) if a != b and a.endswith(b))
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


def fit_confidence(samples: list[tuple[float, str, bool]], steps: int = 200) -> tuple[float, dict[str, float]]:
    """Logistic fit of ``correct ~ sigmoid(slope * margin + intercept[kind])`` (Newton steps, L2 = 1 so rare kinds stay near 0).

    ``samples``: (margin, root kind, analysis right?) of affixed best analyses on development data.
    """
    import numpy as np

    kinds = sorted({kind for _, kind, _ in samples})
    x = np.zeros((len(samples), 1 + len(kinds)))
    for row, (margin, kind, _) in enumerate(samples):
        x[row, 0] = min(margin, 3.0)
        x[row, 1 + kinds.index(kind)] = 1.0
    y = np.array([float(ok) for _, _, ok in samples])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + 1.0 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.eye(x.shape[1])
        w -= np.linalg.solve(hessian, grad)
    return float(w[0]), {kind: float(w[1 + i]) for i, kind in enumerate(kinds)}


def margin_of(analysis) -> float:
    """The margin behind an analysis's confidence (inverse of :func:`confidence`)."""
    value = min(max(analysis.confidence, 1e-9), 1 - 1e-9)
    return (math.log(value / (1 - value)) - INTERCEPT.get(analysis.kind, 0.0)) / SLOPE


def confidence(margin: float, kind: str) -> float:
    """Calibrated probability that the best analysis's boundaries are right (module doc)."""
    if math.isinf(margin):
        margin = 3.0
    return 1.0 / (1.0 + math.exp(-(SLOPE * margin + INTERCEPT.get(kind, 0.0))))
