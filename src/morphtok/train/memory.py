"""Peak memory of one training step, accounted without a GPU.

:func:`step_peak_memory` builds the model from its config under PyTorch's
``FakeTensorMode`` (tensors with shapes and dtypes but no storage, so a 1B-parameter
model costs nothing), then runs the trainer's own step on fake micro-batches: the
trainer's weights dtype, gradient checkpointing and chunked loss
(:class:`~morphtok.train.loss.CausalLMLoss`), the AdamW of
:func:`~morphtok.train.optimizer.build_optimizer`, gradient clipping, for two optimizer
steps of two micro-batches each (the second step is the first with optimizer state, the
second micro-batch the first with accumulated gradients), through :mod:`morphtok.train.step`. A dispatch mode records
every tensor's allocation and release (rounded to 512 bytes as the CUDA caching allocator
rounds) and keeps the peak; the report splits it into weights, gradients, optimizer state
and the rest (activations and temporaries).

What stands in for the GPU: the fake tensors live on the CPU, so CUDA bf16 autocast is
played by CPU bf16 autocast (the same casts for matmuls), attention runs PyTorch's CPU
flash ``scaled_dot_product_attention`` kernel (which, like CUDA's memory-efficient and flash
kernels, keeps the output and log-sum-exp, not the sequence x sequence weights), and AdamW runs its single-tensor implementation, which, like the fused CUDA
kernel, updates one tensor at a time without list-wide temporaries. The step runs without DDP:
under DDP the gradients are views into its all-reduce buckets (``gradient_as_bucket_view``), so
it adds no gradient-sized buffer. Not counted: the CUDA context (~0.5 GB), allocator
fragmentation and NCCL buffers; callers keep a margin.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass


@dataclass(frozen=True)
class MemoryReport:
    """Bytes at the step's peak; what of it is parameters, gradients and optimizer state (the rest is
    activations and temporaries); the parameter count."""

    peak: int
    parameters_bytes: int
    gradients_bytes: int
    optimizer_bytes: int
    parameters: int

    @property
    def activations_bytes(self) -> int:
        return self.peak - self.parameters_bytes - self.gradients_bytes - self.optimizer_bytes

    def gib(self) -> float:
        return self.peak / 2**30

    def summary(self) -> str:
        parts = {"weights": self.parameters_bytes, "grads": self.gradients_bytes, "optimizer": self.optimizer_bytes,
                 "activations+temporaries": self.activations_bytes}
        unit, scale = ("GiB", 2**30) if self.peak >= 2**30 else ("MiB", 2**20)
        return (f"peak {self.peak / scale:.2f} {unit} (" + ", ".join(f"{k} {v / scale:.2f}" for k, v in parts.items())
                + ")")


_ROUND = 512  # the CUDA caching allocator's smallest block


class _AllocationTracker:
    """A dispatch mode that adds up every live tensor storage (each once) and keeps the peak."""

    def __init__(self) -> None:
        from torch.utils._python_dispatch import TorchDispatchMode
        from torch.utils.weak import WeakIdKeyDictionary

        tracker = self
        self.live, self.peak = 0, 0
        self.seen = WeakIdKeyDictionary()

        class Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                out = func(*args, **(kwargs or {}))
                tracker.track(out)
                return out

        self.mode = Mode()

    def track(self, out) -> None:
        import weakref

        import torch
        from torch.utils._pytree import tree_flatten

        for t in tree_flatten(out)[0]:
            if not isinstance(t, torch.Tensor):
                continue
            storage = t.untyped_storage()
            if storage in self.seen:
                continue
            size = -(-storage.nbytes() // _ROUND) * _ROUND
            self.seen[storage] = size
            self.live += size
            self.peak = max(self.peak, self.live)
            weakref.finalize(storage, self._free, size)

    def _free(self, size: int) -> None:
        self.live -= size


def _fake_model(config_kwargs: dict, bf16_weights: bool):
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    config = Gemma3TextConfig(**config_kwargs)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16 if bf16_weights else torch.float32)
    try:
        return Gemma3ForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)


def _bytes(tensors) -> int:
    return sum(-(-t.untyped_storage().nbytes() // _ROUND) * _ROUND for t in tensors)


def step_peak_memory(config_kwargs: dict, train_cfg, *, micro_steps: int = 2, steps: int = 2) -> MemoryReport:
    """Peak bytes of the trainer's step for a Gemma 3 model of ``config_kwargs`` under ``train_cfg``."""
    import torch
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.nn.attention import SDPBackend, sdpa_kernel

    from morphtok.train.distributed import DistContext
    from morphtok.train.loss import CausalLMLoss
    from morphtok.train.models import enable_activation_checkpointing
    from morphtok.train.optimizer import MasterWeightAdamW, build_optimizer, clip_gradients
    from morphtok.train.step import accumulate_gradients

    bf16_mixed = train_cfg.precision == "bf16-mixed"
    tracker = _AllocationTracker()
    # O(sequence) attention memory, as CUDA's memory-efficient/flash kernels (recomputation included).
    with FakeTensorMode(), tracker.mode, sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
        model = _fake_model(config_kwargs, bf16_mixed and train_cfg.param_dtype == "bf16")
        model.train()
        if train_cfg.gradient_checkpointing:
            enable_activation_checkpointing(model)
        loss_fn = CausalLMLoss(model, train_cfg.loss_chunk_size)
        optimizer = build_optimizer(model, train_cfg, "cpu")
        adamw = optimizer.inner if isinstance(optimizer, MasterWeightAdamW) else optimizer
        for group in adamw.param_groups:
            group["foreach"] = False  # one tensor at a time, as the fused CUDA kernel
        cast = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if bf16_mixed else contextlib.nullcontext
        shape = (train_cfg.micro_batch_size, train_cfg.seq_length + 1)
        for _ in range(steps):
            optimizer.zero_grad(set_to_none=True)
            batches = (torch.randint(0, config_kwargs["vocab_size"], shape) for _ in range(micro_steps))
            accumulate_gradients(loss_fn, batches, accumulation=micro_steps, autocast=cast, dist=DistContext(),
                                 device="cpu")
            clip_gradients(optimizer, train_cfg.grad_clip)  # finish_step without its sync: fake tensors have no values
            grads = [p.grad for group in adamw.param_groups for p in group["params"] if p.grad is not None]
            gradients_bytes = _bytes(grads)  # as the update sees them (fp32 masters' grads in bf16 mode)
            optimizer.step()
        params = list(model.parameters())
        states = [t for s in adamw.state.values() for t in s.values() if isinstance(t, torch.Tensor) and t.dim()]
        if isinstance(optimizer, MasterWeightAdamW):
            states += optimizer.master
    return MemoryReport(peak=tracker.peak, parameters_bytes=_bytes(params), gradients_bytes=gradients_bytes,
                        optimizer_bytes=_bytes(states), parameters=sum(p.numel() for p in params))
