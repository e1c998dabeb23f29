"""A one-subtask benchmark family: full reduplication (``word`` -> ``word-word``), prompts in YAML."""

from __future__ import annotations

from pathlib import Path

from morphtok.bench import family
from morphtok.bench import option_sets as sets
from morphtok.bench.subtask import Subtask


def _make(word: str, rng) -> dict | None:
    return {"word": word} if len(word) >= 4 and "-" not in word else None


def _reduplicated(meta: dict) -> str:
    return f"{meta['word']}-{meta['word']}"


TOY_AFFIX = family.define(
    "toy_affix", sizes={"mcq": 20, "gen": 10}, prompts=Path(__file__).with_name("toy_affix.yaml"),
    subtasks=[Subtask(name="reduplicate", make=_make, solve=_reduplicated, variants=sets.clique, checks={"changes"})])
