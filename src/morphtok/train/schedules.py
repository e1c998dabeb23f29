"""Learning-rate schedules of the local trainer: a small name -> class mapping.

A schedule owns the learning rate of every optimizer step: :meth:`step` sets the
rate of the next optimizer step in the optimizer's parameter groups and advances.
Its position and parameters are its state (``state_dict`` / ``load_state_dict``), saved
in every checkpoint, so a resumed run continues the schedule where it stopped and a
checkpoint of another schedule is refused instead of being continued with other rates.

Built in: ``warmup_cosine`` (the seed's: linear warmup to ``lr`` over ``warmup_steps``,
then cosine decay to ``min_lr`` at ``max_steps``). A new schedule is one class with the
same constructor keywords and two methods, registered as an entry point of the group
``morphtok.lr_schedules`` (:data:`SCHEDULES`).
"""

from __future__ import annotations

import math
from typing import Any

from morphtok.errors import CheckpointError
from morphtok.registry import Registry


def warmup_cosine(step: int, lr: float, min_lr: float, warmup: int, total: int) -> float:
    """Linear warmup to ``lr`` (step 0 gets ``lr / warmup``), then cosine decay to ``min_lr`` at ``total``."""
    if warmup and step < warmup:
        return lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * progress))


class WarmupCosine:
    """Linear warmup, then cosine decay to ``min_lr`` (see :func:`warmup_cosine`)."""

    name = "warmup_cosine"

    def __init__(self, optimizer: Any, *, lr: float, min_lr: float, warmup_steps: int, max_steps: int):
        self.optimizer = optimizer
        self.params = {"lr": lr, "min_lr": min_lr, "warmup_steps": warmup_steps, "max_steps": max_steps}
        self.next_step = 0  # the optimizer step whose rate step() sets next

    def rate(self, step: int) -> float:
        p = self.params
        return warmup_cosine(step, p["lr"], p["min_lr"], p["warmup_steps"], p["max_steps"])

    def step(self) -> float:
        """Set the rate of the coming optimizer step in every parameter group; returns it."""
        rate = self.rate(self.next_step)
        for group in self.optimizer.param_groups:
            group["lr"] = rate
        self.next_step += 1
        return rate

    def state_dict(self) -> dict:
        return {"name": self.name, "next_step": self.next_step, "params": dict(self.params)}

    def load_state_dict(self, state: dict) -> None:
        if state.get("name") != self.name or state.get("params") != self.params:
            raise CheckpointError(
                f"the checkpoint's learning-rate schedule {state.get('name')} {state.get('params')} is not this "
                f"run's {self.name} {self.params}",
                hint="resume with the schedule settings the run started with, or start afresh (--force)")
        self.next_step = int(state["next_step"])


# Schedules are entry points of the group ``morphtok.lr_schedules`` (the built-in in pyproject.toml).
SCHEDULES: Registry[type] = Registry("learning-rate schedule (train.lr_schedule)", group="morphtok.lr_schedules")


def build_schedule(name: str, optimizer: Any, train_cfg: Any):
    """The schedule ``name`` for ``optimizer``, parameterised from the ``train`` config section."""
    cls = SCHEDULES.get(name)
    return cls(optimizer, lr=train_cfg.lr, min_lr=train_cfg.min_lr, warmup_steps=train_cfg.warmup_steps,
               max_steps=train_cfg.max_steps)
