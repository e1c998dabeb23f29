"""The NeMo 2 continued-pretraining recipe for the cluster path, and its mapping onto NeMo objects.

``resolve`` turns the seed's Training Configuration tables into a plain dict. ``build`` maps
that dict onto NeMo 2's API (``nemo.collections.llm`` and ``nemo.lightning``, as in NeMo's own
``scripts/llm/gemma3_pretrain.py``): the HF checkpoint import, a ``PreTrainingDataModule`` over
the arm's Megatron dataset with the *shared baseline-tokenized* validation set (so the three
arms' validation losses are comparable), ``MegatronOptimizerModule`` (AdamW + cosine),
``ModelCheckpoint``, ``WandbLogger``, ``AutoResume`` (resume when a checkpoint exists, else
restore the imported HF weights) and a callback that records the step-0 loss of the starting
weights. ``build`` takes the NeMo modules as an argument, so the mapping is unit-tested here with
a recording stand-in; NeMo itself needs the container and GPUs and has never run on the
development machine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from morphtok.train.trainer import accumulation_steps


def resolve(*, data_path: str, checkpoint_dir: str, wandb_name: str, validation_path: str | None = None,
            max_steps: int = 10_000, model: str = "google/gemma-3-1b-pt", global_batch_size: int = 256,
            micro_batch_size: int = 2, num_gpus: int = 8, num_nodes: int = 1, seq_length: int = 2048,
            lr: float = 1e-4, min_lr: float = 1e-5, warmup_steps: int = 500, weight_decay: float = 0.1,
            grad_clip: float = 1.0, save_interval: int = 1000, val_interval: int = 500, log_interval: int = 10,
            wandb_project: str = "gemma3-seapile-cpt", seed: int = 1234) -> dict:
    """The seed's Training Configuration tables, with the derived accumulation checked."""
    world = num_gpus * num_nodes
    if validation_path:
        # One held-out set, tokenized by the baseline tokenizer, for every arm.
        paths: Any = {"train": [data_path], "validation": [validation_path], "test": [validation_path]}
    else:
        paths = [data_path]
    return {
        "model": {"hf_id": model, "import": f"hf://{model}", "restore": f"nemo://{model}", "seq_length": seq_length},
        "data": {"paths": paths, "seq_length": seq_length, "global_batch_size": global_batch_size,
                 "micro_batch_size": micro_batch_size, "split": None if validation_path else "99,1,0", "seed": seed},
        "trainer": {"devices": num_gpus, "num_nodes": num_nodes, "max_steps": max_steps, "precision": "bf16-mixed",
                    "val_check_interval": val_interval, "log_every_n_steps": log_interval,
                    "accumulate_grad_batches": accumulation_steps(global_batch_size, micro_batch_size, world)},
        "optim": {"name": "adam", "lr": lr, "min_lr": min_lr, "warmup_steps": warmup_steps,
                  "weight_decay": weight_decay, "clip_grad": grad_clip, "adam_beta1": 0.9, "adam_beta2": 0.95,
                  "scheduler": "CosineAnnealing"},
        "checkpoint": {"dir": checkpoint_dir, "every_n_train_steps": save_interval, "resume_if_exists": True,
                       "export_dir": str(Path(checkpoint_dir) / "hf_export")},
        "wandb": {"project": wandb_project, "name": wandb_name},
    }


def load_nemo_api() -> SimpleNamespace:  # pragma: no cover - needs the NeMo container
    """The NeMo 2 names ``build`` uses, imported from the installed NeMo."""
    import torch
    from lightning.pytorch import Callback
    from lightning.pytorch.loggers import WandbLogger
    from megatron.core.optimizer import OptimizerConfig
    from nemo import lightning as nl
    from nemo.collections import llm
    from nemo.collections.common.tokenizers.huggingface.auto_tokenizer import AutoTokenizer
    from nemo.lightning.pytorch.optim import CosineAnnealingScheduler, MegatronOptimizerModule

    return SimpleNamespace(llm=llm, nl=nl, OptimizerConfig=OptimizerConfig, WandbLogger=WandbLogger,
                           CosineAnnealingScheduler=CosineAnnealingScheduler, Callback=Callback,
                           MegatronOptimizerModule=MegatronOptimizerModule, AutoTokenizer=AutoTokenizer,
                           bf16=torch.bfloat16)


@dataclass
class StepZeroLoss:
    """Writes the loss of the first training batch, computed on the starting weights, to step0.json.

    It proves the pretrained weights loaded: a random-init Gemma 3 starts near ln(262144) = 12.5
    nats per token, the pretrained 1B far below. A resumed run (global step > 0) writes nothing.
    """

    out_file: Path

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if trainer.global_step > 1 or self.out_file.exists() or not getattr(trainer, "is_global_zero", True):
            return
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        if loss is None:
            loss = trainer.callback_metrics.get("reduced_train_loss")
        value = float(loss.detach().float().mean()) if hasattr(loss, "detach") else float(loss)
        self.out_file.parent.mkdir(parents=True, exist_ok=True)
        self.out_file.write_text(json.dumps({"step": 0, "train/loss": value}) + "\n", encoding="utf-8")
        print(f"step-0 loss on the starting weights: {value:.4f}", flush=True)


