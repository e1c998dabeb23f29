"""The training loss: next-token cross-entropy without materialising the full logits.

Gemma 3's output layer is 262,144 wide: the logits of one micro-batch of 2 x 2048 tokens
are 4.3 GB in fp32, and a plain ``cross_entropy`` over them keeps that tensor, its
softmax and its gradient alive together. :func:`linear_cross_entropy` instead runs the
output head over ``chunk_size`` positions at a time and, in the forward pass, turns
each chunk's logits straight into the gradients of the hidden states and of the head
weight (``softmax - one_hot``, the analytic gradient of the cross-entropy), so only one
chunk of logits exists at any moment and the backward pass has nothing to recompute:
it scales the stored gradients by the incoming one. The FLOPs are those of the plain
loss (one matmul forward, two backward).

The value is the *sum* of the token losses (targets ``-100`` are ignored), so callers
divide by the token count they want (the trainer: the micro-batch's targets, as
``cross_entropy``'s mean). Logit soft-capping (``final_logit_softcapping``, None in
Gemma 3) is applied as the model does. Equality with the plain loss and its gradients
is tested (``tests/test_train_loss.py``).
"""

from __future__ import annotations

from typing import Any

import torch

IGNORE = -100


def _chunk_logits(hidden: torch.Tensor, weight: torch.Tensor, softcap: float | None) -> torch.Tensor:
    logits = (hidden @ weight.t()).float()
    if softcap:
        logits = torch.tanh(logits / softcap) * softcap
    return logits


class _LinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor,
                chunk_size: int, softcap: float | None) -> torch.Tensor:
        total = torch.zeros((), dtype=torch.float32, device=hidden.device)
        grad_hidden = torch.empty_like(hidden)
        grad_weight = torch.zeros(weight.shape, dtype=torch.float32, device=weight.device)
        for start in range(0, hidden.shape[0], chunk_size):
            h, t = hidden[start : start + chunk_size], targets[start : start + chunk_size]
            logits = _chunk_logits(h, weight, softcap)
            valid = t != IGNORE
            safe = t.clamp(min=0)
            picked = logits.gather(1, safe[:, None])[:, 0]
            if softcap:
                # d capped / d raw = 1 - tanh^2 = 1 - (capped / cap)^2
                slope = 1 - (logits / softcap) ** 2
            # The softmax in place (the chunk's only big buffer), as softmax kernels compute it:
            # exp(x - max) / sum; log-sum-exp = max + log(sum) for the loss.
            top = logits.max(dim=-1, keepdim=True).values
            probs = logits.sub_(top).exp_()
            norm = probs.sum(dim=-1, keepdim=True)
            probs.div_(norm)
            lse = (top + norm.log())[:, 0]
            total += ((lse - picked) * valid).sum()
            probs[torch.arange(len(t), device=t.device), safe] -= 1
            probs *= valid[:, None]
            if softcap:
                probs *= slope
                del slope
            # In the matmuls' dtype: autocast's (which reuses its cached cast of the weight) or the weights'.
            cast = torch.is_autocast_enabled(h.device.type)
            grad = probs.to(torch.get_autocast_dtype(h.device.type) if cast else weight.dtype)
            del probs, logits
            grad_hidden[start : start + chunk_size] = grad @ weight
            grad_weight += (grad.t() @ h).float()
        ctx.save_for_backward(grad_hidden, grad_weight)
        ctx.weight_dtype = weight.dtype
        return total

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor):
        grad_hidden, grad_weight = ctx.saved_tensors
        return (grad_hidden * grad_output.to(grad_hidden.dtype), (grad_weight * grad_output).to(ctx.weight_dtype),
                None, None, None)


def linear_cross_entropy(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, *,
                         chunk_size: int = 1024, softcap: float | None = None) -> torch.Tensor:
    """Summed cross-entropy of ``softcap(hidden @ weight.T)`` against ``targets`` (``-100`` ignored).

    ``hidden`` is (positions, hidden size), ``weight`` the (vocab, hidden size) output head,
    ``targets`` (positions,). Never more than ``chunk_size`` rows of logits at once."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    if torch.is_grad_enabled() and (hidden.requires_grad or weight.requires_grad):
        return _LinearCrossEntropy.apply(hidden, weight, targets, chunk_size, softcap)
    total = torch.zeros((), dtype=torch.float32, device=hidden.device)
    for start in range(0, hidden.shape[0], chunk_size):
        logits = _chunk_logits(hidden[start : start + chunk_size], weight, softcap)
        total += torch.nn.functional.cross_entropy(logits, targets[start : start + chunk_size],
                                                   ignore_index=IGNORE, reduction="sum")
    return total


class CausalLMLoss(torch.nn.Module):
    """A HF causal LM whose forward returns (summed next-token loss, target count) of a batch.

    Wrapping the model (rather than calling its parts from the trainer) keeps DDP's
    gradient hooks on the one forward that training runs."""

    def __init__(self, model: Any, chunk_size: int):
        super().__init__()
        self.model = model
        self.chunk_size = chunk_size
        self.softcap = getattr(model.config, "final_logit_softcapping", None)

    def forward(self, batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``batch``: (rows, seq + 1) ids, ``-100`` padding; inputs ``batch[:, :-1]``, targets ``batch[:, 1:]``."""
        inputs, targets = batch[:, :-1].clamp(min=0), batch[:, 1:].reshape(-1)
        hidden = self.model.base_model(input_ids=inputs, use_cache=False).last_hidden_state
        head = self.model.get_output_embeddings()
        if getattr(head, "bias", None) is not None:
            raise ValueError("linear_cross_entropy supports output heads without bias only")
        loss = linear_cross_entropy(hidden.reshape(-1, hidden.shape[-1]), head.weight, targets,
                                    chunk_size=self.chunk_size, softcap=self.softcap)
        return loss, (targets != IGNORE).sum()
