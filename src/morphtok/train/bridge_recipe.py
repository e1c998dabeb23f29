"""The cluster path's training config on Megatron-Bridge: one study config in, one ``ConfigContainer`` out.

``build_config`` starts from Bridge's own Gemma 3 1B pretrain recipe
(``megatron.bridge.recipes.gemma.gemma3.gemma3_1b_pretrain_config``, Bridge 0.3.0, the version in
the pinned NeMo Framework container nvcr.io/nvidia/nemo:26.02) and sets every value of the seed's
Training Configuration tables from ``StudyConfig.train``: AdamW (Megatron's ``adam`` with decoupled
weight decay) lr -> min_lr cosine with linear warmup, weight decay (the scheduler's start/end weight
decay too: Megatron's scheduler overrides the optimizer's value every step), gradient clipping,
bf16-mixed, global/micro batch, sequence length, steps, checkpoint / validation / log intervals,
W&B project and run name, and the study seed. Data: the arm's merged dataset trains; the shared
held-out set, tokenized by the *baseline* tokenizer, validates and tests (``blend_per_split``), so
the three arms' validation losses compare. Checkpoints: ``save`` = ``load`` = the run's checkpoint
dir (auto-resume), ``pretrained_checkpoint`` = the Megatron import of the HF weights (used only
when ``load`` holds no checkpoint), ``most_recent_k`` = ``train.keep_last``; ``ckpt_step`` pins
the checkpoint the resume check chose (:mod:`morphtok.cluster.resume`).

Bridge is imported inside the functions: this module also loads where Bridge is absent (the
renderer's checks, ``--help``). ``tests/bridge`` builds and validates the real config with the real
Bridge on CPU (``make test``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from morphtok.config import StudyConfig
from morphtok.errors import ConfigError

BRIDGE_VERSION = "0.3.0"
MEGATRON_CORE_VERSION = "0.16.0"
CONTAINER = "nvcr.io#nvidia/nemo:26.02"

# HF model id -> Bridge pretrain recipe (module, function). Gemma 3 1B pt and it share one architecture.
RECIPES = {
    "google/gemma-3-1b-pt": ("megatron.bridge.recipes.gemma.gemma3", "gemma3_1b_pretrain_config"),
    "google/gemma-3-1b-it": ("megatron.bridge.recipes.gemma.gemma3", "gemma3_1b_pretrain_config"),
}
# morphtok precision name -> Bridge mixed-precision recipe name
PRECISIONS = {"bf16-mixed": "bf16_mixed", "fp16-mixed": "16_mixed", "16-mixed": "16_mixed"}


@dataclass(frozen=True)
class RunInputs:
    """Everything about one arm's run that is not a hyper-parameter: paths, resume point, W&B dir."""

    data_path: str  # the arm's merged Megatron prefix
    save_dir: str  # checkpoints of this run (save = load)
    pretrained_dir: str  # Megatron import of the HF weights
    validation_path: str | None = None  # baseline-tokenized shared held-out prefix; None = split the arm's data
    validation_tokens: int | None = None  # tokens in the validation set (sets eval_iters); None = Bridge's default
    ckpt_step: int | None = None  # the complete checkpoint to resume from (None = Bridge's tracker / pretrained)
    wandb_name: str = ""
    wandb_save_dir: str | None = None
    tensorboard_dir: str | None = None


