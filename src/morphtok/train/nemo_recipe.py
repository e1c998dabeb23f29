"""The NeMo 2 continued-pretraining recipe for the cluster path, as a plain dict.

``training/nemo/run_cpt.py`` turns this into NeMo objects inside the NeMo container
(``nemo.collections.llm``: import the HF checkpoint, PreTrainingDataModule over the
Megatron datasets, MegatronStrategy, AutoResume, WandbLogger). What it computes is
unit-tested here; NeMo itself cannot run on this CPU machine.
"""

from __future__ import annotations

from morphtok.train.trainer import accumulation_steps


def resolve(*, data_path: str, checkpoint_dir: str, wandb_name: str, max_steps: int = 10_000,
            model: str = "google/gemma-3-1b-pt", global_batch_size: int = 256, micro_batch_size: int = 2,
            num_gpus: int = 8, num_nodes: int = 1, seq_length: int = 2048, lr: float = 1e-4, min_lr: float = 1e-5,
            warmup_steps: int = 500, weight_decay: float = 0.1, grad_clip: float = 1.0,
            save_interval: int = 1000, val_interval: int = 500, log_interval: int = 10,
            wandb_project: str = "gemma3-seapile-cpt") -> dict:
    """The seed's Training Configuration tables, with the derived accumulation checked."""
    world = num_gpus * num_nodes
    return {
        "model": {"hf_id": model, "import": f"hf://{model}", "seq_length": seq_length},
        "data": {"paths": [data_path], "seq_length": seq_length, "global_batch_size": global_batch_size,
                 "micro_batch_size": micro_batch_size, "split": "99,1,0"},
        "trainer": {"devices": num_gpus, "num_nodes": num_nodes, "max_steps": max_steps, "precision": "bf16-mixed",
                    "val_check_interval": val_interval, "log_every_n_steps": log_interval,
                    "gradient_clip_val": grad_clip, "accumulate_grad_batches": accumulation_steps(global_batch_size, micro_batch_size, world)},
        "optim": {"name": "adamw", "lr": lr, "min_lr": min_lr, "warmup_steps": warmup_steps,
                  "weight_decay": weight_decay, "scheduler": "CosineAnnealing"},
        "checkpoint": {"dir": checkpoint_dir, "every_n_train_steps": save_interval, "resume_if_exists": True},
        "wandb": {"project": wandb_project, "name": wandb_name},
    }
