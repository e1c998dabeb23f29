"""The tokenization arms as processors on token ids, and their registry.

A processor takes text (or the tokenizer's canonical ids for it) and a
per-document random generator, and returns the ids that go to disk. Processors
never add BOS/EOS (the data pipeline does) and never decode and re-encode: the
ids they return are exactly what the model trains on.

Randomness is per document: :func:`document_rng` derives a generator from
(study seed, arm, document key) by hashing, so a document's ids never depend
on which worker or shard processed it.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from morphtok.errors import ParameterError
from morphtok.registry import Registry
from morphtok.segment.tokenizer import Tokenizer


@dataclass(frozen=True)
class ArmThroughput:
    """What ``study plan`` assumes of an arm: measured numbers, each with where it comes from."""

    tokens_per_s_per_worker: float  # preprocess throughput of one worker, its encode included
    expansion: float  # tokens added relative to the canonical encoding (preprocess stats)
    source: str = "assumed"


class Processor(ABC):
    """One tokenization arm: ``process(text_or_ids, rng) -> ids``.

    Besides :meth:`process`, an arm declares what the rest of morphtok derives from it:
    ``label`` (report tables and plots), ``job_name`` (cluster job and dataset directory
    names; the seed calls the baseline "vanilla") and ``throughput`` (the plan's estimate).
    """

    name: str = "processor"
    label: str = ""  # "" = name
    job_name: str = ""  # "" = name
    throughput: ArmThroughput = ArmThroughput(tokens_per_s_per_worker=368_000, expansion=0.1,
                                              source="assumed: as slow as Patok until measured")

    def __init__(self, tokenizer: Tokenizer, **params: Any):
        self.tokenizer = tokenizer
        if params:
            raise ParameterError(
                f"arm '{self.name}' takes no parameter(s) {', '.join(sorted(params))}",
                hint=f"parameters of '{self.name}': {', '.join(self.params()) or 'none'}",
            )

    def canonical_ids(self, text_or_ids: str | Sequence[int] | np.ndarray) -> np.ndarray:
        """The tokenizer's own encoding, as an int64 array."""
        if isinstance(text_or_ids, str):
            return np.asarray(self.tokenizer.encode(text_or_ids), dtype=np.int64)
        return np.asarray(text_or_ids, dtype=np.int64).reshape(-1)

    @abstractmethod
    def process(self, text_or_ids: str | Sequence[int] | np.ndarray, rng: np.random.Generator) -> list[int]:
        """The ids of this arm for one document (no BOS/EOS)."""

    def params(self) -> dict[str, Any]:
        """The arm's parameters, as recorded in dataset stats."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"


# Arms are entry points of the group ``morphtok.arms`` (the built-ins in pyproject.toml).
PROCESSORS: Registry[type[Processor]] = Registry("tokenization arm", Processor, group="morphtok.arms")
# The seed's job names call the baseline arm "vanilla".
ALIASES = {"vanilla": "baseline"}


def processor_class(name: str) -> type[Processor]:
    """The arm registered as ``name`` (``baseline``, ``stochastok``, ``patok``; ``vanilla`` = baseline)."""
    return PROCESSORS.get(ALIASES.get(name, name))


def build_processor(name: str, tokenizer: Tokenizer, **params: Any) -> Processor:
    """Instantiate the arm registered as ``name``."""
    return processor_class(name)(tokenizer, **params)


STUDY_ORDER = ("baseline", "stochastok", "patok")


def arm_names() -> list[str]:
    """Registered arms, the study's three first in their canonical order."""
    names = PROCESSORS.names()
    return [n for n in STUDY_ORDER if n in names] + [n for n in names if n not in STUDY_ORDER]


def document_rng(seed: int, arm: str, doc_key: str | int) -> np.random.Generator:
    """A generator that depends only on (seed, arm, document key)."""
    digest = hashlib.blake2b(f"{int(seed)}\x1f{arm}\x1f{doc_key}".encode(), digest_size=16).digest()
    return np.random.default_rng(np.random.SeedSequence(int.from_bytes(digest, "little")))


def check_probability(name: str, value: float) -> float:
    """Validate a probability-like parameter, naming it in the error."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number in [0, 1], got {value!r}") from None
    if not 0.0 <= value <= 1.0 or value != value:
        raise ParameterError(f"{name} must be in [0, 1], got {value}", hint=f"e.g. {name}=0.1")
    return value