def check_supported(cfg: StudyConfig, *, where: str = "") -> None:
    """Refuse, before any job is written, what the Bridge path cannot run."""
    t = cfg.train
    if t.model not in RECIPES:
        raise ConfigError(f"train.model '{t.model}' has no Megatron-Bridge recipe here", where=where or None,
                          hint=f"supported on the cluster path: {', '.join(sorted(RECIPES))}; "
                               "other models: train.launcher: torchrun (the local trainer)")
    if t.precision not in PRECISIONS:
        raise ConfigError(f"train.precision '{t.precision}' is not one of {', '.join(sorted(PRECISIONS))}",
                          where=where or None)
    if t.lr_schedule != "warmup_cosine":  # the recipe maps Megatron's own scheduler onto the seed's schedule
        raise ConfigError(f"train.lr_schedule '{t.lr_schedule}' has no Megatron-Bridge mapping (warmup_cosine only)",
                          where=where or None, hint="registered schedules run in the local trainer (launcher torchrun)")
    for key in ("seq_length", "global_batch_size", "micro_batch_size", "max_steps", "save_interval",
                "val_interval", "log_interval", "num_gpus", "num_nodes", "keep_last"):
        if getattr(t, key) < 1:
            raise ConfigError(f"train.{key} must be >= 1, got {getattr(t, key)}", where=where or None)
    if t.num_nodes != 1:
        raise ConfigError(f"train.num_nodes is {t.num_nodes}: the Bridge job launches one node",
                          where=where or None, hint="use 1 node (the seed's 8 GPUs), or train.launcher: torchrun")
    data_parallel = t.num_gpus * t.num_nodes
    if t.global_batch_size % (t.micro_batch_size * data_parallel):
        raise ConfigError(
            f"train.global_batch_size {t.global_batch_size} is not a multiple of micro_batch_size "
            f"{t.micro_batch_size} x {data_parallel} GPUs", where=where or None,
            hint="the seed: 256 = 2 x 8 x 16 accumulation steps")
    if not 0 < t.min_lr <= t.lr:
        raise ConfigError(f"train.min_lr {t.min_lr} must be in (0, lr={t.lr}]", where=where or None)


def eval_iters(validation_tokens: int | None, seq_length: int, global_batch_size: int) -> int | None:
    """Validation batches that cover the held-out set once (at least one; None: Bridge's default)."""
    if validation_tokens is None:
        return None
    return max(1, math.floor(validation_tokens / (seq_length * global_batch_size)))


def build_config(cfg: StudyConfig, run: RunInputs) -> Any:
    """The Bridge ``ConfigContainer`` of one arm's run (not yet finalized: see ``finalize``)."""
    import importlib

    check_supported(cfg)
    t = cfg.train
    module, name = RECIPES[t.model]
    recipe = getattr(importlib.import_module(module), name)
    split: dict[str, Any] = (
        {"train_data_path": [run.data_path], "valid_data_path": [run.validation_path],
         "test_data_path": [run.validation_path]}
        if run.validation_path else {"data_paths": [run.data_path]}
    )
    c = recipe(
        hf_path=t.model, dir=run.save_dir, name=run.wandb_name or "run", **split,
        train_iters=t.max_steps, global_batch_size=t.global_batch_size, micro_batch_size=t.micro_batch_size,
        seq_length=t.seq_length, lr=t.lr, min_lr=t.min_lr, lr_warmup_iters=t.warmup_steps,
        eval_interval=t.val_interval, save_interval=t.save_interval, use_null_tokenizer=False,
        precision_config=PRECISIONS[t.precision],
    )
    if not run.validation_path:
        c.dataset.split = "99,1,0"  # no shared held-out set: 1% of the arm's own documents
    c.optimizer.weight_decay = t.weight_decay
    c.scheduler.start_weight_decay = c.scheduler.end_weight_decay = t.weight_decay
    c.scheduler.weight_decay_incr_style = "constant"
    c.optimizer.clip_grad = t.grad_clip
    c.rng.seed = c.dataset.random_seed = cfg.seed
    iters = eval_iters(run.validation_tokens, t.seq_length, t.global_batch_size)
    if iters is not None:
        c.train.eval_iters = iters
    # SIGTERM (scheduler time limit or preemption, forwarded by the job): save a checkpoint, then exit.
    c.train.exit_signal_handler = True
    c.logger.log_interval = t.log_interval
    c.logger.wandb_project = t.wandb_project
    c.logger.wandb_exp_name = run.wandb_name
    c.logger.wandb_save_dir = run.wandb_save_dir
    c.logger.tensorboard_dir = run.tensorboard_dir or f"{run.save_dir}/tb_logs"
    ck = c.checkpoint
    ck.save = ck.load = run.save_dir
    ck.pretrained_checkpoint = run.pretrained_dir
    ck.save_interval = t.save_interval
    ck.most_recent_k = t.keep_last
    ck.ckpt_step = run.ckpt_step
    return c


def finalize(container: Any) -> Any:
    """Bridge's own finalisation and validation (``runtime_config_update``), as ``pretrain`` runs it."""
    from megatron.bridge.training.config import runtime_config_update

    runtime_config_update(container)
    return container
