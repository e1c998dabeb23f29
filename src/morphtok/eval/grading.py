"""Score a group of items into records: MCQ predictions with their controls, GEN matches.

Per MCQ item the options are scored after the question (``logprobs``) and after the neutral
prompt with the question removed (``logprobs_blind``, the question-blind control). In text mode
the neutral prompt is the same for every item, so each distinct option string of a file's evaluated
items is scored once (:func:`neutral_table`): the sorted strings in fixed chunks after the one
shared neutral prompt, a short row each. The table depends only on the evaluated items, never on
the order they are met in, so a resumed run (which starts mid-file) computes the same numbers.
In letter mode the blind prompt lists the item's options, so it is scored per item. Predictions: ``prediction`` (argmax of logprobs), ``prediction_norm`` (per
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

NEUTRAL_CHUNK = 64  # option strings per batched pass after the neutral prompt


def neutral_scores(scorer: ScoringModel, options: list[str]) -> dict[str, float]:
    """log p(option | neutral prompt) of each distinct option string: sorted, in fixed chunks."""
    distinct = sorted(set(options))
    out: dict[str, float] = {}
    for at in range(0, len(distinct), NEUTRAL_CHUNK):
        chunk = distinct[at : at + NEUTRAL_CHUNK]
        out.update(zip(chunk, scorer.score_many([(NEUTRAL_PROMPT, chunk)])[0], strict=True))
    return out


def neutral_table(scorer: ScoringModel, items: list[Item], style: str) -> dict[str, float]:
    """The text-mode control's scores for every option string of ``items`` (empty in letter mode)."""
    if style != "text":
        return {}
    return neutral_scores(scorer, [o for item in items if item.format == "mcq" for o in choices(item, style)])


def blind_scores(scorer: ScoringModel, mcq: list[Item], style: str, table: dict[str, float]) -> dict[str, list[float]]:
    """Per item, its options' scores after the question-blind prompt (text mode: from ``table``)."""
    if style == "text":
        missing = [o for item in mcq for o in choices(item, style) if o not in table]
        if missing:
            table.update(neutral_scores(scorer, missing))
        return {item.id: [table[o] for o in choices(item, style)] for item in mcq}
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


def score_group(scorer: ScoringModel, group: list[Item], pool: dict, settings,
                neutral: dict[str, float] | None = None) -> list[dict]:
    """Records for a group of items: the MCQ items' options share batched forward passes
    (``neutral``: the file's :func:`neutral_table`)."""
    style, shots = settings.mcq_style, {}
    for item in group:
        k = settings.num_fewshot if item.format == "mcq" else settings.gen_fewshot
        shots[item.id] = shots_for(item, pool, k, settings.seed)
    prompts = {item.id: build_prompt(item, shots[item.id], style) for item in group}
    mcq = [item for item in group if item.format == "mcq"]
    sums = dict(zip([i.id for i in mcq], scorer.score_many([(prompts[i.id], choices(i, style)) for i in mcq]),
                    strict=True))
    blind = blind_scores(scorer, mcq, style, {} if neutral is None else neutral) if mcq else {}
    records = []
    for item in group:
        record = {"id": item.id, "family": item.family, "subtask": item.subtask, "level": item.level,
                  "format": item.format, "prompt": item.prompt_in("en"), "gold": item.answer,
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
