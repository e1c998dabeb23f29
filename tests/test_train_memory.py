"""The torchrun path fits: the peak memory of a Gemma 3 1B training step (issue #16 point 5).

Accounted on fake tensors (no GPU, no weights: :mod:`morphtok.train.memory`), running the
trainer's own step with the seed's settings (micro-batch 2 x 2048 tokens, bf16-mixed).
"""

from __future__ import annotations

import pytest

from morphtok.config import load_config
from morphtok.train.memory import step_peak_memory
from morphtok.train.models import GEMMA3_1B

GIB = 2**30
A100_40GB = 40_536 * 2**20  # total memory nvidia-smi reports for an A100-SXM4-40GB
CONTEXT = 1 * GIB  # CUDA context, cuBLAS workspace, NCCL buffers: not tensors, so not accounted
FRAGMENTATION = 1.10  # the caching allocator holds more than the live tensors


@pytest.mark.slow
def test_gemma3_1b_step_fits_a_40gb_gpu_with_the_default_settings():
    train = load_config("gemma3-1b-seapile").train
    assert (train.micro_batch_size, train.seq_length, train.precision) == (2, 2048, "bf16-mixed")  # the seed's
    report = step_peak_memory(GEMMA3_1B, train)
    assert report.parameters == 999_885_952  # Gemma 3 1B (tied embeddings), as its model card counts
    assert report.parameters_bytes == pytest.approx(4 * report.parameters, rel=1e-3)  # fp32 weights
    assert report.optimizer_bytes == pytest.approx(8 * report.parameters, rel=1e-3)  # two fp32 moments
    assert report.peak * FRAGMENTATION + CONTEXT <= A100_40GB, report.summary()


def test_memory_switches_lower_the_peak():
    """Gradient checkpointing and the chunked loss each lower the accounted peak (4 layers of the 1B)."""
    small = {**GEMMA3_1B, "num_hidden_layers": 4}
    base = ["train.micro_batch_size=2", "train.seq_length=2048", "train.gradient_checkpointing=false"]

    def peak(*sets: str):
        # Two steps of one micro-batch: the second runs with the optimizer state allocated.
        return step_peak_memory(small, load_config("gemma3-1b-seapile", [*base, *sets]).train, micro_steps=1, steps=2)

    plain = peak()
    recomputed = peak("train.gradient_checkpointing=true")
    whole = peak("train.loss_chunk_size=4096")  # all 2 x 2048 positions in one chunk
    # 4 layers of 2 x 2048 tokens keep ~0.4 GiB each without recomputation.
    assert plain.peak - recomputed.peak > 1 * GIB, (plain.summary(), recomputed.summary())
    # One chunk is 4096 x 262,144 fp32 logits (4 GiB): chunks of 1024 keep a quarter of that.
    assert whole.peak - plain.peak > 2.5 * GIB, (plain.summary(), whole.summary())
    bf16 = peak("train.param_dtype=bf16")
    assert bf16.parameters_bytes == pytest.approx(plain.parameters_bytes / 2, rel=1e-3)
