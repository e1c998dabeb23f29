"""Paired statistics on the same items, and intervals that respect items sharing a word.

Exact McNemar: over the items both models answered, the discordant pairs (b = only A right,
c = only B right) follow Binomial(b + c, 1/2) under the null; the two-sided p-value is
``binomtest(b, b + c, 0.5)``. The same test is used for MCQ acc and for GEN exact match (the
records' ``correct``). A comparison where both models are at 0, or both at 1, on the shared
items is *degenerate*: it is reported but not counted in Holm's step-down correction
(family-wise alpha) over the others.

``above_control``: one-sided exact McNemar of a model's own ``correct`` against a control on
the same items (``correct_blind``: the options scored with the question removed): is acc
significantly above acc_question_blind?

``cluster_bootstrap``: a percentile interval of the accuracy that resamples *words* (every item
built on one word moves together), since items sharing a word are not independent.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import numpy as np
from scipy.stats import binomtest


def mcnemar(correct_a: dict[str, bool], correct_b: dict[str, bool]) -> dict:
    shared = sorted(correct_a.keys() & correct_b.keys())
    b = sum(1 for k in shared if correct_a[k] and not correct_b[k])
    c = sum(1 for k in shared if correct_b[k] and not correct_a[k])
    p = binomtest(b, b + c, 0.5).pvalue if b + c else 1.0
    acc_a = sum(correct_a[k] for k in shared) / len(shared) if shared else 0.0
    acc_b = sum(correct_b[k] for k in shared) / len(shared) if shared else 0.0
    degenerate = bool(shared) and acc_a == acc_b and acc_a in (0.0, 1.0)
    return {"n": len(shared), "only_a": b, "only_b": c, "p_value": float(p), "acc_a": acc_a, "acc_b": acc_b,
            "degenerate": degenerate}


def above_control(correct: dict[str, bool], control: dict[str, bool]) -> dict:
    """One-sided exact McNemar: P(at least ``b`` wins of ``b + c`` discordant items | no difference)."""
    shared = sorted(correct.keys() & control.keys())
    b = sum(1 for k in shared if correct[k] and not control[k])
    c = sum(1 for k in shared if control[k] and not correct[k])
    p = binomtest(b, b + c, 0.5, alternative="greater").pvalue if b + c else 1.0
    difference = (b - c) / len(shared) if shared else 0.0
    return {"n": len(shared), "only_full": b, "only_blind": c, "difference": difference, "p_value": float(p)}


def holm(p_values: list[float], alpha: float = 0.05) -> list[bool]:
    """Which hypotheses Holm's procedure rejects at family-wise ``alpha``."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    reject = [False] * len(p_values)
    for rank, index in enumerate(order):
        if p_values[index] <= alpha / (len(p_values) - rank):
            reject[index] = True
        else:
            break
    return reject


def holm_non_degenerate(tests: list[dict], alpha: float = 0.05) -> list[bool | None]:
    """Holm over the tests that are not degenerate; None for a degenerate one (not counted)."""
    counted = [k for k, t in enumerate(tests) if not t["degenerate"]]
    rejected = holm([tests[k]["p_value"] for k in counted], alpha)
    out: list[bool | None] = [None] * len(tests)
    for k, verdict in zip(counted, rejected, strict=True):
        out[k] = verdict
    return out


def pairwise(per_model: dict[str, dict[str, bool]]) -> list[dict]:
    rows = []
    for a, b in combinations(sorted(per_model), 2):
        rows.append({"a": a, "b": b, **mcnemar(per_model[a], per_model[b])})
    return rows


def cluster_bootstrap(correct: dict[str, bool], clusters: dict[str, str], samples: int = 2000, seed: int = 0,
                      level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the accuracy, resampling clusters (words) with replacement."""
    if not correct:
        return (0.0, 0.0)
    groups: dict[str, list[bool]] = defaultdict(list)
    for item, right in correct.items():
        groups[clusters.get(item, item)].append(bool(right))
    hits = np.array([sum(g) for g in groups.values()], dtype=np.float64)
    sizes = np.array([len(g) for g in groups.values()], dtype=np.float64)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(hits), size=(samples, len(hits)))
    accuracies = hits[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    tail = (1 - level) / 2
    return (float(np.quantile(accuracies, tail)), float(np.quantile(accuracies, 1 - tail)))
