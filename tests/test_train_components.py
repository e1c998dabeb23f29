"""The trainer's components on their own: LR schedule, memory-mapped sampler, optimizers, metrics sink."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from morphtok.errors import CheckpointError, ConfigError, DatasetError
from morphtok.train.schedules import SCHEDULES, WarmupCosine, build_schedule, warmup_cosine


def _optimizer():
    return torch.optim.AdamW([torch.nn.Parameter(torch.zeros(3))], lr=1.0)


# ---------------------------------------------------------------------------- LR schedule


def test_the_schedule_resumes_where_it_stopped():
    params = {"lr": 1e-3, "min_lr": 1e-4, "warmup_steps": 3, "max_steps": 10}
    uninterrupted = WarmupCosine(_optimizer(), **params)
    rates = [uninterrupted.step() for _ in range(10)]
    assert rates == [warmup_cosine(s, 1e-3, 1e-4, 3, 10) for s in range(10)]
    first = WarmupCosine(_optimizer(), **params)
    for _ in range(4):
        first.step()
    state = first.state_dict()
    optimizer = _optimizer()
    second = WarmupCosine(optimizer, **params)
    second.load_state_dict(state)
    assert [second.step() for _ in range(6)] == rates[4:]
    assert optimizer.param_groups[0]["lr"] == rates[-1]  # the rate really reaches the optimizer
    other = WarmupCosine(_optimizer(), **{**params, "max_steps": 20})
    with pytest.raises(CheckpointError, match="schedule"):
        other.load_state_dict(state)


def test_schedules_are_looked_up_by_name():
    from morphtok.config import load_config

    train = load_config("demo").train
    assert isinstance(build_schedule("warmup_cosine", _optimizer(), train), SCHEDULES.get("warmup_cosine"))
    with pytest.raises(ConfigError, match="available: warmup_cosine"):
        build_schedule("linear", _optimizer(), train)


# ---------------------------------------------------------------------------- sampler


def _old_batch(prefixes, seed, seq_length, micro_batch, step, micro):
    """The previous trainer's data path: every document in RAM, one stream, seeded offsets."""
    from morphtok.data.indexed import IndexedReader

    parts = []
    for prefix in prefixes:
        reader = IndexedReader(prefix)
        parts += [reader[i].astype(np.int64) for i in range(len(reader))]
    stream = np.concatenate(parts)
    length = seq_length + 1
    starts = np.random.default_rng([seed, step, micro]).integers(0, max(1, len(stream) - length), size=micro_batch)
    rows = [np.pad(stream[s : s + length], (0, length - len(stream[s : s + length])), constant_values=-100)
            for s in starts]
    return torch.tensor(np.stack(rows), dtype=torch.long)


def test_the_sampler_keeps_the_data_order_without_loading_the_data(train_data):
    from morphtok.train.sampler import TokenSampler

    prefixes = [str(train_data / "pre" / arm / "chunk_0001") for arm in ("baseline", "patok")]
    sampler = TokenSampler(prefixes, seed=7, seq_length=64, micro_batch=3, vocab_size=262_144)
    assert all(isinstance(part, np.memmap) for part in sampler.parts)  # nothing copied into RAM
    for step, micro in ((0, 0), (0, 1), (5, 3), (123, 0)):
        assert torch.equal(sampler.batch(step, micro), _old_batch(prefixes, 7, 64, 3, step, micro))
    # A window across the boundary between the two datasets reads both.
    edge = len(sampler.parts[0]) - 10
    expected = np.concatenate([np.asarray(sampler.parts[0][edge:]), np.asarray(sampler.parts[1][:10])])
    assert sampler.window(edge, 20).tolist() == expected.tolist()
    # Windows past the end are padded; the position and its checks travel with the state.
    huge = TokenSampler(prefixes[:1], seed=7, seq_length=sampler.num_tokens * 3, micro_batch=1, vocab_size=262_144)
    assert (huge.batch(0, 0)[0, -10:] == -100).all()
    sampler.advance()
    state = sampler.state_dict()
    again = TokenSampler(prefixes, seed=7, seq_length=64, micro_batch=3, vocab_size=262_144)
    again.load_state_dict(state)
    assert again.position == 1
    with pytest.raises(CheckpointError, match="num_tokens"):
        TokenSampler(prefixes[:1], seed=7, seq_length=64, micro_batch=3, vocab_size=262_144).load_state_dict(state)


def test_the_sampler_refuses_ids_the_model_cannot_embed(train_data):
    from morphtok.train.sampler import TokenSampler

    prefix = [str(train_data / "pre" / "baseline" / "chunk_0001")]
    with pytest.raises(DatasetError, match="past the model's vocabulary size 10"):
        TokenSampler(prefix, seed=0, seq_length=16, micro_batch=1, vocab_size=10).batch(0, 0)
    lookup = np.full(262_144, -1, dtype=np.int64)
    with pytest.raises(DatasetError, match="no id in the model's vocabulary map"):
        TokenSampler(prefix, seed=0, seq_length=16, micro_batch=1, vocab_size=10, lookup=lookup).batch(0, 0)


