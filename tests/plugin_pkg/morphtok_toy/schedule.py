"""A constant learning rate after a linear warmup (train.lr_schedule=constant)."""

from __future__ import annotations

from morphtok.train.schedules import WarmupCosine


class Constant(WarmupCosine):
    """Same constructor keywords and saved state as the built-in; only the rate differs."""

    name = "constant"

    def rate(self, step: int) -> float:
        warmup = self.params["warmup_steps"]
        return self.params["lr"] * min(1.0, (step + 1) / warmup) if warmup else self.params["lr"]
