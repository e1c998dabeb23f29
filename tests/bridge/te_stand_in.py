"""Import stand-in for Transformer Engine, which has no CPU build: Megatron-Bridge 0.3.0 only.

Bridge imports ``transformer_engine.pytorch`` unconditionally in three modules (peft/lora.py,
peft/lora_layers.py, models/gpt_full_te_layer_autocast_spec.py); megatron-core probes for it
behind ``try/except ImportError`` and takes its no-TE path when it is absent. So the stand-in is
served to exactly those three Bridge modules, through ``builtins.__import__``, and to no one else
(it is never put in ``sys.modules``): for megatron-core and everything else Transformer Engine
stays absent, as on any machine without it. It holds the four names those modules use at import
time (base classes and annotations); constructing any of them raises. It cannot train, build a
model or accept arguments; building and validating a config never touches it.
"""

from __future__ import annotations

import builtins
import types

import torch

IMPORTERS = frozenset({
    "megatron.bridge.peft.lora",
    "megatron.bridge.peft.lora_layers",
    "megatron.bridge.models.gpt_full_te_layer_autocast_spec",
})


class _Absent(torch.nn.Module):
    def __init__(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__}: Transformer Engine is not installed (CPU import stand-in)")


def _module(name: str, **names: type) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in names.items():
        setattr(module, key, value)
    return module


def _absent(name: str) -> type:
    return type(name, (_Absent,), {})


_PYTORCH = _module("transformer_engine.pytorch", Linear=_absent("Linear"), LayerNormLinear=_absent("LayerNormLinear"),
                   TransformerLayer=_absent("TransformerLayer"),
                   ops=_module("transformer_engine.pytorch.ops", Sequential=_absent("Sequential")))
_TOP = _module("transformer_engine", pytorch=_PYTORCH)
_original_import = builtins.__import__


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and name in ("transformer_engine", "transformer_engine.pytorch"):
        if (globals or {}).get("__name__") in IMPORTERS:
            return _PYTORCH if fromlist and name == "transformer_engine.pytorch" else _TOP
    return _original_import(name, globals, locals, fromlist, level)


def install() -> None:
    builtins.__import__ = _import
