"""How much disk a study's training keeps at most, for ``train.disk_budget_gb`` (render refuses more;
``study plan`` prints it). Sizes per parameter come from ``study/throughputs.yaml``."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from morphtok.config import StudyConfig

# The Megatron import of the HF weights (cluster path, once per model): fp32 weights, no optimizer.
IMPORT_BYTES_PER_PARAM = 4


def _throughputs() -> dict[str, Any]:
    return yaml.safe_load((resources.files("morphtok") / "study" / "throughputs.yaml").read_text(encoding="utf-8"))


def model_params(model: str, tp: dict[str, Any]) -> float:
    table = tp["train"]["params"]
    if model in table:
        return float(table[model])
    return float(table["google/gemma-3-1b-pt"] if "1b" in model.lower() else table["gemma3-270m"])


def checkpoint_disk(cfg: StudyConfig, tp: dict[str, Any] | None = None) -> float:
    """Bytes: ``keep_last`` checkpoints and one export per arm, plus one import of the HF weights."""
    tp = tp or _throughputs()
    tr, params = tp["train"], model_params(cfg.train.model, tp)
    per_arm = params * (tr["checkpoint_bytes_per_param"] * cfg.train.keep_last + tr["export_bytes_per_param"])
    return len(cfg.arms.names) * per_arm + params * IMPORT_BYTES_PER_PARAM