# ---------------------------------------------------------------------------- optimizers


def test_master_weights_track_fp32_adamw():
    """bf16 weights + fp32 masters follow fp32 AdamW (to bf16 rounding); the state round-trips exactly."""
    from morphtok.train.optimizer import MasterWeightAdamW, clip_gradients

    torch.manual_seed(0)
    reference = torch.nn.Linear(8, 4)
    model = torch.nn.Linear(8, 4).to(torch.bfloat16)
    model.load_state_dict({k: v.to(torch.bfloat16) for k, v in reference.state_dict().items()})
    reference.load_state_dict({k: v.to(torch.bfloat16).float() for k, v in reference.state_dict().items()})
    options = {"lr": 1e-2, "weight_decay": 0.1, "betas": (0.9, 0.95)}
    fp32, mixed = torch.optim.AdamW(reference.parameters(), **options), MasterWeightAdamW(model.parameters(), **options)
    inputs = torch.randn(5, 8)
    for _ in range(3):
        for net, optimizer in ((reference, fp32), (model, mixed)):
            optimizer.zero_grad()
            net(inputs.to(net.weight.dtype)).float().pow(2).mean().backward()
            clip_gradients(optimizer, 1.0)
            optimizer.step()
    assert all(m.dtype == torch.float32 for m in mixed.master) and model.weight.dtype == torch.bfloat16
    assert torch.allclose(mixed.master[0], reference.weight, atol=2e-2)
    assert torch.equal(model.weight, mixed.master[0].to(torch.bfloat16))
    state = mixed.state_dict()
    fresh_model = torch.nn.Linear(8, 4).to(torch.bfloat16)
    fresh = MasterWeightAdamW(fresh_model.parameters(), **options)
    fresh.load_state_dict(state)
    assert torch.equal(fresh.master[0], mixed.master[0]) and torch.equal(fresh_model.weight, model.weight)


def test_build_optimizer_picks_the_variant():
    from morphtok.config import load_config
    from morphtok.train.optimizer import MasterWeightAdamW, build_optimizer

    train = load_config("demo").train
    plain = build_optimizer(torch.nn.Linear(2, 2), train, "cpu")
    assert isinstance(plain, torch.optim.AdamW) and not plain.defaults.get("fused")
    assert isinstance(build_optimizer(torch.nn.Linear(2, 2).to(torch.bfloat16), train, "cpu"), MasterWeightAdamW)


def test_weights_dtype_selection():
    from morphtok.train.precision import weights_dtype

    assert weights_dtype("bf16-mixed", "bf16", "cuda:0", bf16_supported=True) is torch.bfloat16
    assert weights_dtype("bf16-mixed", "bf16", "cpu") is None  # CPU trains in fp32
    assert weights_dtype("fp32", "bf16", "cuda:0", bf16_supported=True) is None
    assert weights_dtype("bf16-mixed", "fp32", "cuda:0", bf16_supported=True) is None
    with pytest.raises(ConfigError, match="param_dtype"):
        weights_dtype("bf16-mixed", "fp16", "cuda:0")


# ---------------------------------------------------------------------------- metrics sink


def test_metrics_keep_each_step_once_across_a_resume(tmp_path, monkeypatch):
    from morphtok.train.metrics import MetricsSink

    monkeypatch.setenv("WANDB_MODE", "disabled")
    sink = MetricsSink(tmp_path, enabled=True, project="p", name="n")
    sink.start(None)
    for step in range(1, 6):
        sink.log({"step": step, "train/loss": float(step)})
    with open(sink.path, "a") as handle:
        handle.write('{"step": 6, "train/lo')  # torn by a kill
    again = MetricsSink(tmp_path, enabled=True, project="p", name="n")
    again.start(3)
    again.log({"step": 4, "train/loss": 40.0})
    rows = [json.loads(line) for line in again.path.read_text().splitlines()]
    assert [(r["step"], r["train/loss"]) for r in rows] == [(1, 1.0), (2, 2.0), (3, 3.0), (4, 40.0)]
    MetricsSink(tmp_path, enabled=True, project="p", name="n").start(None)
    assert not sink.path.exists()
    idle = MetricsSink(tmp_path / "rank1", enabled=False, project="p", name="n")
    idle.start(None)
    idle.log({"step": 1})
    assert not idle.path.exists()


def test_unreachable_reports_why():
    from morphtok.train.metrics import unreachable

    assert "not a URL" in unreachable("nonsense")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert unreachable(f"http://127.0.0.1:{port}", timeout=2) is not None
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert unreachable(f"http://127.0.0.1:{server.getsockname()[1]}", timeout=2) is None
