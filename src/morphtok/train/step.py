"""One optimizer step of the local trainer, in two halves that the trainer, the memory
accounting (:mod:`morphtok.train.memory`) and ``benchmarks/gpu_check.py`` all run.

:func:`accumulate_gradients` back-propagates every micro-batch's loss (its mean over its
targets, divided by the accumulation count) and keeps the running loss on the device: no
host-device sync per micro-step (on CUDA the micro-batch is copied from pinned memory, since a
copy from pageable memory synchronises the stream). Under DDP the gradients are all-reduced only on the last
micro-step (``no_sync`` before), and DDP's averaging over ranks with the 1/accumulation
scaling gives the mean over all world x accumulation micro-batches.

:func:`finish_step` clips the gradients, reads the loss and gradient norm back in one
transfer (the step's only sync), refuses a non-finite value *before* the update with a
:class:`~morphtok.errors.TrainingError` naming the step, and applies the update.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import torch

from morphtok.errors import TrainingError
from morphtok.train.distributed import DistContext, maybe_no_sync
from morphtok.train.optimizer import clip_gradients


def accumulate_gradients(loss_module: Any, micro_batches: Iterable[torch.Tensor], *, accumulation: int,
                         autocast: Callable, dist: DistContext, device: str) -> torch.Tensor:
    """Backward over ``micro_batches`` (``accumulation`` of them); the summed scaled loss, on the device."""
    total = torch.zeros((), device=device)
    cuda = str(device).startswith("cuda")
    for i, batch in enumerate(micro_batches):
        if cuda:  # a copy from pageable memory would wait for the GPU's queue to drain: pinned ones do not
            batch = batch.pin_memory()
        with maybe_no_sync(loss_module, dist, final=i == accumulation - 1):
            with autocast():
                nll, count = loss_module(batch.to(device, non_blocking=True))
            loss = nll / count.clamp(min=1) / accumulation
            loss.backward()
        total += loss.detach()
    return total


def finish_step(optimizer: Any, total: torch.Tensor, *, grad_clip: float, step: int, where: str) -> tuple[float, float]:
    """Clip, check and apply step ``step`` (1-based); returns (loss, gradient norm before clipping)."""
    grad_norm = clip_gradients(optimizer, grad_clip)
    loss_value, norm_value = torch.stack([total.float(), grad_norm.float()]).tolist()  # the step's one sync
    if not (math.isfinite(loss_value) and math.isfinite(norm_value)):
        raise TrainingError(f"non-finite training loss {loss_value} (gradient norm {norm_value}) at step {step}; "
                            "stopped before the update", where=where,
                            hint="lower train.lr, check the data, or resume from an earlier checkpoint")
    optimizer.step()
    return loss_value, norm_value
