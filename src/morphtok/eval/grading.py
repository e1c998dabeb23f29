"""Score a group of items into records: MCQ predictions with their controls, GEN matches.

Per MCQ item the options are scored after the question (``logprobs``) and after the neutral
prompt with the question removed (``logprobs_blind``, the question-blind control). In text mode
the neutral prompt is the same for every item, so its option scores are cached per option
string for the whole run (``BlindCache``): a control pass costs one short row per option string
never seen before. Predictions: ``prediction`` (argmax of logprobs), ``prediction_norm`` (per
character), ``prediction_blind`` and ``prediction_calibrated`` (argmax of logprobs minus
logprobs_blind). Ties are broken by the item's seeded generator, in that order.
"""

from __future__ import annotations

from morphtok.bench.schema import Item
from morphtok.bench.tasks2 import plain_word
from morphtok.eval.metrics import exact_match, lenient_match
from morphtok.eval.prompts import (
    NEUTRAL_PROMPT,
    blind_question,
    build_prompt,
    choices,
    item_rng,
    shots_for,
)
from morphtok.eval.scoring import ScoringModel, pick


class BlindCache:
    """log p(option | neutral prompt) per option string (text mode), computed once per run."""

    def __init__(self) -> None:
        self.scores: dict[str, float] = {}

    def fill(self, scorer: ScoringModel, options: list[str]) -> None:
        missing = sorted({o for o in options if o not in self.scores})
        if missing:
            self.scores.update(zip(missing, scorer.score_many([(NEUTRAL_PROMPT, missing)])[0], strict=True))


def _blind_scores(scorer: ScoringModel, mcq: list[Item], style: str, cache: BlindCache) -> dict[str, list[float]]:
    if style == "text":
        cache.fill(scorer, [o for item in mcq for o in choices(item, style)])
        return {item.id: [cache.scores[o] for o in choices(item, style)] for item in mcq}
    scores = scorer.score_many([(blind_question(item, style), choices(item, style)) for item in mcq])
    return dict(zip([i.id for i in mcq], scores, strict=True))


def _mcq_record(item: Item, scores: list[float], blind: list[float], seed: int, style: str) -> dict:
    options, rng = choices(item, style), item_rng(seed, item.id)
    norms = [s / max(len(o), 1) for s, o in zip(scores, options, strict=True)]
    calibrated = [s - b for s, b in zip(scores, blind, strict=True)]
    prediction, prediction_norm = pick(scores, rng), pick(norms, rng)
    prediction_blind, prediction_calibrated = pick(blind, rng), pick(calibrated, rng)
    record = {"options": item.options, "logprobs": scores, "logprobs_blind": blind, "prediction": prediction,
              "prediction_norm": prediction_norm, "prediction_blind": prediction_blind,
              "prediction_calibrated": prediction_calibrated}
    for suffix, value in (("", prediction), ("_norm", prediction_norm), ("_blind", prediction_blind),
                          ("_calibrated", prediction_calibrated)):
        record[f"correct{suffix}"] = value == item.answer_index
    if style == "letter":
        record["scored"] = options
    return record


def score_group(scorer: ScoringModel, group: list[Item], pool: dict, settings, cache: BlindCache) -> list[dict]:
    """Records for a group of items: the MCQ items' options share batched forward passes."""
    style, shots = settings.mcq_style, {}
    for item in group:
        k = settings.num_fewshot if item.format == "mcq" else settings.gen_fewshot
        shots[item.id] = shots_for(item, pool, k, settings.seed)
    prompts = {item.id: build_prompt(item, shots[item.id], style) for item in group}
    mcq = [item for item in group if item.format == "mcq"]
    sums = dict(zip([i.id for i in mcq], scorer.score_many([(prompts[i.id], choices(i, style)) for i in mcq]),
                    strict=True))
    blind = _blind_scores(scorer, mcq, style, cache) if mcq else {}
    records = []
    for item in group:
        record = {"id": item.id, "family": item.family, "subtask": item.subtask, "level": item.level,
                  "format": item.format, "prompt": item.prompt_en, "gold": item.answer,
                  "word": plain_word(item.metadata) or item.id}
        if shots[item.id]:
            record["shots"] = [shot.id for shot in shots[item.id]]
        if item.format == "mcq":
            record.update(_mcq_record(item, sums[item.id], blind[item.id], settings.seed, style))
        else:
            generated = scorer.generate_until([prompts[item.id]])[0]
            record.update(generated=generated, correct=exact_match(generated, item),
                          correct_lenient=lenient_match(generated, item))
        records.append(record)
    return records
