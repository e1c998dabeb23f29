"""Readers for the earlier public attempt's other families: cute, langgame,
multi_digit_addition (question/answer records) and stress.

Question/answer records (``{"question", "answer", "options"?, "task_type"?, "id"}``): the
question is the prompt, kept verbatim (these files carry their own instructions and examples),
with ``\\nAnswer:`` appended unless it already ends with ``:`` or ``=``. Leading spaces of the
answer and options (`` make``) are stripped: our scorer puts one space before every option.
The earlier files list the gold first, so the options are shuffled with a seed from the id.
The family is the file's (``cute_gen.jsonl`` -> cute); the subtask is ``task_type`` when given.

Stress records (``prompt_en``, ``word``, ``accented_form``, ``answer_en``/``answer``,
``options_en``/``options``): MCQ when options are given, else GEN; the accent fields are kept
in the metadata so :mod:`bench.recompute` can check the gold against the accent mark.
Our own generator has no stress family (no trustworthy accented lexicon); these files are
read so earlier results can be re-scored, and checked like any other file.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

from morphtok.bench.family import names as family_names
from morphtok.bench.schema import Item, prompts
from morphtok.errors import BenchmarkError

UPSTREAM_FAMILIES = ("cute", "langgame", "multi_digit_addition", "stress")


def family_of(path: Path) -> str:
    """The family a file's name says (longest match), else ``legacy``."""
    stem = path.stem.lower()
    names = sorted((*UPSTREAM_FAMILIES, *family_names()), key=len, reverse=True)
    return next((name for name in names if stem.startswith(name) or name in stem), "legacy")

def shuffled(options: list[str], key: str) -> list[str]:
    """The options in an order seeded by ``key`` (the earlier files list the gold first)."""
    seed = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    order = list(options)
    random.Random(seed).shuffle(order)
    return order


def _verbatim_prompt(question: str) -> str:
    text = question.rstrip()
    return text if text.endswith((":", "=")) else f"{text}\nAnswer:"


def from_question(record: dict[str, Any], path: Path, where: str) -> Item:
    family = family_of(path)
    item_id = str(record.get("id") or f"{path.stem}-{where.rsplit(':', 1)[-1]}")
    question, answer = record["question"], record["answer"]
    if not isinstance(question, str) or not isinstance(answer, (str, int)):
        raise BenchmarkError(f"{family} record: 'question' must be text and 'answer' text or a number", where=where)
    answer = str(answer).strip()
    metadata = {"legacy": family, "source": where, "verbatim_prompt": True}
    subtask = str(record.get("task_type") or record.get("subtask") or family)
    common = dict(id=item_id, family=family, subtask=subtask, prompt=prompts(_verbatim_prompt(question)))
    options = record.get("options")
    if options is None:
        return Item(**common, answer=answer, format="gen", metadata=metadata)
    if not isinstance(options, list) or not options:
        raise BenchmarkError(f"{family} record: 'options' must be a non-empty list", where=where)
    original = [str(o).strip() for o in options]
    if answer not in original:
        raise BenchmarkError(f"{family} record: answer {answer!r} is not one of the options {original}", where=where)
    order = shuffled(original, item_id)
    metadata["legacy_options"] = original
    return Item(**common, answer=answer, format="mcq", options=order, answer_index=order.index(answer),
                metadata=metadata)


def from_stress(record: dict[str, Any], path: Path, where: str) -> Item:
    item_id = str(record.get("id") or f"{path.stem}-{where.rsplit(':', 1)[-1]}")
    answer = record.get("answer_en", record.get("answer"))
    if answer is None:
        raise BenchmarkError("stress record: no 'answer_en' or 'answer'", where=where)
    metadata: dict[str, Any] = {"legacy": "stress", "source": where}
    for key in ("word", "accented_form", "stress_index", "stress_type", "syllables", "context"):
        if key in record:
            metadata[key] = record[key]
    common = dict(id=item_id, family="stress", subtask=str(record.get("subcategory") or "stress"),
                  prompt=prompts(str(record["prompt_en"]), str(record.get("prompt_tl", ""))))
    options = record.get("options_en", record.get("options"))
    if not options:
        return Item(**common, answer=str(answer), format="gen", metadata=metadata)
    options = [str(o) for o in options]
    if str(answer) not in options:
        raise BenchmarkError(f"stress record: answer {answer!r} is not one of the options {options}", where=where)
    # Options in a fixed, meaningful order (1st, 2nd, 3rd; the four stress types): kept as given.
    return Item(**common, answer=str(answer), format="mcq", options=options, answer_index=options.index(str(answer)),
                metadata=metadata)
