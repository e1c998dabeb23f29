"""Metrics of the evaluation summary: accuracies with 95% Wilson intervals, and GEN matching.

MCQ, per benchmark, subtask and level:
  acc                  argmax of the summed option log-probs after the question
  acc_norm             the same, divided by the option's length in characters (lm-eval)
  acc_question_blind   argmax after the neutral prompt with the question removed (a control:
                       what the option strings alone give; ``eval.prompts.NEUTRAL_PROMPT``)
  acc_calibrated       argmax of log p(option | question) - log p(option | neutral prompt)
GEN:
  exact_match          the generation, stripped of surrounding whitespace, equals the gold (or an
                       answer the item accepts: ``metadata["accept"]``, e.g. -hin for -in)
  lenient_match        see :func:`lenient_match`
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from morphtok.bench.schema import Item

_METRIC_FIELDS = {
    "mcq": (("acc", "correct"), ("acc_norm", "correct_norm"), ("acc_question_blind", "correct_blind"),
            ("acc_calibrated", "correct_calibrated")),
    "gen": (("exact_match", "correct"), ("lenient_match", "correct_lenient")),
}
_EDGE_PUNCTUATION = "\"'`.,;:!?()[]{}“”‘’«»"


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 0.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, float(centre - half)), min(1.0, float(centre + half)))


def normalise(text: str) -> str:
    """Lenient form: NFC, case-folded, surrounding whitespace and punctuation (quotes, a final
    period) removed, inner whitespace runs collapsed to one space. Hyphens are kept: -in- (infix)
    and -in (suffix) stay different answers."""
    text = unicodedata.normalize("NFC", text).casefold().strip()
    text = text.strip(_EDGE_PUNCTUATION + " \t")
    return re.sub(r"\s+", " ", text)


def item_input(item: Item) -> str | None:
    """The word the question hands the model (echoing it back earns no lenient credit)."""
    for key in ("word", "root"):
        value = item.metadata.get(key)
        if isinstance(value, str):
            return value
    return None


def exact_match(generated: str, item: Item) -> bool:
    answers = [item.answer, *item.metadata.get("accept", [])]
    return generated.strip() in answers


def lenient_match(generated: str, item: Item) -> bool:
    """Exact match, or equal after :func:`normalise` -- except an answer that merely echoes the
    input word (equal to it after normalising) when the gold differs from the input: casing,
    spelling and case tasks give no credit for copying the word."""
    if exact_match(generated, item):
        return True
    answers = {normalise(a) for a in [item.answer, *item.metadata.get("accept", [])]}
    answer = normalise(generated)
    given = item_input(item)
    if given is not None and answer == normalise(given) and item.answer != given:
        return False
    return answer in answers


def metrics(records: list[dict]) -> dict:
    """n, and per format present its metrics with 95% Wilson intervals (an earlier-format file
    may mix MCQ and GEN items; each metric is over its own items, counted in n_mcq/n_gen)."""
    out: dict = {"n": len(records)}
    by_format = {fmt: [r for r in records if r["format"] == fmt] for fmt in _METRIC_FIELDS}
    mixed = sum(bool(group) for group in by_format.values()) > 1
    for fmt, group in by_format.items():
        if not group:
            continue
        if mixed:
            out[f"n_{fmt}"] = len(group)
        for metric, field in _METRIC_FIELDS[fmt]:
            scored = [r for r in group if field in r]
            if not scored:
                continue
            hits = sum(bool(r[field]) for r in scored)
            out[metric] = hits / len(scored)
            out[f"{metric}_ci95"] = wilson(hits, len(scored))
    return out
