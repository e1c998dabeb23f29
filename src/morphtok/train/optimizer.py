"""AdamW for the local trainer, and its fp32 master-weight variant for bf16 weights.

:func:`build_optimizer` gives ``torch.optim.AdamW`` (betas 0.9/0.95, decoupled weight decay
on every parameter, as before) over the model's parameters, ``fused=True`` on CUDA (one
kernel for the whole update instead of a few per tensor), the default ``foreach`` code
on CPU. When the model's weights are bf16 (``train.param_dtype=bf16``) it gives
:class:`MasterWeightAdamW`: the forward and backward run on the bf16 weights, the update
on fp32 master copies with fp32 moments (what Megatron calls the fp16/bf16 optimizer),
and the bf16 weights are refreshed from the masters after every step. Memory per
parameter: bf16 weight 2 + fp32 master 4 + fp32 grad 4 + moments 8 = 18 bytes (+2 for the
bf16 grad until :meth:`MasterWeightAdamW.collect_grads` moves it into fp32), against 16
for fp32 weights; in exchange no per-forward casting of the weights and half the DDP
traffic. :func:`clip_gradients` clips whichever gradients the update will use.
"""

from __future__ import annotations

from typing import Any

import torch


class MasterWeightAdamW:
    """AdamW on fp32 master copies of (bf16) model parameters; quacks like a torch optimizer."""

    def __init__(self, params, **adamw: Any):
        self.params = [p for p in params if p.requires_grad]
        self.master = [p.detach().float().clone() for p in self.params]
        self.inner = torch.optim.AdamW(self.master, **adamw)

    @property
    def param_groups(self) -> list[dict]:
        return self.inner.param_groups  # the schedule sets the rate here; groups hold the masters

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None
        self.inner.zero_grad(set_to_none=set_to_none)

    def collect_grads(self) -> None:
        """Move the bf16 gradients into fp32 gradients of the masters (freeing the bf16 ones)."""
        for p, m in zip(self.params, self.master, strict=True):
            m.grad = None if p.grad is None else p.grad.float()
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.inner.step()
        for p, m in zip(self.params, self.master, strict=True):
            p.copy_(m)

    def state_dict(self) -> dict:
        return {"adamw": self.inner.state_dict(), "master": [m.detach().clone() for m in self.master]}

    @torch.no_grad()
    def load_state_dict(self, state: dict) -> None:
        self.inner.load_state_dict(state["adamw"])
        for p, m, saved in zip(self.params, self.master, state["master"], strict=True):
            m.copy_(saved)
            p.copy_(m)


def build_optimizer(model: Any, train_cfg: Any, device: str):
    """AdamW with the trainer's settings: fused on CUDA, fp32 masters when the weights are bf16."""
    params = list(model.parameters())
    options = {"lr": train_cfg.lr, "weight_decay": train_cfg.weight_decay, "betas": (0.9, 0.95)}
    if str(device).startswith("cuda"):
        options["fused"] = True
    if params and params[0].dtype == torch.bfloat16:
        return MasterWeightAdamW(params, **options)
    return torch.optim.AdamW(params, **options)


def clip_gradients(optimizer: Any, max_norm: float) -> torch.Tensor:
    """Clip the gradients the update uses to ``max_norm``; the total norm before clipping (a tensor, no sync)."""
    if isinstance(optimizer, MasterWeightAdamW):
        optimizer.collect_grads()
    params = [p for group in optimizer.param_groups for p in group["params"]]
    return torch.nn.utils.clip_grad_norm_(params, max_norm)