def build(recipe: dict, api: SimpleNamespace) -> dict[str, Any]:
    """NeMo objects for ``llm.pretrain(**result)``, built from ``recipe`` with the modules in ``api``."""
    m, d, t, o, c, w = (recipe[k] for k in ("model", "data", "trainer", "optim", "checkpoint", "wandb"))
    llm, nl = api.llm, api.nl
    model = llm.Gemma3Model(llm.Gemma3Config1B(seq_length=m["seq_length"]))
    data = llm.PreTrainingDataModule(
        paths=d["paths"], seq_length=d["seq_length"], tokenizer=api.AutoTokenizer(m["hf_id"]),
        micro_batch_size=d["micro_batch_size"], global_batch_size=d["global_batch_size"], seed=d["seed"],
        **({"split": d["split"]} if d["split"] else {}))
    strategy = nl.MegatronStrategy(tensor_model_parallel_size=1, pipeline_model_parallel_size=1,
                                   pipeline_dtype=api.bf16, ckpt_load_strictness="log_all")
    step_zero = type("StepZeroLossCallback", (StepZeroLoss, api.Callback), {})(Path(c["dir"]) / "step0.json")
    trainer = nl.Trainer(
        accelerator="gpu", devices=t["devices"], num_nodes=t["num_nodes"], max_steps=t["max_steps"],
        val_check_interval=t["val_check_interval"], log_every_n_steps=t["log_every_n_steps"],
        limit_val_batches=1.0, strategy=strategy, use_distributed_sampler=False,
        plugins=nl.MegatronMixedPrecision(precision=t["precision"]), callbacks=[step_zero])
    optim = api.MegatronOptimizerModule(
        config=api.OptimizerConfig(optimizer=o["name"], lr=o["lr"], min_lr=o["min_lr"], weight_decay=o["weight_decay"],
                                   clip_grad=o["clip_grad"], adam_beta1=o["adam_beta1"], adam_beta2=o["adam_beta2"],
                                   bf16=True, fp16=False, use_distributed_optimizer=True),
        lr_scheduler=api.CosineAnnealingScheduler(max_steps=t["max_steps"], warmup_steps=o["warmup_steps"],
                                                  constant_steps=0, min_lr=o["min_lr"]))
    checkpoint = nl.ModelCheckpoint(every_n_train_steps=c["every_n_train_steps"], save_last=True, save_top_k=-1,
                                    filename="{step}-{consumed_samples}")
    log = nl.NeMoLogger(explicit_log_dir=c["dir"], name=w["name"], ckpt=checkpoint,
                        wandb=api.WandbLogger(project=w["project"], name=w["name"]))
    resume = nl.AutoResume(resume_if_exists=c["resume_if_exists"], resume_ignore_no_checkpoint=True,
                           restore_config=nl.RestoreConfig(path=m["restore"]))
    return {"model": model, "data": data, "trainer": trainer, "log": log, "resume": resume, "optim": optim}


_STEP = re.compile(r"step=(\d+)")


def latest_checkpoint(checkpoint_dir: str | Path) -> Path | None:
    """The newest NeMo checkpoint under ``checkpoint_dir/checkpoints`` (highest step; '-last' on a tie)."""
    root = Path(checkpoint_dir) / "checkpoints"
    found = []
    for path in root.glob("*") if root.is_dir() else ():
        match = _STEP.search(path.name)
        if path.is_dir() and match and not path.name.endswith("-unfinished"):
            found.append((int(match.group(1)), path.name.endswith("-last"), path))
    return max(found)[2] if found else None


def run(recipe: dict, api: SimpleNamespace, export_only: bool = False) -> Path | None:  # pragma: no cover
    """Import the HF checkpoint once, pretrain (resuming when a checkpoint exists), export to HF."""
    import os

    llm = api.llm
    if not export_only:
        # Lightning re-executes this script once per extra GPU with LOCAL_RANK set: import only in the
        # launching process (NeMo keeps an imported checkpoint and skips a second import).
        if os.environ.get("LOCAL_RANK") is None:
            llm.import_ckpt(model=llm.Gemma3Model(llm.Gemma3Config1B()), source=recipe["model"]["import"])
        llm.pretrain(**build(recipe, api))
    last = latest_checkpoint(recipe["checkpoint"]["dir"])
    if last is None:
        return None
    return llm.export_ckpt(path=last, target="hf", output_path=Path(recipe["checkpoint"]["export_dir"]),
                           overwrite=True)
