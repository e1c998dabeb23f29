"""Mixed precision for the local trainer: ``train.precision`` -> an autocast context.

``bf16-mixed`` (the seed's setting) keeps fp32 master weights and optimizer state and runs
the forward pass under ``torch.autocast(dtype=bfloat16)`` -- but only on a CUDA device that
supports bf16. On CPU (this machine, and the demo) it falls back to fp32 with one log line:
CPU bf16 autocast is slower than fp32 without bf16 hardware, and fp32 keeps CPU runs exact
and comparable. ``fp32`` never autocasts. Losses are always computed in fp32 (``.float()``).

Exercised here: the selection logic (unit-tested) and the fp32 path. Not exercised: the
autocast path on a GPU.
"""

from __future__ import annotations

import contextlib
import logging

from morphtok.errors import ConfigError

log = logging.getLogger(__name__)
PRECISIONS = ("fp32", "bf16-mixed")


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
