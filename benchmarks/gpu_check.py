"""GPU acceptance check of the local trainer (issue #16 point 6): one command, one summary block.

    python benchmarks/gpu_check.py                 # on a GPU machine, < 8 minutes on one H200/A100
    python benchmarks/gpu_check.py --smoke         # CPU plumbing check (tiny model, gloo): what CI runs
    python benchmarks/gpu_check.py --steps 60 --set train.param_dtype=bf16 --set train.gradient_checkpointing=false

Needs only torch + transformers (+ numpy, tokenizers, pyyaml, which transformers pulls in) and
this project on ``PYTHONPATH`` (``PYTHONPATH=src``); no download, no network. Stages, each timed:

1. **train**: Gemma 3 1B architecture (``morphtok.train.models.GEMMA3_1B``, 999.9M parameters)
   with random weights on ``cuda:0``, the trainer's own components (memory-mapped
   :class:`TokenSampler` over a synthetic indexed dataset, :class:`CausalLMLoss` with the
   chunked cross-entropy, fused AdamW, warmup-cosine schedule, :mod:`morphtok.train.step`) and
   the ``gemma3-1b-seapile`` train settings: micro-batch 2 x seq 2048, bf16-mixed, gradient
   checkpointing; 2 micro-batches per step (so accumulation runs) and a check learning rate
   (5e-4 after 5 warmup steps, cosine to 5e-5) so that the loss visibly goes down in ``--steps`` steps. The data is
   learnable (each token follows its predecessor by a fixed random bigram map 80% of the time,
   else a Zipf draw over 4,096 ids). Prints tokens/s/GPU over the steps after the first 3,
   MFU and peak memory. PASS: finite losses, mean of the last 3 below the first 3 by ``--min-drop``.
   MFU = model FLOPs / time / peak: model FLOPs per token = 6 x (decoder matmul weights + the
   tied output head) + 3 x attention (4 x heads x head_dim x mean attended length: (seq+1)/2 in
   global layers, the sliding window's in local ones), recomputation not counted. Peak bf16 dense
   tensor FLOPs assumed per GPU kind: :data:`PEAK_BF16_TFLOPS` (``--peak-tflops`` overrides).
2. **memory**: the same step accounted on fake tensors (:mod:`morphtok.train.memory`, what
   ``tests/test_train_memory.py`` asserts fits 40 GB). PASS: the accounted peak is at least 0.8x
   the measured ``max_memory_allocated`` (the accounting must not under-estimate).
3. **ddp**: ``init_process_group`` (NCCL; gloo with ``--smoke``) at world size 1 in this process;
   one step through the DDP wrapper (``no_sync`` on the first micro-batch, all-reduce on the last)
   from the same weights and batches as one step without it, plus all_reduce / broadcast / barrier.
   PASS: loss equal within 1e-3 relative, gradient norm within 1e-2 relative.
4. **mcq**: ``morphtok.eval.scoring.ScoringModel.score_many`` on 4 questions x 4 options with a small
   random-weight Gemma 3 model and a BPE tokenizer trained here, on the CPU and on the GPU (the eval
   code makes its tensors on the default device, so the GPU side runs under ``torch.device("cuda")``).
   PASS: every option's log-likelihood within 1e-3 nats (fp32 on both), same argmax per question.

Exit status 0 when every stage passes and the total stays within ``--budget-s`` (480 s), 1 when a
stage fails, 2 without a GPU and without ``--smoke``. With ``--smoke`` everything runs on the CPU
(tiny model, vocab 512, seq 64, 16 steps, gloo, fp32): the GPU side of stage 4 is the CPU again.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import socket
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Dense bf16 tensor-core peaks from NVIDIA's datasheets (no sparsity), TFLOP/s per GPU; first match wins.
PEAK_BF16_TFLOPS = (("GH200", 989.4), ("H200", 989.4), ("H100 PCIe", 756.0), ("H100 NVL", 835.0), ("H100", 989.4),
                    ("A100", 312.0), ("A800", 312.0), ("L40S", 362.1), ("RTX 6000 Ada", 364.2), ("L4", 121.0))
QUESTIONS = [
    ("Ano ang salitang-ugat ng 'kumain'? Sagot:", ["kain", "kumain", "ain", "kuma"]),
    ("Alin ang pandiwa? Sagot:", ["tumakbo", "bahay", "maganda", "mesa"]),
    ("Ano ang maramihan ng 'bata'? Sagot:", ["mga bata", "bata", "batang", "ang bata"]),
    ("Piliin ang tamang baybay: Sagot:", ["pagkain", "pagkaen", "pag-kain", "pagkainn"]),
]


@dataclass
class Stage:
    name: str
    ok: bool
    seconds: float
    detail: str


@dataclass
class Plan:
    smoke: bool
    device: str
    backend: str
    model_config: dict
    steps: int
    min_drop: float


def _peak_tflops(name: str, override: float | None) -> tuple[float | None, str]:
    if override:
        return override, f"{override:g} TFLOP/s (--peak-tflops)"
    for kind, tflops in PEAK_BF16_TFLOPS:
        if kind in name:
            return tflops, f"{tflops:g} TFLOP/s ({kind} dense bf16)"
    return None, "unknown for this GPU kind (pass --peak-tflops)"


def flops_per_token(config: dict, seq_length: int) -> float:
    """Training model FLOPs per token (see the module docstring), recomputation excluded."""
    from transformers import Gemma3TextConfig

    hidden, heads = config["hidden_size"], config["num_attention_heads"] * config["head_dim"]
    kv = config["num_key_value_heads"] * config["head_dim"]
    per_layer = 2 * hidden * heads + 2 * hidden * kv + 3 * hidden * config["intermediate_size"]
    matmul = config["num_hidden_layers"] * per_layer + config["vocab_size"] * hidden
    positions = np.arange(1, seq_length + 1)
    attended = {"full_attention": positions.mean(),
                "sliding_attention": np.minimum(positions, config.get("sliding_window", seq_length)).mean()}
    text_config = Gemma3TextConfig(**config)
    pattern = getattr(text_config, "sliding_window_pattern", 6)  # transformers < 4.53 has no layer_types
    layer_types = getattr(text_config, "layer_types", None) or [
        "full_attention" if (i + 1) % pattern == 0 else "sliding_attention" for i in range(text_config.num_hidden_layers)]
    attention = sum(4 * heads * attended[kind] for kind in layer_types)
    return 6 * matmul + 3 * attention


def _train_config(plan: Plan, sets: list[str]):
    from morphtok.config import load_config

    micro, seq = (2, 64) if plan.smoke else (2, 2048)
    base = [f"train.micro_batch_size={micro}", f"train.seq_length={seq}", f"train.global_batch_size={2 * micro}",
            "train.lr=0.0005", "train.min_lr=0.00005", "train.warmup_steps=5", f"train.max_steps={plan.steps}"]
    if plan.smoke:
        base += ["train.lr=0.01", "train.min_lr=0.001", "train.precision=fp32"]
    return load_config("gemma3-1b-seapile", [*base, *sets]).train


def synthetic_dataset(directory: Path, vocab: int, tokens: int, seed: int = 0) -> str:
    """A learnable indexed dataset: bigram-map successors 80% of the time, else Zipf draws over 4,096 ids."""
    from morphtok.data.indexed import IndexedWriter, optimal_dtype

    rng = np.random.default_rng(seed)
    ids = np.arange(10, min(vocab, 4106))
    successor = rng.permutation(ids)
    lookup = np.zeros(vocab, dtype=np.int64)
    lookup[ids] = successor
    zipf = ids[np.minimum(rng.zipf(1.3, size=tokens), len(ids)) - 1]
    follow = rng.random(tokens) < 0.8
    stream = np.empty(tokens, dtype=np.int64)
    stream[0] = zipf[0]
    for i in range(1, tokens):
        stream[i] = lookup[stream[i - 1]] if follow[i] else zipf[i]
    prefix = directory / "synthetic"
    with IndexedWriter(prefix, optimal_dtype(vocab)) as writer:
        for document in np.array_split(stream, max(1, tokens // 4096)):
            writer.add_document(document)
    return str(prefix)


def _model(plan: Plan, train_cfg):
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    from morphtok.train.models import enable_activation_checkpointing
    from morphtok.train.precision import weights_dtype

    torch.manual_seed(0)
    with torch.device(plan.device):
        model = Gemma3ForCausalLM(Gemma3TextConfig(**plan.model_config))
    dtype = weights_dtype(train_cfg.precision, train_cfg.param_dtype, plan.device)
    if dtype is not None:
        model.to(dtype)
    model.train()
    if train_cfg.gradient_checkpointing:
        enable_activation_checkpointing(model)
    return model


def _step(loss_module, optimizer, batches, train_cfg, plan: Plan, dist, step: int) -> tuple[float, float]:
    from morphtok.train.precision import autocast
    from morphtok.train.step import accumulate_gradients, finish_step

    optimizer.zero_grad(set_to_none=True)
    total = accumulate_gradients(loss_module, batches, accumulation=2, autocast=autocast(train_cfg.precision,
                                 plan.device), dist=dist, device=plan.device)
    return finish_step(optimizer, total, grad_clip=train_cfg.grad_clip, step=step, where="gpu_check")


def stage_train(plan: Plan, train_cfg, prefix: str, peak: float | None, state: dict) -> str:
    import torch

    from morphtok.train.distributed import DistContext
    from morphtok.train.loss import CausalLMLoss
    from morphtok.train.optimizer import build_optimizer
    from morphtok.train.sampler import TokenSampler
    from morphtok.train.schedules import build_schedule

    model = _model(plan, train_cfg)
    loss_module = CausalLMLoss(model, train_cfg.loss_chunk_size)
    optimizer = build_optimizer(model, train_cfg, plan.device)
    schedule = build_schedule(train_cfg.lr_schedule, optimizer, train_cfg)
    sampler = TokenSampler([prefix], seed=0, seq_length=train_cfg.seq_length, micro_batch=train_cfg.micro_batch_size,
                           vocab_size=plan.model_config["vocab_size"])
    if plan.device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    losses, stamps = [], [time.perf_counter()]
    for step in range(1, plan.steps + 1):
        schedule.step()
        losses.append(_step(loss_module, optimizer, sampler.micro_batches(range(2)), train_cfg, plan, DistContext(),
                            step)[0])
        sampler.advance()
        stamps.append(time.perf_counter())
    state.update(model=model, loss_module=loss_module, sampler=sampler)
    timed = stamps[-1] - stamps[3]
    tokens = 2 * train_cfg.micro_batch_size * train_cfg.seq_length * (plan.steps - 3)
    rate = tokens / timed
    mfu = f"MFU {100 * rate * flops_per_token(plan.model_config, train_cfg.seq_length) / (peak * 1e12):.1f}%" \
        if peak else "MFU n/a"
    memory = "peak memory n/a on CPU"
    if plan.device.startswith("cuda"):
        state["allocated"] = torch.cuda.max_memory_allocated()
        memory = (f"peak memory {state['allocated'] / 2**30:.2f} GiB allocated / "
                  f"{torch.cuda.max_memory_reserved() / 2**30:.2f} GiB reserved")
    first, last = float(np.mean(losses[:3])), float(np.mean(losses[-3:]))
    detail = (f"{sum(p.numel() for p in model.parameters()) / 1e6:.1f}M params, micro-batch "
              f"{train_cfg.micro_batch_size} x {train_cfg.seq_length}, 2 micro-batches/step, {train_cfg.precision}, "
              f"weights {train_cfg.param_dtype}, checkpointing {'on' if train_cfg.gradient_checkpointing else 'off'}: "
              f"{plan.steps} steps; {rate:,.0f} tokens/s/GPU; {mfu}; {memory}; loss {first:.2f} -> {last:.2f} "
              f"(mean of first/last 3)")
    if not last < first - plan.min_drop:
        raise AssertionError(f"the loss did not go down by {plan.min_drop}: {detail}")
    return detail


def stage_memory(plan: Plan, train_cfg, state: dict) -> str:
    from morphtok.train.memory import step_peak_memory

    report = step_peak_memory(plan.model_config, train_cfg, micro_steps=2, steps=2)
    if "allocated" not in state:
        return f"accounted {report.summary()}; nothing measured to compare on CPU"
    ratio = report.peak / state["allocated"]
    detail = f"accounted {report.summary()} = {ratio:.2f}x the measured {state['allocated'] / 2**30:.2f} GiB"
    if ratio < 0.8:
        raise AssertionError(f"the accounting under-estimates the measured peak: {detail}")
    return detail


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stage_ddp(plan: Plan, train_cfg, state: dict) -> str:
    import torch
    import torch.distributed as dist

    from morphtok.train.distributed import (
        DistContext,
        all_reduce_sum,
        barrier,
        broadcast_from_main,
        teardown,
        wrap_model,
    )
    from morphtok.train.optimizer import build_optimizer

    model, loss_module, sampler = state["model"], state["loss_module"], state["sampler"]
    snapshot = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
    batches = [sampler.batch(10_000, k) for k in range(2)]
    plain = _step(loss_module, build_optimizer(model, train_cfg, plan.device), iter(batches), train_cfg, plan,
                  DistContext(), 1)
    model.load_state_dict(snapshot)
    dist.init_process_group(plan.backend, init_method=f"tcp://127.0.0.1:{_free_port()}", rank=0, world_size=1)
    ctx = DistContext(rank=0, local_rank=0, world_size=1, device=plan.device, backend=plan.backend, owns_group=True)
    try:
        wrapped = wrap_model(loss_module, ctx)
        assert isinstance(wrapped, torch.nn.parallel.DistributedDataParallel)
        ddp = _step(wrapped, build_optimizer(model, train_cfg, plan.device), iter(batches), train_cfg, plan, ctx, 1)
        assert all_reduce_sum([1.0, 2.0], ctx) == [1.0, 2.0] and broadcast_from_main("rank0", ctx) == "rank0"
        barrier(ctx)
    finally:
        teardown(ctx)
    detail = (f"{plan.backend} world size 1: DDP step loss {ddp[0]:.6f} vs {plain[0]:.6f} without DDP, "
              f"grad norm {ddp[1]:.4f} vs {plain[1]:.4f}; all_reduce, broadcast, barrier ok")
    if abs(ddp[0] - plain[0]) > 1e-3 * abs(plain[0]) or abs(ddp[1] - plain[1]) > 1e-2 * abs(plain[1]):
        raise AssertionError(f"DDP and plain steps differ: {detail}")
    return detail


def small_tokenizer():
    """A 600-piece BPE trained here (specials <pad>=0, <eos>=1, <bos>=2, as Gemma's), as a morphtok Tokenizer."""
    from tokenizers import Tokenizer as HFTokenizer
    from tokenizers import models, normalizers, pre_tokenizers, trainers

    from morphtok.segment.tokenizer import Tokenizer

    text = [q for q, _ in QUESTIONS] + [o for _, options in QUESTIONS for o in options]
    text += ["Kumain kami ng masarap na pagkain kahapon.", "Tumakbo ang mga bata sa parke."] * 10
    hf = HFTokenizer(models.BPE(unk_token="<unk>"))
    hf.normalizer = normalizers.Replace(" ", "▁")
    hf.pre_tokenizer = pre_tokenizers.Split("▁", behavior="merged_with_next")
    hf.train_from_iterator(text * 5, trainer=trainers.BpeTrainer(
        vocab_size=600, special_tokens=["<pad>", "<eos>", "<bos>", "<unk>"], show_progress=False))
    return Tokenizer(hf, name="gpu-check-bpe")


def stage_mcq(plan: Plan) -> str:
    import torch

    from morphtok.eval.scoring import ScoringModel
    from morphtok.train.models import LoadedModel, tiny_model

    tokenizer = small_tokenizer()
    model = tiny_model(tokenizer.vocab_size, seed=0).eval()
    cpu = ScoringModel(LoadedModel(model, tokenizer, None, "random", "float32")).score_many(QUESTIONS)
    on_device = copy.deepcopy(model).to(plan.device)
    with torch.device(plan.device):
        device = ScoringModel(LoadedModel(on_device, tokenizer, None, "random", "float32")).score_many(QUESTIONS)
    worst = max(abs(a - b) for x, y in zip(cpu, device, strict=True) for a, b in zip(x, y, strict=True))
    same = sum(int(np.argmax(x) == np.argmax(y)) for x, y in zip(cpu, device, strict=True))
    detail = (f"CPU vs {plan.device}: {sum(map(len, cpu))} option log-likelihoods, max |difference| {worst:.1e} nats "
              f"(tolerance 1e-3), same answer on {same}/{len(QUESTIONS)} questions")
    if worst > 1e-3 or same != len(QUESTIONS):
        raise AssertionError(detail)
    return detail


def _run(name: str, fn, stages: list[Stage]) -> None:
    print(f"[gpu_check] {name} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    try:
        detail, ok = fn(), True
    except Exception as err:  # a failed stage is reported and the next stages still run
        detail, ok = f"{type(err).__name__}: {err}", False
        traceback.print_exc(file=sys.stderr)
    stages.append(Stage(name, ok, time.perf_counter() - start, detail))


def _plan(args) -> Plan:
    from morphtok.train.models import GEMMA3_1B, TINY

    if args.smoke:
        return Plan(True, "cpu", "gloo", {**TINY, "vocab_size": 512}, args.steps or 16, args.min_drop or 0.3)
    return Plan(False, "cuda:0", "nccl", dict(GEMMA3_1B), args.steps or 40, args.min_drop or 1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="CPU plumbing check: tiny model, few steps, gloo")
    parser.add_argument("--steps", type=int, default=0, help="training steps (default 40; --smoke 16)")
    parser.add_argument("--min-drop", type=float, default=0.0, help="required loss drop in nats (default 1.0; 0.3)")
    parser.add_argument("--peak-tflops", type=float, default=None, help="peak bf16 TFLOP/s of this GPU, for MFU")
    parser.add_argument("--budget-s", type=float, default=480.0, help="fail when all stages take longer")
    parser.add_argument("--set", dest="sets", action="append", default=[], help="train.KEY=VALUE override")
    args = parser.parse_args()
    import torch
    import transformers

    if not args.smoke and not torch.cuda.is_available():
        print("gpu_check: no CUDA GPU visible (torch.cuda.is_available() is False). Run it on a GPU machine, "
              "or pass --smoke for the CPU plumbing check.", file=sys.stderr)
        return 2
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    plan = _plan(args)
    name = torch.cuda.get_device_name(0) if not plan.smoke else "CPU (--smoke)"
    peak, peak_text = _peak_tflops(name, args.peak_tflops) if not plan.smoke else (None, "n/a on CPU")
    if plan.device.startswith("cuda"):
        torch.cuda.set_device(0)
    train_cfg = _train_config(plan, args.sets)
    stages: list[Stage] = []
    state: dict = {}
    begin = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tokens = 64 * (train_cfg.seq_length + 1) * 8
        prefix = synthetic_dataset(Path(tmp), plan.model_config["vocab_size"], tokens)
        _run("train", lambda: stage_train(plan, train_cfg, prefix, peak, state), stages)
        _run("memory", lambda: stage_memory(plan, train_cfg, state), stages)
        if "model" in state:
            _run("ddp", lambda: stage_ddp(plan, train_cfg, state), stages)
        else:
            stages.append(Stage("ddp", False, 0.0, "not run: the train stage failed"))
        state.clear()
        with contextlib.suppress(RuntimeError, AssertionError):
            torch.cuda.empty_cache()
        _run("mcq", lambda: stage_mcq(plan), stages)
    total = time.perf_counter() - begin
    within = total <= args.budget_s
    print("==== morphtok GPU check ====")
    print(f"device: {name} ({plan.device}); torch {torch.__version__}, transformers {transformers.__version__}, "
          f"CUDA {torch.version.cuda}; peak assumed for MFU: {peak_text}")
    for stage in stages:
        print(f"[{'PASS' if stage.ok else 'FAIL'}] {stage.name:<6} {stage.seconds:6.1f} s  {stage.detail}")
    verdict = all(s.ok for s in stages) and within
    print(f"total {total:.1f} s (budget {args.budget_s:g} s{'' if within else ': OVER'}): {'PASS' if verdict else 'FAIL'}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
