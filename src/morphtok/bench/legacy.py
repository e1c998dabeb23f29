"""Readers for the earlier public benchmark formats, so old files can be evaluated.

Two shapes are accepted besides our own schema (``schema.Item``):

PACUTE (one item per line)::

    {"prompts": [{"text_en": ..., "text_tl": ...,
                  "mcq_options": {"correct": ..., "incorrect1": ..., "incorrect2": ..., "incorrect3": ...}}],
     "label": ..., "category": ..., "subcategory": ...}

  A prompt with ``mcq_options`` becomes an MCQ item whose gold is ``correct``; a prompt
  without becomes a GEN item whose gold is ``label``. The earlier files list the correct
  option first, so we put the options in a shuffle seeded by the item's id: in letter
  mode, a fixed "A" would otherwise be the answer to every item. The original order is
  kept in ``metadata["legacy_options"]``.

Hierarchical::

    {"level": 2, "prompt_en": ..., "prompt_tl": ..., "options": [...], "answer": ...}

  The gold is the ``answer`` field (the earlier evaluator took ``options[0]``, which was
  wrong for most items). ``answer`` is the option text (or, failing that, its index). Without
  ``options`` the item is GEN.

Legacy items carry no rule inputs, so the validator cannot recompute their answers; it
still checks options, positions, leaks and duplicates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from morphtok.bench import upstream
from morphtok.bench.family import names as family_names
from morphtok.bench.schema import Item, prompts
from morphtok.bench.upstream import shuffled
from morphtok.errors import BenchmarkError

_INCORRECT_KEYS = ("incorrect1", "incorrect2", "incorrect3", "incorrect4")


_STRESS_KEYS = ("context", "accented_form", "stress_index", "stress_type")


def detect(record: dict[str, Any]) -> str:
    """``"morphtok"`` (our schema), ``"pacute"``, ``"question"`` (cute, langgame,
    multi_digit_addition), ``"stress"``, ``"hierarchical"``, or ``"unknown"``."""
    if "format" in record and "family" in record:
        return "morphtok"
    if "prompts" in record:
        return "pacute"
    if "question" in record and "answer" in record:
        return "question"
    if "prompt_en" in record and any(k in record for k in _STRESS_KEYS):
        return "stress"
    if "prompt_en" in record and "answer" in record:
        return "hierarchical"
    return "unknown"


def from_prompt_fields(record: dict[str, Any]) -> dict[str, Any]:
    """Our generator 1.x shape (the prompt as ``prompt_en``/``prompt_tl`` fields) as a record of
    the current schema (``prompt``: language code -> text)."""
    record = dict(record)
    record["prompt"] = prompts(str(record.pop("prompt_en", "")), str(record.pop("prompt_tl", "") or ""))
    return record


def from_record(record: dict[str, Any], path: Path, lineno: int) -> list[Item]:
    """Convert one legacy record into our items (a PACUTE line may hold several prompts)."""
    kind = detect(record)
    where = f"{path}:{lineno}"
    if kind == "pacute":
        return _from_pacute(record, path, lineno, where)
    if kind == "hierarchical":
        return [_from_hierarchical(record, path, lineno, where)]
    if kind == "question":
        return [upstream.from_question(record, path, where)]
    if kind == "stress":
        return [upstream.from_stress(record, path, where)]
    family = upstream.family_of(path)
    raise BenchmarkError(f"{family} record of an unknown shape (keys: {', '.join(sorted(record)) or 'none'}): not read; "
                         "known shapes are morphtok items, PACUTE (prompts), question/answer (cute, langgame, "
                         "multi_digit_addition), stress and hierarchical (prompt_en/answer)", where=where)


def _family_from(record: dict[str, Any], path: Path) -> str:
    for key in ("family", "category", "task_type"):
        value = str(record.get(key, "")).lower()
        if value in family_names():
            return value
    stem = path.stem.lower()
    return next((f for f in family_names() if f in stem), "legacy")



def _from_pacute(record: dict[str, Any], path: Path, lineno: int, where: str) -> list[Item]:
    entries = record.get("prompts")
    if not isinstance(entries, list) or not entries:
        raise BenchmarkError("PACUTE record has no prompts", where=where)
    family = _family_from(record, path)
    subtask = str(record.get("subcategory") or record.get("subtask") or record.get("task") or "legacy")
    base_id = str(record.get("id") or f"{path.stem}-{lineno}")
    items = []
    for k, prompt in enumerate(entries):
        if "text_en" not in prompt:
            raise BenchmarkError(f"PACUTE prompt {k} has no text_en", where=where)
        item_id = base_id if len(entries) == 1 else f"{base_id}-{k}"
        common = dict(id=item_id, family=family, subtask=subtask, prompt=prompts(prompt["text_en"], prompt.get("text_tl", "")),
                      level=record.get("level"))
        choices = prompt.get("mcq_options")
        if choices:
            if "correct" not in choices:
                raise BenchmarkError(f"PACUTE prompt {k}: mcq_options has no 'correct'", where=where)
            original = [str(choices["correct"])] + [str(choices[c]) for c in _INCORRECT_KEYS if c in choices]
            options = shuffled(original, item_id)
            answer = str(choices["correct"])
            items.append(Item(**common, answer=answer, format="mcq", options=options,
                              answer_index=options.index(answer),
                              metadata={"legacy": "pacute", "legacy_options": original, "source": where}))
        else:
            if "label" not in record:
                raise BenchmarkError(f"PACUTE prompt {k} has neither mcq_options nor a label", where=where)
            items.append(Item(**common, answer=str(record["label"]), format="gen",
                              metadata={"legacy": "pacute", "source": where}))
    return items


def _from_hierarchical(record: dict[str, Any], path: Path, lineno: int, where: str) -> Item:
    level = record.get("level")
    item_id = str(record.get("id") or f"{path.stem}-{lineno}")
    subtask = str(record.get("subtask") or record.get("subcategory") or record.get("task") or f"level{level}")
    options = record.get("options")
    answer = record["answer"]
    metadata = {"legacy": "hierarchical", "source": where}
    # The rule's inputs the earlier files carry, for our recomputation of their golds (bench.recompute).
    if isinstance(record.get("word"), str):
        metadata["word"] = record["word"]
    if isinstance(record.get("metadata"), dict):
        metadata["upstream"] = record["metadata"]
    common = dict(id=item_id, family="hierarchical", subtask=subtask, level=level,
                  prompt=prompts(record["prompt_en"], record.get("prompt_tl", "")))
    if not options:
        return Item(**common, answer=str(answer), format="gen", metadata=metadata)
    options = [str(o) for o in options]
    # The earlier files store the gold text; an integer is read as an index only when
    # it is not itself one of the options (counting tasks have numeric options).
    if str(answer) in options:
        index = options.index(str(answer))
    elif isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < len(options):
        index = answer
    else:
        raise BenchmarkError(f"answer {answer!r} is not one of the options {options}", where=where)
    return Item(**common, answer=options[index], format="mcq", options=options, answer_index=index,
                metadata=metadata)
