"""Paired significance between models on the same items.

Exact McNemar: over the items both models answered, the discordant pairs
(b = only A right, c = only B right) follow Binomial(b + c, 1/2) under the null;
the two-sided p-value is ``binomtest(b, b + c, 0.5)``. Across all model pairs
and benchmarks we apply Holm's step-down correction (family-wise alpha).
"""

from __future__ import annotations

from itertools import combinations

from scipy.stats import binomtest


def mcnemar(correct_a: dict[str, bool], correct_b: dict[str, bool]) -> dict:
    shared = sorted(correct_a.keys() & correct_b.keys())
    b = sum(1 for k in shared if correct_a[k] and not correct_b[k])
    c = sum(1 for k in shared if correct_b[k] and not correct_a[k])
    p = binomtest(b, b + c, 0.5).pvalue if b + c else 1.0
    return {"n": len(shared), "only_a": b, "only_b": c, "p_value": float(p)}


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


def pairwise(per_model: dict[str, dict[str, bool]]) -> list[dict]:
    rows = []
    for a, b in combinations(sorted(per_model), 2):
        rows.append({"a": a, "b": b, **mcnemar(per_model[a], per_model[b])})
    return rows
