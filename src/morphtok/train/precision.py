"""Mixed precision for the local trainer: ``train.precision`` -> an autocast context.

``bf16-mixed`` (the seed's setting) keeps fp32 weights and optimizer state and runs
the forward pass under ``torch.autocast(dtype=bfloat16)`` -- but only on a CUDA device that
supports bf16. On CPU (this machine, and the demo) it falls back to fp32 with one log line:
CPU bf16 autocast is slower than fp32 without bf16 hardware, and fp32 keeps CPU runs exact
and comparable. ``fp32`` never autocasts. Losses are always computed in fp32 (``.float()``).

``train.param_dtype=bf16`` (with ``bf16-mixed``, where autocast applies) stores the model's
weights in bf16 too; the optimizer then keeps fp32 master weights and moments
(:class:`morphtok.train.optimizer.MasterWeightAdamW`). Where autocast does not apply it is
fp32 like the rest, with one log line.

Exercised here: the selection logic (unit-tested), the fp32 path, and the master-weight
optimizer on CPU tensors. The autocast and bf16-weight paths on a GPU: ``benchmarks/gpu_check.py``.
"""

from __future__ import annotations

import contextlib
import logging

from morphtok.errors import ConfigError

log = logging.getLogger(__name__)
PRECISIONS = ("fp32", "bf16-mixed")
PARAM_DTYPES = ("fp32", "bf16")


def autocast_dtype(precision: str, device: str, bf16_supported: bool | None = None):
    """The autocast dtype for this precision on this device, or None for plain fp32."""
    import torch

    if precision not in PRECISIONS:
        raise ConfigError(f"unknown train.precision {precision!r}", hint=f"use one of {', '.join(PRECISIONS)}")
    if precision == "fp32":
        return None
    if not str(device).startswith("cuda"):
        return None
    if bf16_supported is None:
        bf16_supported = torch.cuda.is_bf16_supported()
    return torch.bfloat16 if bf16_supported else None


def autocast(precision: str, device: str):
    """A factory of contexts for the forward pass (no-ops when training in fp32)."""
    import torch

    dtype = autocast_dtype(precision, device)
    if dtype is None:
        if precision != "fp32":
            log.info("precision %s: no bf16 on %s, training in fp32", precision, device)
        return contextlib.nullcontext
    return lambda: torch.autocast(device_type="cuda", dtype=dtype)


def weights_dtype(precision: str, param_dtype: str, device: str, bf16_supported: bool | None = None):
    """``torch.bfloat16`` when the model's weights should be stored in bf16 here, else None (fp32)."""
    if param_dtype not in PARAM_DTYPES:
        raise ConfigError(f"unknown train.param_dtype {param_dtype!r}", hint=f"use one of {', '.join(PARAM_DTYPES)}")
    if param_dtype == "fp32":
        return None
    dtype = autocast_dtype(precision, device, bf16_supported)
    if dtype is None:
        log.info("param_dtype bf16 needs precision bf16-mixed on a bf16 GPU; weights stay fp32 on %s", device)
    return dtype
