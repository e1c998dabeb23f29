"""The chunked cross-entropy equals the plain one (value and gradients) and never holds all logits."""

from __future__ import annotations

import pytest
import torch

from morphtok.train.loss import CausalLMLoss, linear_cross_entropy


def _plain(hidden, weight, targets, softcap=None):
    logits = (hidden @ weight.t()).float()
    if softcap:
        logits = torch.tanh(logits / softcap) * softcap
    return torch.nn.functional.cross_entropy(logits, targets, ignore_index=-100, reduction="sum")


def _grads(fn, hidden, weight, targets, **kwargs):
    hidden = hidden.detach().clone().requires_grad_(True)
    weight = weight.detach().clone().requires_grad_(True)
    value = fn(hidden, weight, targets, **kwargs)
    (value * 0.37).backward()  # a scale on the way back, as the trainer's 1 / (tokens x accumulation)
    return value.detach(), hidden.grad, weight.grad


@pytest.mark.parametrize("softcap", [None, 30.0])
@pytest.mark.parametrize("chunk_size", [1, 7, 64, 1000])
def test_chunked_loss_equals_the_plain_loss(chunk_size, softcap):
    generator = torch.Generator().manual_seed(chunk_size)
    hidden = torch.randn(150, 24, generator=generator)
    weight = torch.randn(500, 24, generator=generator) * 0.3
    targets = torch.randint(0, 500, (150,), generator=generator)
    targets[::9] = -100  # padding is ignored
    ours = _grads(lambda h, w, t: linear_cross_entropy(h, w, t, chunk_size=chunk_size, softcap=softcap),
                  hidden, weight, targets)
    plain = _grads(lambda h, w, t: _plain(h, w, t, softcap), hidden, weight, targets)
    assert ours[0] == pytest.approx(float(plain[0]), rel=1e-5)
    for mine, reference in zip(ours[1:], plain[1:], strict=True):
        assert torch.allclose(mine, reference, rtol=1e-4, atol=1e-5)
    with torch.no_grad():  # the no-grad path (validation) gives the same value
        assert float(linear_cross_entropy(hidden, weight, targets, chunk_size=chunk_size, softcap=softcap)) == \
            pytest.approx(float(plain[0]), rel=1e-5)


def test_the_logits_are_never_materialised_in_full():
    """The largest tensor any op makes is one chunk of logits, not positions x vocabulary."""
    from torch.utils._python_dispatch import TorchDispatchMode

    positions, vocab, chunk = 256, 4000, 32
    largest = []

    class Largest(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            for t in out if isinstance(out, (tuple, list)) else [out]:
                if isinstance(t, torch.Tensor):
                    largest.append(t.numel())
            return out

    hidden = torch.randn(positions, 16, requires_grad=True)
    weight = torch.randn(vocab, 16, requires_grad=True)
    targets = torch.randint(0, vocab, (positions,))
    with Largest():
        linear_cross_entropy(hidden, weight, targets, chunk_size=chunk).backward()
    assert max(largest) == chunk * vocab
    largest.clear()
    with Largest():
        _plain(hidden, weight, targets).backward()
    assert max(largest) == positions * vocab  # the control: the plain loss does materialise them


def test_causal_lm_loss_equals_the_models_own_loss():
    from morphtok.train.models import tiny_model

    model = tiny_model(300, seed=3)
    batch = torch.randint(0, 300, (2, 33))
    batch[1, 25:] = -100  # a padded tail
    nll, count = CausalLMLoss(model, chunk_size=16)(batch)
    logits = model(input_ids=batch[:, :-1].clamp(min=0)).logits
    expected = torch.nn.functional.cross_entropy(logits.reshape(-1, 300).float(), batch[:, 1:].reshape(-1),
                                                 ignore_index=-100)
    assert int(count) == 2 * 32 - 8
    assert float((nll / count).detach()) == pytest.approx(float(expected.detach()), rel=1e-5)


def test_bad_chunk_size_is_refused():
    with pytest.raises(ValueError, match="chunk_size"):
        linear_cross_entropy(torch.zeros(2, 3), torch.zeros(4, 3), torch.zeros(2, dtype=torch.long), chunk_size=0)


def test_chunked_loss_under_bf16_autocast_matches_the_plain_loss():
    """The GPU path's dtype handling (bf16 matmuls, fp32 softmax), played by CPU autocast."""
    generator = torch.Generator().manual_seed(5)
    hidden = torch.randn(96, 32, generator=generator)
    weight = torch.randn(300, 32, generator=generator) * 0.2
    targets = torch.randint(0, 300, (96,), generator=generator)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        ours = _grads(lambda h, w, t: linear_cross_entropy(h, w, t, chunk_size=40), hidden, weight, targets)
        plain = _grads(_plain, hidden, weight, targets)
    assert ours[0] == pytest.approx(float(plain[0]), rel=1e-3)
    assert ours[1].dtype == torch.float32 and ours[2].dtype == torch.float32  # grads in the inputs' dtypes
    for mine, reference in zip(ours[1:], plain[1:], strict=True):  # bf16 rounding, at other places
        assert float((mine - reference).norm() / reference.norm()) < 1e-2
