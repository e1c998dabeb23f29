"""The NeMo 2 cluster path: the seed's tables reach the right NeMo arguments.

NeMo cannot be installed on the CPU development machine, so ``build`` is driven with a stand-in
that records every constructor call (a fake of NeMo, not of our code); ``run_cpt.py --dry-run``
and the checkpoint lookup run for real.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from morphtok.config import load_config
from morphtok.errors import MorphtokError
from morphtok.train.nemo_recipe import StepZeroLoss, build, latest_checkpoint, resolve

ROOT = Path(__file__).resolve().parents[1]


class Recorded:
    """What a NeMo constructor was called with."""

    def __init__(self, name: str, args: tuple, kwargs: dict):
        self.name, self.args, self.kwargs = name, args, kwargs


def recording_api() -> SimpleNamespace:
    def ctor(name):
        return lambda *args, **kwargs: Recorded(name, args, kwargs)

    names = ("Gemma3Model", "Gemma3Config1B", "PreTrainingDataModule", "import_ckpt", "pretrain", "export_ckpt")
    llm = SimpleNamespace(**{n: ctor(n) for n in names})
    nl = SimpleNamespace(**{n: ctor(n) for n in ("MegatronStrategy", "Trainer", "MegatronMixedPrecision",
                                                  "ModelCheckpoint", "NeMoLogger", "AutoResume", "RestoreConfig")})
    return SimpleNamespace(llm=llm, nl=nl, bf16="bf16", Callback=object,
                           **{n: ctor(n) for n in ("OptimizerConfig", "WandbLogger", "CosineAnnealingScheduler",
                                                   "MegatronOptimizerModule", "AutoTokenizer")})


@pytest.fixture
def seed_recipe(tmp_path) -> dict:
    t = load_config("gemma3-1b-seapile").train
    return resolve(data_path="/workspace/data/processed/patok/seapile", checkpoint_dir=str(tmp_path / "ckpt"),
                   wandb_name="gemma3-1b-patok", validation_path="/workspace/data/processed/validation/baseline",
                   max_steps=t.max_steps, model=t.model, global_batch_size=t.global_batch_size,
                   micro_batch_size=t.micro_batch_size, num_gpus=t.num_gpus, num_nodes=t.num_nodes,
                   seq_length=t.seq_length, lr=t.lr, min_lr=t.min_lr, warmup_steps=t.warmup_steps,
                   weight_decay=t.weight_decay, grad_clip=t.grad_clip, save_interval=t.save_interval,
                   val_interval=t.val_interval, log_interval=t.log_interval, wandb_project=t.wandb_project)


def test_seed_tables_reach_the_nemo_arguments(seed_recipe):
    parts = build(seed_recipe, recording_api())
    assert set(parts) == {"model", "data", "trainer", "log", "resume", "optim"}
    data = parts["data"].kwargs
    assert data["paths"] == {"train": ["/workspace/data/processed/patok/seapile"],
                             "validation": ["/workspace/data/processed/validation/baseline"],
                             "test": ["/workspace/data/processed/validation/baseline"]}
    assert "split" not in data  # NeMo ignores split with per-split paths; we do not pass one
    assert (data["seq_length"], data["global_batch_size"], data["micro_batch_size"], data["seed"]) == (2048, 256, 2, 1234)
    assert data["tokenizer"].args == ("google/gemma-3-1b-pt",)
    trainer = parts["trainer"].kwargs
    assert (trainer["devices"], trainer["num_nodes"], trainer["max_steps"]) == (8, 1, 10_000)
    assert (trainer["val_check_interval"], trainer["log_every_n_steps"]) == (500, 10)
    assert trainer["plugins"].kwargs == {"precision": "bf16-mixed"}
    assert [type(c).__name__ for c in trainer["callbacks"]] == ["StepZeroLossCallback"]
    opt = parts["optim"].kwargs["config"].kwargs
    assert (opt["optimizer"], opt["lr"], opt["weight_decay"], opt["clip_grad"], opt["bf16"]) == ("adam", 1e-4, 0.1, 1.0, True)
    sched = parts["optim"].kwargs["lr_scheduler"].kwargs
    assert (sched["warmup_steps"], sched["min_lr"], sched["max_steps"]) == (500, 1e-5, 10_000)
    log = parts["log"].kwargs
    assert log["ckpt"].kwargs["every_n_train_steps"] == 1000
    assert log["wandb"].kwargs == {"project": "gemma3-seapile-cpt", "name": "gemma3-1b-patok"}
    resume = parts["resume"].kwargs
    assert resume["resume_if_exists"] is True
    assert resume["restore_config"].kwargs == {"path": "nemo://google/gemma-3-1b-pt"}  # the imported HF weights
    assert seed_recipe["trainer"]["accumulate_grad_batches"] == 16  # 256 / (8 x 2)


def test_without_a_shared_validation_set_the_arm_data_is_split():
    recipe = resolve(data_path="d", checkpoint_dir="c", wandb_name="w")
    data = build(recipe, recording_api())["data"].kwargs
    assert data["paths"] == ["d"] and data["split"] == "99,1,0"


def test_a_global_batch_that_does_not_divide_is_refused():
    with pytest.raises(MorphtokError, match="256"):
        resolve(data_path="d", checkpoint_dir="c", wandb_name="w", num_gpus=3)


def test_step_zero_loss_is_written_once_and_not_on_resume(tmp_path):
    out = tmp_path / "step0.json"
    callback = StepZeroLoss(out)
    resumed = SimpleNamespace(global_step=1001, callback_metrics={})
    callback.on_train_batch_end(resumed, None, {"loss": 2.5}, None, 0)
    assert not out.exists()
    fresh = SimpleNamespace(global_step=1, callback_metrics={})
    callback.on_train_batch_end(fresh, None, {"loss": 2.5}, None, 0)
    assert json.loads(out.read_text()) == {"step": 0, "train/loss": 2.5}
    callback.on_train_batch_end(fresh, None, {"loss": 9.0}, None, 1)
    assert json.loads(out.read_text())["train/loss"] == 2.5


def test_latest_checkpoint_picks_the_highest_step(tmp_path):
    assert latest_checkpoint(tmp_path) is None
    root = tmp_path / "checkpoints"
    for name in ("step=999-consumed_samples=256000.0", "step=1999-consumed_samples=512000.0",
                 "step=1999-consumed_samples=512000.0-last", "step=2999-consumed_samples=768000.0-unfinished"):
        (root / name).mkdir(parents=True)
    (root / "step=5000.txt").write_text("not a checkpoint")
    assert latest_checkpoint(tmp_path).name == "step=1999-consumed_samples=512000.0-last"


def test_run_cpt_dry_run_prints_the_recipe(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "training/nemo/run_cpt.py"), "--data-path", "p", "--checkpoint-dir", str(tmp_path),
         "--wandb-name", "gemma3-1b-baseline", "--validation-path", "v", "--dry-run"],
        capture_output=True, text=True, check=True)
    recipe = json.loads(result.stdout)
    assert recipe["data"]["paths"]["validation"] == ["v"]
    assert recipe["checkpoint"]["export_dir"] == str(tmp_path / "hf_export")


def test_run_cpt_without_nemo_says_where_to_run(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "training/nemo/run_cpt.py"), "--data-path", "p", "--checkpoint-dir", str(tmp_path),
         "--wandb-name", "w"], capture_output=True, text=True)
    assert result.returncode == 2 and "NeMo container" in result.stderr
