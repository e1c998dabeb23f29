"""torchrun/DDP: two gloo processes on CPU train exactly like one process with twice the accumulation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from morphtok.config import load_config
from morphtok.errors import ConfigError
from morphtok.train.distributed import micro_indices, setup
from morphtok.train.trainer import accumulation_steps, run

STEPS = 4
SETS = [f"train.max_steps={STEPS}", "train.save_interval=2", "train.val_interval=2", "train.log_interval=1",
        "train.seq_length=32", "train.warmup_steps=2", "train.precision=fp32"]


def _rows(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / "metrics.jsonl").read_text().splitlines()]


def _weights(directory: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(directory / "export" / "model.safetensors")


def test_ranks_split_the_single_process_micro_batches():
    """Rank r's micro-batches are the r-th contiguous block of the single-process ones."""
    for world, global_batch, micro in ((2, 4, 2), (2, 8, 2), (4, 256, 2), (8, 256, 2)):
        single = accumulation_steps(global_batch, micro, 1)
        per_rank = accumulation_steps(global_batch, micro, world)
        assert per_rank * world == single
        blocks = [list(micro_indices(rank, per_rank)) for rank in range(world)]
        assert sum(blocks, []) == list(micro_indices(0, single))
    with pytest.raises(ConfigError, match=r"global_batch_size 6 is not a multiple .*\(2 x 2 = 4\)"):
        accumulation_steps(6, 2, 2)


def test_setup_without_torchrun_is_one_process():
    ctx = setup({})
    assert (ctx.world_size, ctx.rank, ctx.enabled, ctx.is_main) == (1, 0, False, True)
    assert setup({"WORLD_SIZE": "1"}).enabled is False
    with pytest.raises(ConfigError, match="RANK or LOCAL_RANK"):
        setup({"WORLD_SIZE": "2"})


@pytest.mark.slow
@pytest.mark.parametrize(("global_batch", "micro_batch"), [(4, 2), (8, 2)], ids=["accum2-vs-1x2", "accum4-vs-2x2"])
def test_torchrun_two_processes_match_one_process(train_data, tmp_path, monkeypatch, global_batch, micro_batch):
    """(a) one process accumulating ``global / micro`` micro-batches; (b) ``torchrun
    --nproc_per_node 2`` (gloo) with the same config, so each rank accumulates half as many
    (1: plain DDP; 2: also the ``no_sync`` path). Logged losses and final weights agree."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # one thread per process, in both runs
    monkeypatch.setenv("MORPHTOK_PROGRESS", "0")
    monkeypatch.setenv("WANDB_MODE", "disabled")
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    sets = [*SETS, f"train.global_batch_size={global_batch}", f"train.micro_batch_size={micro_batch}"]
    prefix, validation = str(train_data / "pre" / "patok" / "chunk_0001"), train_data / "validation_short.jsonl"

    threads = torch.get_num_threads()
    try:
        run(load_config("demo", sets), "patok", [prefix], str(validation), tmp_path / "single")
    finally:
        torch.set_num_threads(threads)

    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--standalone",
               "-m", "morphtok.cli", "train", "--config", "demo", "--arm", "patok", "--data-path", prefix,
               "--validation", str(validation), "--checkpoint-dir", str(tmp_path / "ddp")]
    for item in sets:
        command += ["--set", item]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-4000:]
    assert "gloo, world size 2" in result.stderr
    assert result.stdout.count("exported") == 1, "only rank 0 reports"

    single, ddp = _rows(tmp_path / "single"), _rows(tmp_path / "ddp")
    # Only rank 0 wrote metrics.jsonl: each event once, the same events as the single process.
    assert [(r["step"], sorted(r)) for r in ddp] == [(r["step"], sorted(r)) for r in single]
    for a, b in zip(single, ddp, strict=True):
        assert b["step"] in range(STEPS + 1)
        for key in ("train/loss", "train/grad_norm", "val/loss", "val/bpb"):
            if key in a:
                assert b[key] == pytest.approx(a[key], abs=1e-5), (b["step"], key)
        if "train/consumed_samples" in a:
            assert b["train/consumed_samples"] == a["train/consumed_samples"] == b["step"] * global_batch

    expected, got = _weights(tmp_path / "single"), _weights(tmp_path / "ddp")
    assert expected.keys() == got.keys()
    for name, tensor in expected.items():
        assert (got[name] - tensor).abs().max().item() <= 1e-5, name
    # Checkpoints were written once, by rank 0, with nothing half-written left behind.
    assert sorted(p.name for p in (tmp_path / "ddp").glob("step_*")) == ["step_0000002", "step_0000004"]
    assert not list((tmp_path / "ddp").glob(".tmp*"))


def test_precision_selection():
    from morphtok.train.precision import autocast, autocast_dtype

    assert autocast_dtype("bf16-mixed", "cuda:0", bf16_supported=True) is torch.bfloat16
    assert autocast_dtype("bf16-mixed", "cuda:0", bf16_supported=False) is None
    assert autocast_dtype("bf16-mixed", "cpu") is None  # CPU trains in fp32
    assert autocast_dtype("fp32", "cuda:0", bf16_supported=True) is None
    with pytest.raises(ConfigError, match="fp16"):
        autocast_dtype("fp16", "cpu")
    with autocast("bf16-mixed", "cpu")():
        assert not torch.is_autocast_enabled()
