"""Training speed and peak memory of the local trainer vs a plain HF ``Trainer``, in one run.

For each model (``tiny``: the vocab-trimmed random-init model the trainer builds from
the data; ``gemma3-270m``: the local dequantized GGUF), both trainers run the same
number of steps on the same work:

* data: the bundled sample corpus, preprocessed once (baseline arm) into a temp dir;
  the HF side gets exactly the sequences the local trainer draws (``Trainer.sampler.batch``),
  as a torch Dataset of ``input_ids`` / ``shift_labels`` in the same order;
* model: the HF side builds its model by constructing the local trainer (same seed,
  same vocab map, same weights) and takes ``.model``; fp32, no autocast on either side;
* optimizer: ``torch.optim.AdamW`` with the trainer's settings (lr, weight decay to every
  parameter, betas 0.9/0.95), a constant learning rate and grad-norm clipping at
  ``train.grad_clip`` on both sides. The HF side gets the optimizer through
  ``optimizers=``, since its default (fused AdamW, no decay on norm weights) is other
  math. With the same weights, data and optimizer the first step's losses of the two runs
  must agree to float rounding: the script prints that difference as the check that both
  did the same work, and the largest over all steps (later steps drift apart by more than
  rounding: AdamW's first updates are ~lr x sign(gradient), so rounding-level gradient
  differences of near-zero entries become lr-sized weight differences);
* batch ``--batch`` x ``--seq-length`` tokens per step, no accumulation, the same torch
  thread count (``--threads``, exported as OMP_NUM_THREADS), logging every step,
  no evaluation and no checkpoints: the benchmark subclass of the local trainer skips its
  step-0/final validation, checkpoint and export (HF: ``save_strategy="no"``,
  ``eval_strategy="no"``, ``report_to=[]``, ``dataloader_num_workers=0``, ``use_cpu=True``).

Left as each trainer does it: the loss (local: the chunked output-head cross-entropy of
``morphtok.train.loss``, which never holds all batch x seq x vocab logits; HF: the model's own
``ForCausalLMLoss`` over its full logits, sum / target count: the same value; on gemma3-270m the
local side's head gradients were measured 10x closer to a float64 reference, 1.1e-6 vs 1.2e-5
relative error). No logit softcapping on either side (Gemma 3's config has none). The ``tiny``
vocab map here is built from the baseline arm and the held-out text only; a study builds
it from all three arms, so its model is slightly larger.

Speed: wall time between the ends of consecutive optimizer steps (the whole loop:
batch, forward, backward, clip, step, logging), excluding the first ``--warmup``
steps; tokens/s = input tokens per step x timed steps / their time (the median step in
parentheses, more robust on a busy machine). Setup and model loading are not timed.
With ``--rounds R`` each side runs R times, alternating which goes first (so a load
change on the machine hits both alike), and the rates pool the timed steps of all rounds;
the per-round ratios are printed too.
Memory: each run is a fresh Python process and reports its own peak RSS (ru_maxrss),
setup included. Target: local / HF tokens/s >= 1.0x.

    python benchmarks/train_speed.py [--models tiny,gemma3-270m] [--steps N | tiny=30,gemma3-270m=4]
                                     [--rounds tiny=4,gemma3-270m=1] [--seq-length 256] [--batch 8]
                                     [--threads 1] [--warmup 1]

On this 2-core machine the default run takes ~10-15 minutes, nearly all of it gemma3-270m
(~1-1.5 min per 8 x 256-token step on one core, plus loading it in each process).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# gemma3-270m: one step of 8 x 256 tokens is ~1-1.5 min on one core of this machine, and the
# logits alone (8 x 256 x 262,144 fp32) are 2 GB.
DEFAULT_STEPS = {"tiny": 30, "gemma3-270m": 4}
# The tiny model's ratio moves by a few percent between runs on a busy machine: several rounds,
# alternating which side goes first, pool its steps. gemma3-270m is too slow to repeat by default.
DEFAULT_ROUNDS = {"tiny": 4, "gemma3-270m": 1}


# --------------------------------------------------------------------------- workers (fresh processes)


def _config(spec: dict):
    from morphtok.config import load_config

    never = spec["steps"] + 1  # no validation or checkpoint inside the timed loop
    cfg = load_config("demo", [
        f"train.model={spec['model']}", f"train.seq_length={spec['seq_length']}",
        f"train.global_batch_size={spec['batch']}", f"train.micro_batch_size={spec['batch']}",
        f"train.max_steps={spec['steps']}", "train.warmup_steps=0", "train.log_interval=1",
        f"train.val_interval={never}", f"train.save_interval={never}", "train.precision=fp32",
    ])
    cfg.train.min_lr = cfg.train.lr  # constant lr: the same schedule as the HF side's "constant"
    return cfg


def _local_trainer_class():
    from morphtok.train.trainer import EXPORT, Trainer

    class BenchTrainer(Trainer):
        """The local trainer, timed at every logged step; no validation, checkpoint or export."""

        stamps: list[float]
        losses: dict[int, float]

        def _train_step(self) -> tuple[float, float]:
            loss, grad_norm = super()._train_step()
            self.losses[self.step + 1] = loss
            return loss, grad_norm

        def _step_and_log(self) -> None:
            import time

            super()._step_and_log()  # the whole step: batch, forward, backward, clip, update, logging
            self.stamps.append(time.perf_counter())

        def validate(self) -> tuple[float, float]:
            return float("nan"), float("nan")

        def save(self) -> Path:
            return self.dir

        def export(self) -> Path:
            return self.dir / EXPORT

    return BenchTrainer


def _build(spec: dict, directory: Path):
    cls = _local_trainer_class()
    trainer = cls(_config(spec), "baseline", [spec["prefix"]], spec["validation"], directory)
    trainer.stamps, trainer.losses = [], {}
    return trainer


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_local(spec: dict) -> dict:
    trainer = _build(spec, Path(spec["tmp"]) / "local")
    params = sum(p.numel() for p in trainer.model.parameters())
    trainer.train()
    import torch

    return {"stamps": trainer.stamps, "losses": [trainer.losses[s] for s in sorted(trainer.losses)],
            "threads": torch.get_num_threads(), "params": params, "rss_mb": _peak_rss_mb()}


def worker_hf(spec: dict) -> dict:
    import time

    import torch
    from transformers import Trainer as HFTrainer
    from transformers import TrainerCallback, TrainingArguments

    local = _build(spec, Path(spec["tmp"]) / "hf-init")  # only for its model and its batches
    model, tc = local.model, local.train_cfg
    batches = [local.sampler.batch(step, 0) for step in range(spec["steps"])]  # micro-batch 0: no accumulation
    del local.optimizer
    rows = [row for batch in batches for row in batch]

    class Rows(torch.utils.data.Dataset):
        def __len__(self) -> int:
            return len(rows)

        def __getitem__(self, i: int) -> dict:
            # As the local trainer: inputs row[:-1] (padding -100 clamped to 0), targets row[1:]. With
            # shift_labels the HF loss does not shift again; labels is only there to make the model compute it.
            return {"input_ids": rows[i][:-1].clamp(min=0), "labels": rows[i][1:], "shift_labels": rows[i][1:]}

    class Stamps(TrainerCallback):
        def __init__(self) -> None:
            self.stamps: list[float] = []

        def on_step_end(self, args, state, control, **kwargs):
            self.stamps.append(time.perf_counter())

    torch.set_num_threads(spec["threads"])
    args = TrainingArguments(
        output_dir=str(Path(spec["tmp"]) / "hf"), max_steps=spec["steps"], per_device_train_batch_size=spec["batch"],
        gradient_accumulation_steps=1, learning_rate=tc.lr, lr_scheduler_type="constant", warmup_steps=0,
        weight_decay=tc.weight_decay, adam_beta1=0.9, adam_beta2=0.95, max_grad_norm=tc.grad_clip,
        logging_strategy="steps", logging_steps=1, save_strategy="no", eval_strategy="no", report_to=[],
        dataloader_num_workers=0, dataloader_pin_memory=False, use_cpu=True, disable_tqdm=True,
        train_sampling_strategy="sequential", seed=local.cfg.seed, bf16=False, fp16=False,
        remove_unused_columns=False,  # else shift_labels (a **kwargs of forward) is dropped and labels shift twice
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=tc.lr, weight_decay=tc.weight_decay, betas=(0.9, 0.95))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)
    stamps = Stamps()
    hf = HFTrainer(model=model, args=args, train_dataset=Rows(), optimizers=(optimizer, scheduler), callbacks=[stamps])
    hf.train()
    losses = [row["loss"] for row in hf.state.log_history if "loss" in row]
    return {"stamps": stamps.stamps, "losses": losses, "threads": torch.get_num_threads(),
            "params": sum(p.numel() for p in model.parameters()), "rss_mb": _peak_rss_mb()}


# --------------------------------------------------------------------------- driver


def measure(side: str, spec: dict) -> dict:
    """One training run (``local`` or ``hf``) in a fresh interpreter: its step times, losses and peak RSS."""
    env = {**os.environ, "OMP_NUM_THREADS": str(spec["threads"]), "MKL_NUM_THREADS": str(spec["threads"]),
           "MORPHTOK_PROGRESS": "0", "WANDB_MODE": "disabled", "TOKENIZERS_PARALLELISM": "false",
           "TRANSFORMERS_VERBOSITY": "error"}
    done = subprocess.run([sys.executable, __file__, "--worker", side, "--spec", json.dumps(spec)],
                          capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"{side} run of {spec['model']} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def step_times(result: dict, warmup: int) -> list[float]:
    """Durations of the steps after ``warmup`` (step 1 has no start, so it is never timed)."""
    stamps = result["stamps"]  # stamps[j - 1]: end of step j
    return [stamps[j - 1] - stamps[j - 2] for j in range(max(warmup + 1, 2), len(stamps) + 1)]


def rates(steps: list[float], tokens_per_step: int, warmup: int) -> tuple[float, float, int]:
    """(tokens/s over the timed steps, tokens/s of the median step, timed steps)."""
    if not steps:
        raise SystemExit(f"nothing to time: raise --steps above {max(warmup, 1)} or lower --warmup")
    return tokens_per_step * len(steps) / sum(steps), tokens_per_step / statistics.median(steps), len(steps)


def _per_model(text: str, models: list[str], defaults: dict[str, int], option: str) -> dict[str, int]:
    """``--steps`` / ``--rounds``: "" (defaults), "N" (every model) or "MODEL=N,..." (the others keep their default)."""
    values = {m: defaults[m] for m in models}
    if text.strip().isdigit():
        return dict.fromkeys(models, int(text))
    for item in filter(None, (i.strip() for i in text.split(","))):
        model, _, count = item.partition("=")
        if model not in defaults or not count.isdigit():
            raise ValueError(f"{option}: '{item}' is not N or MODEL=N with MODEL in {', '.join(defaults)}")
        values[model] = int(count)
    return values


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="tiny,gemma3-270m", help="comma-separated: tiny, gemma3-270m")
    parser.add_argument("--steps", default="",
                        help="steps per run: N for every model, or MODEL=N,... (default: "
                        + ",".join(f"{k}={v}" for k, v in DEFAULT_STEPS.items()) + ")")
    parser.add_argument("--rounds", default="",
                        help="runs per side, alternating which goes first: N or MODEL=N,... (default: "
                        + ",".join(f"{k}={v}" for k, v in DEFAULT_ROUNDS.items()) + ")")
    parser.add_argument("--seq-length", type=int, default=256)
    parser.add_argument("--batch", type=int, default=8, help="sequences per step (no accumulation)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for both sides (1: oversubscribed threads spin on a busy 2-core machine)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="first steps left out of the timing (step 1 always is: it allocates the AdamW state)")
    parser.add_argument("--worker", choices=["local", "hf"], help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    return parser


def compare(model: str, spec: dict, rounds: int, warmup: int, tokens_per_step: int, tmp: str) -> None:
    """Run both sides ``rounds`` times (alternating which goes first) and print the ratio lines."""
    runs: dict[str, list[dict]] = {"local": [], "hf": []}
    for round_index in range(max(1, rounds)):
        order = ("local", "hf") if round_index % 2 == 0 else ("hf", "local")
        for side in order:
            runs[side].append(measure(side, {**spec, "tmp": str(Path(tmp) / model / f"{side}-{round_index}")}))
    ours, theirs = runs["local"][0], runs["hf"][0]
    ours_steps = [t for run in runs["local"] for t in step_times(run, warmup)]
    theirs_steps = [t for run in runs["hf"] for t in step_times(run, warmup)]
    ours_rate, ours_median, timed = rates(ours_steps, tokens_per_step, warmup)
    theirs_rate, theirs_median, _ = rates(theirs_steps, tokens_per_step, warmup)
    per_round = [rates(step_times(a, warmup), 1, warmup)[0] / rates(step_times(b, warmup), 1, warmup)[0]
                 for a, b in zip(runs["local"], runs["hf"], strict=True)]
    pairs = [(a, b) for run_a in runs["local"] for run_b in runs["hf"]
             for a, b in zip(run_a["losses"], run_b["losses"], strict=True)]
    first = max(abs(run_a["losses"][0] - run_b["losses"][0]) for run_a in runs["local"] for run_b in runs["hf"])
    diff = max(abs(a - b) for a, b in pairs)
    print(f"{model} ({ours['params'] / 1e6:.1f}M params, {timed} steps timed per side over "
          f"{len(per_round)} round(s) of {spec['steps']} steps): "
          f"morphtok {ours_rate:,.0f} tokens/s (median step {ours_median:,.0f}); "
          f"HF Trainer {theirs_rate:,.0f} tokens/s (median step {theirs_median:,.0f}); "
          f"ratio {ours_rate / theirs_rate:.2f}x (median {ours_median / theirs_median:.2f}x; target >= 1.0x); "
          f"per round {', '.join(f'{r:.2f}x' for r in per_round)}")
    ours_rss, theirs_rss = max(r["rss_mb"] for r in runs["local"]), max(r["rss_mb"] for r in runs["hf"])
    print(f"{model} peak RSS: morphtok {ours_rss:,.0f} MB, HF Trainer {theirs_rss:,.0f} MB; "
          f"torch threads {ours['threads']}/{theirs['threads']}; "
          f"step-1 |loss difference| {first:.1e} (same work: ~1e-6 of the loss); max over {spec['steps']} steps "
          f"{diff:.1e} (the two losses' fp32 rounding, amplified by AdamW's first steps)")


def main() -> None:
    parser = _parser()
    args = parser.parse_args()
    if args.worker:
        worker = worker_local if args.worker == "local" else worker_hf
        print(json.dumps(worker(json.loads(args.spec))))
        return

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ["MORPHTOK_PROGRESS"] = "0"
    from morphtok.data.indexed import IndexedReader
    from morphtok.data.preprocess import preprocess, write_validation
    from morphtok.lang.fil.corpus import sample_corpus_path

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(models) - set(DEFAULT_STEPS))
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(DEFAULT_STEPS)}")
    try:
        steps_of = _per_model(args.steps, models, DEFAULT_STEPS, "--steps")
        rounds_of = _per_model(args.rounds, models, DEFAULT_ROUNDS, "--rounds")
    except ValueError as err:
        parser.error(str(err))
    tokens_per_step = args.batch * args.seq_length
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "pre" / "baseline" / "chunk_0001"
        preprocess(sample_corpus_path(), prefix, "baseline", val_fraction=0.15)
        validation = Path(tmp) / "validation.jsonl"
        write_validation(sample_corpus_path(), validation, 0.15)
        reader = IndexedReader(prefix)
        print(f"data: bundled sample corpus, baseline arm: {len(reader)} documents, {reader.num_tokens:,} tokens; "
              f"{args.batch} x {args.seq_length} = {tokens_per_step:,} tokens/step; {args.threads} torch thread(s); "
              f"first {args.warmup} step(s) not timed")
        for model in models:
            spec = {"model": model, "steps": steps_of[model], "seq_length": args.seq_length, "batch": args.batch,
                    "threads": args.threads, "prefix": str(prefix), "validation": str(validation)}
            compare(model, spec, rounds_of[model], args.warmup, tokens_per_step, tmp)


if __name__ == "__main__":
    main()
