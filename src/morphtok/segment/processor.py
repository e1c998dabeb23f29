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

import dataclasses
import hashlib
import typing
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from morphtok.config import from_dict
from morphtok.config_checks import first_problem
from morphtok.errors import ConfigError, ParameterError
from morphtok.registry import Registry
from morphtok.segment.tokenizer import Tokenizer


@dataclass(frozen=True)
class ArmThroughput:
    """What ``study plan`` assumes of an arm: measured numbers, each with where it comes from."""

    tokens_per_s_per_worker: float  # preprocess throughput of one worker, its encode included
    expansion: float  # tokens added relative to the canonical encoding (preprocess stats)
    source: str = "assumed"


@dataclass(frozen=True)
class NoParams:
    """The parameters of an arm that takes none (the baseline)."""


class Processor(ABC):
    """One tokenization arm: ``process(text_or_ids, rng) -> ids``.

    Besides :meth:`process`, an arm declares what the rest of morphtok derives from it:
    ``Params`` (a frozen dataclass of its parameters: default, ``metadata={"help": ...}`` and a
    constraint from :mod:`morphtok.config_checks` per field; the ``arms.<name>`` config section,
    the ``tokenize``/``preprocess`` flags and the job's config are built from it), ``label``
    (report tables and plots), ``job_name`` (cluster job and dataset directory names; the seed
    calls the baseline "vanilla") and ``throughput`` (the plan's estimate).
    """

    Params: ClassVar[type] = NoParams

    name: str = "processor"
    label: str = ""  # "" = name
    uses_language: bool = False  # True: the constructor takes ``language`` (the corpus's, not an arm setting)
    job_name: str = ""  # "" = name
    throughput: ArmThroughput = ArmThroughput(tokens_per_s_per_worker=368_000, expansion=0.1,
                                              source="assumed: as slow as Patok until measured")

    def __init__(self, tokenizer: Tokenizer, **params: Any):
        self.tokenizer = tokenizer
        self.settings = parse_params(type(self), params)  # an instance of Params, every value checked

    def canonical_ids(self, text_or_ids: str | Sequence[int] | np.ndarray) -> np.ndarray:
        """The tokenizer's own encoding, as an int64 array."""
        if isinstance(text_or_ids, str):
            return np.asarray(self.tokenizer.encode(text_or_ids), dtype=np.int64)
        return np.asarray(text_or_ids, dtype=np.int64).reshape(-1)

    @abstractmethod
    def process(self, text_or_ids: str | Sequence[int] | np.ndarray, rng: np.random.Generator) -> list[int]:
        """The ids of this arm for one document (no BOS/EOS)."""

    def process_batch(self, items: Sequence[str | Sequence[int] | np.ndarray],
                      rngs: Sequence[np.random.Generator]) -> list[list[int]]:
        """:meth:`process` of each document with its own generator. An arm may override it to share
        work across the batch (Patok does); the output must stay that of one call per document."""
        return [self.process(item, rng) for item, rng in zip(items, rngs, strict=True)]

    def params(self) -> dict[str, Any]:
        """The arm's parameters, as recorded in dataset stats (and in their fingerprint)."""
        return dataclasses.asdict(self.settings)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"


# The seed's job names call the baseline arm "vanilla".
ALIASES = {"vanilla": "baseline"}
# Arms are entry points of the group ``morphtok.arms`` (the built-ins in pyproject.toml).
PROCESSORS: Registry[type[Processor]] = Registry("tokenization arm", Processor, group="morphtok.arms",
                                                 aliases=ALIASES)


def processor_class(name: str) -> type[Processor]:
    """The arm registered as ``name`` (``baseline``, ``stochastok``, ``patok``; ``vanilla`` = baseline)."""
    return PROCESSORS.get(name)  # the registry resolves ALIASES


def build_processor(name: str, tokenizer: Tokenizer, **params: Any) -> Processor:
    """Instantiate the arm registered as ``name``."""
    return processor_class(name)(tokenizer, **params)


def with_language(name: str, params: Mapping[str, Any], language: str) -> dict[str, Any]:
    """``params`` plus ``language`` for an arm that reads the corpus language (``uses_language``:
    Patok's morpheme boundaries); every caller (CLI, study, cluster job) builds arms through this."""
    out = dict(params)
    if processor_class(name).uses_language:
        out["language"] = language
    return out


def arm_params(cfg: Any, arm: str) -> dict[str, Any]:
    """The processor parameters of ``arm`` in a study config (baseline has none), with its language."""
    return with_language(arm, cfg.arms.params(arm), cfg.corpus.language)


def parse_params(arm: type[Processor], given: Mapping[str, Any]) -> Any:
    """``arm.Params`` from keyword values: an unknown name or a refused value is a ParameterError."""
    declared = [item.name for item in dataclasses.fields(arm.Params)]
    valid = f"parameters of '{arm.name}': {', '.join(declared) or 'none'}"
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ParameterError(f"arm '{arm.name}' takes no parameter(s) {', '.join(unknown)}", hint=valid)
    values = {k: v.tolist() if isinstance(v, np.ndarray) else list(v) if isinstance(v, tuple) else v
              for k, v in given.items()}
    try:
        settings = from_dict(arm.Params, values)
    except ConfigError as err:
        raise ParameterError(f"arm '{arm.name}': {err.message}", hint=valid) from None
    if found := first_problem(settings):
        raise ParameterError(f"{found[0]} {found[1]}", hint=f"arm '{arm.name}': {param_help(arm, found[0])}")
    return settings


def param_help(arm: type[Processor], key: str) -> str:
    """The ``help`` metadata of the parameter ``key`` (a list item's key names its field)."""
    name = key.split("[")[0].split(".")[0]
    return next((f"{f.name}: {f.metadata.get('help', '')}" for f in dataclasses.fields(arm.Params) if f.name == name),
                key)


def job_name(arm: str) -> str:
    """The name of ``arm`` in cluster job and dataset directory names (``job_name``, or the arm's name)."""
    return processor_class(arm).job_name or arm


class JobNames(Mapping[str, str]):
    """Arm -> job name for every registered arm, read from the registry when asked."""

    def __getitem__(self, arm: str) -> str:
        if arm not in PROCESSORS:  # aliases included
            raise KeyError(arm)
        return job_name(arm)

    def __iter__(self) -> Iterator[str]:
        return iter(arm_names())

    def __len__(self) -> int:
        return len(arm_names())


STUDY_ORDER = ("baseline", "stochastok", "patok")


def arm_names() -> list[str]:
    """Registered arms, the study's three first in their canonical order."""
    names = PROCESSORS.names()
    return [n for n in STUDY_ORDER if n in names] + [n for n in names if n not in STUDY_ORDER]


def arm_parameters() -> dict[str, list[tuple[dataclasses.Field, Any]]]:
    """Every registered arm's declared parameters as ``(field, its resolved type)`` (loads each arm)."""
    declared = {}
    for name in arm_names():
        params = processor_class(name).Params
        hints = typing.get_type_hints(params)
        declared[name] = [(item, hints[item.name]) for item in dataclasses.fields(params)]
    return declared


def document_rng(seed: int, arm: str, doc_key: str | int) -> np.random.Generator:
    """A generator that depends only on (seed, arm, document key)."""
    digest = hashlib.blake2b(f"{int(seed)}\x1f{arm}\x1f{doc_key}".encode(), digest_size=16).digest()
    return np.random.default_rng(np.random.SeedSequence(int.from_bytes(digest, "little")))

