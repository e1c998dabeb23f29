"""torchrun / DistributedDataParallel support for the local trainer.

``torchrun --nproc_per_node N -m morphtok.cli train ...`` starts N copies of the
trainer with ``WORLD_SIZE``, ``RANK`` and ``LOCAL_RANK`` set. :func:`setup` turns
that environment into a :class:`DistContext`: it initialises ``torch.distributed``
(``nccl`` when CUDA is available, ``gloo`` on CPU) and picks the device. Without
torchrun (``WORLD_SIZE`` unset or 1) nothing is initialised and the trainer runs as
one process, exactly as before.

Data split. The global batch of step ``s`` is the ``global_batch / micro_batch``
micro-batches ``_batch(s, k)``, ``k = 0 .. world x accumulation - 1``, whatever the
world size. Rank ``r`` runs the contiguous block of ``k`` given by
:func:`micro_indices`, so every global batch holds the same sequences as in a
single-process run with ``world`` times the accumulation, and the losses agree.

Gradients. Each rank scales its micro-batch losses by its own accumulation count;
DDP *averages* gradients over ranks, which makes the step's gradient the mean over
all ``world x accumulation`` micro-batches, the single-process value. The non-final
micro-steps run under ``no_sync()`` so gradients are all-reduced once per step.

Validation is sharded: rank ``r`` scores documents ``r, r + world, ...`` and the
sums (nats, tokens, bytes) are all-reduced, so every rank gets the same numbers,
equal to the single-process ones up to float summation order.

Only rank 0 writes checkpoints, ``metrics.jsonl``, W&B, the export and INFO logs;
the other ranks wait at a barrier after each write. Every rank reads the latest
checkpoint on resume, so the checkpoint dir must be on a filesystem all nodes share.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
from dataclasses import dataclass
from typing import Any

from morphtok.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistContext:
    """Where this process sits in the job; ``backend is None`` means no torch.distributed.

    :func:`setup` makes a process group only for ``WORLD_SIZE > 1``; a caller that made one
    itself (``benchmarks/gpu_check.py``: NCCL at world size 1) passes its backend here."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1
    local_world_size: int = 1
    device: str = "cpu"
    backend: str | None = None
    owns_group: bool = False  # True when setup() created the process group (and must destroy it)

    @property
    def enabled(self) -> bool:
        """Running under a process group: DDP, no_sync and collectives apply (world size 1 included)."""
        return self.backend is not None

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def _env_int(env: dict[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"environment variable {name}={value!r} is not an integer",
                          hint="launch with torchrun, which sets WORLD_SIZE/RANK/LOCAL_RANK") from None


def setup(env: dict[str, str] | None = None) -> DistContext:
    """Read the torchrun environment; initialise the process group when ``WORLD_SIZE > 1``."""
    import torch

    env = dict(os.environ if env is None else env)
    world = _env_int(env, "WORLD_SIZE", 1)
    cuda = torch.cuda.is_available()
    if world <= 1:
        return DistContext(device="cuda" if cuda else "cpu")
    if "RANK" not in env or "LOCAL_RANK" not in env:
        raise ConfigError(f"WORLD_SIZE={world} but RANK or LOCAL_RANK is not set",
                          hint="launch with torchrun --nproc_per_node N, which sets all three")
    rank, local_rank = _env_int(env, "RANK", 0), _env_int(env, "LOCAL_RANK", 0)
    local_world = _env_int(env, "LOCAL_WORLD_SIZE", world)
    import torch.distributed as dist

    backend = "nccl" if cuda else "gloo"
    device = "cpu"
    if cuda:
        # One GPU per process: without set_device every rank would allocate on cuda:0.
        torch.cuda.set_device(local_rank)
        device = f"cuda:{local_rank}"
    owns = not dist.is_initialized()
    if owns:
        dist.init_process_group(backend=backend)  # env:// rendezvous from torchrun's MASTER_ADDR/PORT
    if rank != 0:
        # Only rank 0 logs progress; the others still report warnings and errors.
        logging.getLogger("morphtok").setLevel(logging.WARNING)
    log.info("torch.distributed: %s, world size %d", backend, world)
    return DistContext(rank=rank, local_rank=local_rank, world_size=world, local_world_size=local_world,
                       device=device, backend=backend, owns_group=owns)


def teardown(ctx: DistContext) -> None:
    """Destroy the process group if :func:`setup` created it."""
    if ctx.enabled and ctx.owns_group:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()


def micro_indices(rank: int, accumulation: int) -> range:
    """The global micro-batch indices rank ``rank`` runs when each rank accumulates ``accumulation``."""
    return range(rank * accumulation, (rank + 1) * accumulation)


def wrap_model(model: Any, ctx: DistContext) -> Any:
    """DDP-wrap ``model`` under torchrun; the model itself otherwise."""
    if not ctx.enabled:
        return model
    from torch.nn.parallel import DistributedDataParallel

    device_ids = [ctx.local_rank] if ctx.device.startswith("cuda") else None
    # No buffer sync before each forward: the only buffers are constant RoPE tables (no
    # BatchNorm-style running statistics), so re-broadcasting them is wasted traffic. Newer
    # torch renamed the switch (and warns on the old name); older torch only has the old one.
    params = inspect.signature(DistributedDataParallel.__init__).parameters
    no_sync_buffers = {"forward_sync_buffers": False} if "forward_sync_buffers" in params else {"broadcast_buffers": False}
    # Gradients as views into DDP's all-reduce buckets: no second gradient-sized buffer (4 GB for
    # Gemma 3 1B in fp32), so a DDP step needs the memory of a single-process one.
    return DistributedDataParallel(model, device_ids=device_ids, gradient_as_bucket_view=True, **no_sync_buffers)


def maybe_no_sync(model: Any, ctx: DistContext, final: bool) -> contextlib.AbstractContextManager:
    """``model.no_sync()`` for a non-final micro-step under DDP: all-reduce once per optimizer step."""
    if ctx.enabled and not final:
        return model.no_sync()
    return contextlib.nullcontext()


def barrier(ctx: DistContext) -> None:
    if ctx.enabled:
        import torch.distributed as dist

        dist.barrier()


def all_reduce_sum(values: list[float], ctx: DistContext) -> list[float]:
    """Element-wise sum of ``values`` over ranks (float64, so token counts stay exact)."""
    if not ctx.enabled:
        return list(values)
    import torch
    import torch.distributed as dist

    tensor = torch.tensor(values, dtype=torch.float64, device=ctx.device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.cpu().tolist()


def broadcast_from_main(obj: Any, ctx: DistContext) -> Any:
    """Rank 0's ``obj`` on every rank (any picklable object)."""
    if not ctx.enabled:
        return obj
    import torch.distributed as dist

    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]

