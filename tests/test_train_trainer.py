from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from process_kill import kill_when

from morphtok.config import load_config
from morphtok.errors import ConfigError, DatasetError
from morphtok.train.schedules import warmup_cosine as learning_rate
from morphtok.train.trainer import (
    Trainer,
    accumulation_steps,
    evaluate_bpb,
    run,
    validation_documents,
)

OVERRIDES = ["train.max_steps=8", "train.save_interval=4", "train.val_interval=4", "train.log_interval=1",
             "train.seq_length=64", "train.global_batch_size=4", "train.micro_batch_size=2", "train.warmup_steps=2"]


@pytest.fixture
def data(train_data):
    return train_data  # tests/conftest.py: shared with the other trainer tests


def _losses(directory: Path) -> dict[int, float]:
    rows = [json.loads(line) for line in (directory / "metrics.jsonl").read_text().splitlines()]
    return {r["step"]: r["train/loss"] for r in rows if "train/loss" in r}


def test_resume_reproduces_the_uninterrupted_losses(data, tmp_path, one_thread):
    cfg = load_config("demo", OVERRIDES)
    prefixes, validation = [str(data / "pre" / "patok" / "chunk_0001")], str(data / "validation_short.jsonl")
    run(cfg, "patok", prefixes, validation, tmp_path / "full")
    full = _losses(tmp_path / "full")
    assert sorted(full) == list(range(1, 9))
    # Simulate a crash right after the step-4 checkpoint: drop later state and rerun the same command.
    crashed = tmp_path / "crashed"
    shutil.copytree(tmp_path / "full", crashed)
    shutil.rmtree(crashed / "export")
    shutil.rmtree(crashed / "step_0000008")
    rows = [json.loads(line) for line in (crashed / "metrics.jsonl").read_text().splitlines()]
    # Rows of the "killed" run carry a marker: a resumed run keeps them, a fresh start would rewrite
    # the file. (Training is deterministic, so equal losses alone would not prove a resume.)
    kept = [{**r, "before_crash": True} for r in rows if r["step"] <= 4]
    (crashed / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept))

    # Every component stands where it stood after step 4 of the uninterrupted run.
    trainer = Trainer(cfg, "patok", prefixes, validation, crashed)
    assert trainer.resume() is True
    assert (trainer.step, trainer.sampler.position, trainer.schedule.next_step) == (4, 4, 4)
    saved = torch.load(crashed / "step_0000004" / "state.pt", weights_only=True)
    restored = trainer.optimizer.state_dict()["state"]
    assert restored.keys() == saved["optimizer"]["state"].keys() and restored
    for key, moments in saved["optimizer"]["state"].items():
        assert torch.equal(restored[key]["exp_avg"], moments["exp_avg"]), key
    del trainer

    run(cfg, "patok", prefixes, validation, crashed)
    rows = [json.loads(line) for line in (crashed / "metrics.jsonl").read_text().splitlines()]
    assert all(r.get("before_crash") for r in rows if r["step"] <= 4), "the rerun started afresh instead of resuming"
    assert not any(r.get("before_crash") for r in rows if r["step"] > 4)
    resumed = _losses(crashed)
    assert sorted(resumed) == list(range(1, 9))
    for step in range(5, 9):
        assert resumed[step] == pytest.approx(full[step], abs=1e-6)


def test_export_reproduces_trainer_logits(data, tmp_path, one_thread):
    from transformers import AutoModelForCausalLM

    cfg = load_config("demo", OVERRIDES)
    trainer = Trainer(cfg, "baseline", [str(data / "pre" / "baseline" / "chunk_0001")], str(data / "validation_short.jsonl"),
                      tmp_path / "ck")
    export = trainer.train()
    reloaded = AutoModelForCausalLM.from_pretrained(export)
    batch = trainer.sampler.batch(0, 0)[:, :-1].clamp(min=0)
    trainer.model.to("cpu").eval()  # the trainer uses CUDA when there is one
    with torch.no_grad():
        assert torch.allclose(trainer.model(input_ids=batch).logits, reloaded(input_ids=batch).logits, atol=1e-5)
    assert (export / "morphtok_vocab.npy").is_file() and (export / "tokenizer.json").is_file()


def test_any_checkpoint_loads_and_exports(data, tmp_path, one_thread):
    """A ``step_*`` checkpoint is a model dir of its own (evaluation loads it) and
    ``morphtok export`` turns any step's checkpoint into a HF model directory."""
    from transformers import AutoModelForCausalLM

    from morphtok.train.cli import export as export_command
    from morphtok.train.models import load_causal_lm

    cfg = load_config("demo", OVERRIDES)
    trainer = Trainer(cfg, "baseline", [str(data / "pre" / "baseline" / "chunk_0001")], str(data / "validation_short.jsonl"),
                      tmp_path / "ck")
    trainer.train()
    batch = trainer.sampler.batch(0, 0)[:, :-1].clamp(min=0)
    trainer.model.to("cpu").eval()
    final = load_causal_lm(str(tmp_path / "ck" / "step_0000008"))
    assert final.vocab_map is not None and final.tokenizer.content_hash == trainer.tokenizer.content_hash
    middle = load_causal_lm(str(tmp_path / "ck" / "step_0000004"))
    export_command(str(tmp_path / "ck" / "step_0000004"), out=str(tmp_path / "step4"))
    exported = AutoModelForCausalLM.from_pretrained(tmp_path / "step4")
    assert json.loads((tmp_path / "step4" / "morphtok_model.json").read_text())["step"] == 4
    with torch.no_grad():
        ours = trainer.model(input_ids=batch).logits
        assert torch.allclose(final.model(input_ids=batch).logits, ours, atol=1e-5)
        step4 = middle.model(input_ids=batch).logits
        assert torch.allclose(exported(input_ids=batch).logits, step4, atol=1e-5)
        assert not torch.allclose(step4, ours, atol=1e-3)  # really the earlier weights


def test_one_vocabulary_for_all_arms(data, tmp_path):
    """Given every arm's datasets, each arm's tiny model has the same vocabulary (and size)."""
    cfg = load_config("demo", OVERRIDES)
    every_arm = [str(data / "pre" / arm / "chunk_0001") for arm in ("baseline", "patok")]
    a = Trainer(cfg, "baseline", every_arm[:1], str(data / "validation.jsonl"), tmp_path / "a", vocab_prefixes=every_arm)
    b = Trainer(cfg, "patok", every_arm[1:], str(data / "validation.jsonl"), tmp_path / "b", vocab_prefixes=every_arm)
    assert a.vocab_map.kept.tolist() == b.vocab_map.kept.tolist()
    assert a.model.get_input_embeddings().num_embeddings == b.model.get_input_embeddings().num_embeddings
    alone = Trainer(cfg, "patok", every_arm[1:], str(data / "validation.jsonl"), tmp_path / "c")
    assert len(alone.vocab_map) < len(b.vocab_map)  # the declared datasets, not a glob, decide


def test_schedule_and_accumulation():
    assert accumulation_steps(256, 2, 8) == 16
    with pytest.raises(ConfigError, match="not a multiple"):
        accumulation_steps(250, 2, 8)
    assert learning_rate(0, 1e-4, 1e-5, 500, 10_000) == pytest.approx(2e-7)
    assert learning_rate(500, 1e-4, 1e-5, 500, 10_000) == pytest.approx(1e-4)
    assert learning_rate(10_000, 1e-4, 1e-5, 500, 10_000) == pytest.approx(1e-5)


def test_bad_inputs_are_refused(data, tmp_path):
    cfg = load_config("demo", OVERRIDES)
    with pytest.raises(DatasetError, match="not found"):
        Trainer(cfg, "baseline", [str(tmp_path / "missing")], str(data / "validation.jsonl"), tmp_path / "x")
    stats = data / "pre" / "baseline" / "chunk_0001.stats.json"
    forged = tmp_path / "forged"
    for suffix in (".bin", ".idx"):
        shutil.copy(f"{data / 'pre' / 'baseline' / 'chunk_0001'}{suffix}", f"{forged}{suffix}")
    record = json.loads(stats.read_text())
    record["tokenizer_hash"] = "0" * 64
    Path(f"{forged}.stats.json").write_text(json.dumps(record))
    with pytest.raises(DatasetError, match="different tokenizer"):
        Trainer(cfg, "baseline", [str(forged)], str(data / "validation.jsonl"), tmp_path / "y")
    with pytest.raises(ConfigError, match="unknown key"):
        load_config("demo", ["train.learning_rate=1"])


def test_uncommitted_or_changed_datasets_are_refused(data, tmp_path):
    """A dataset without its commit marker (killed preprocess) or whose files changed is never trained on."""
    cfg = load_config("demo", OVERRIDES)
    source = data / "pre" / "baseline" / "chunk_0001"
    copy = tmp_path / "copy"
    for suffix in (".bin", ".idx"):
        shutil.copy(f"{source}{suffix}", f"{copy}{suffix}")
    with pytest.raises(DatasetError, match="uncommitted dataset"):
        Trainer(cfg, "baseline", [str(copy)], str(data / "validation.jsonl"), tmp_path / "x")
    shutil.copy(f"{source}.stats.json", f"{copy}.stats.json")
    with open(f"{copy}.bin", "ab") as handle:
        handle.write(b"\0\0")  # one more token: another run's data under the same stats.json
    with pytest.raises(DatasetError, match="does not match its stats.json"):
        Trainer(cfg, "baseline", [str(copy)], str(data / "validation.jsonl"), tmp_path / "y")


def test_pretrained_weights_load_step0_bpb(data):
    """gemma3-270m's step-0 bpb is far below a random model's: the weights really loaded."""
    from morphtok.train.models import load_causal_lm, tiny_model

    loaded = load_causal_lm("gemma3-270m")
    docs = validation_documents(data / "validation.jsonl", loaded.tokenizer)[:2]
    _, pretrained = evaluate_bpb(loaded.model, docs, None, 256)
    tokens = sum(len(ids) for ids, _ in docs)
    n_bytes = sum(b for _, b in docs)
    random_init = math.log2(262_144) * tokens / n_bytes  # uniform over the vocabulary
    assert pretrained < 0.5 * random_init
    _, untrained = evaluate_bpb(tiny_model(262_144), docs, None, 256)
    assert untrained > 0.8 * random_init


def test_model_vocabulary_smaller_than_the_data_is_refused(data, tmp_path):
    """A non-trimmed model whose embedding table is too small for the dataset's ids."""
    from morphtok.data.indexed import IndexedReader
    from morphtok.train.models import tiny_model

    small = tmp_path / "small-vocab-model"
    tiny_model(1000).save_pretrained(small, safe_serialization=True)
    prefix = str(data / "pre" / "baseline" / "chunk_0001")
    reader = IndexedReader(prefix)
    top = max(int(reader[i].max()) for i in range(len(reader)))
    assert top >= 1000
    cfg = load_config("demo", [*OVERRIDES, f"train.model={small}"])
    with pytest.raises(DatasetError) as err:
        Trainer(cfg, "baseline", [prefix], str(data / "validation_short.jsonl"), tmp_path / "ck")
    message = str(err.value)
    assert prefix in message and str(top) in message and "1000" in message, message
    assert re.search(r"largest token id is \d+, but the model's vocabulary size is 1000", message)


KILL_STEPS = 12


def _train_command(prefix: str, validation: Path, checkpoint_dir: Path, sets: list[str]) -> list[str]:
    args = [sys.executable, "-m", "morphtok.cli", "train", "--config", "demo", "--arm", "patok",
            "--data-path", prefix, "--validation", str(validation), "--checkpoint-dir", str(checkpoint_dir)]
    for item in sets:
        args += ["--set", item]
    return args


def _weights(directory: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(directory / "export" / "model.safetensors")


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_matches_an_uninterrupted_run(data, tmp_path, monkeypatch):
    """SIGKILL ``morphtok train`` after its first checkpoint, rerun the same command:
    the per-step losses and the final weights equal an uninterrupted run's."""
    # One thread everywhere: the same kernels in both runs, and no spin-waiting on a busy machine.
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("MORPHTOK_PROGRESS", "0")
    monkeypatch.setenv("WANDB_MODE", "disabled")
    threads = torch.get_num_threads()
    sets = [*OVERRIDES, f"train.max_steps={KILL_STEPS}", "train.val_interval=100"]
    prefix, validation = str(data / "pre" / "patok" / "chunk_0001"), data / "validation_short.jsonl"
    try:
        run(load_config("demo", sets), "patok", [prefix], str(validation), tmp_path / "full")
    finally:
        torch.set_num_threads(threads)
    full = _losses(tmp_path / "full")
    assert sorted(full) == list(range(1, KILL_STEPS + 1))

    killed = tmp_path / "killed"
    command = _train_command(prefix, validation, killed, sets)

    def past_first_checkpoint() -> bool:
        # Killed only once a checkpoint exists *and* steps after it were logged, so the rerun
        # must both resume and discard the rows the killed run wrote after its checkpoint.
        if not (killed / "step_0000004" / "done").is_file():
            return False
        try:
            return max(_losses(killed), default=0) >= 5
        except ValueError:  # read while a line was being appended
            return False

    kill_when(command, past_first_checkpoint, timeout=600)
    assert not (killed / "export").exists()
    assert not (killed / f"step_{KILL_STEPS:07d}").exists()
    last = sorted(p.name for p in killed.glob("step_*") if (p / "done").is_file())[-1]

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    # A rerun from scratch would also match (training is deterministic): check it really resumed.
    assert f"resumed patok from {last}" in rerun.stderr
    rows = [json.loads(line) for line in (killed / "metrics.jsonl").read_text().splitlines()]
    train_steps = [r["step"] for r in rows if "train/loss" in r]
    assert train_steps == list(range(1, KILL_STEPS + 1)), "each step logged exactly once, in order"
    resumed = _losses(killed)
    for step in range(1, KILL_STEPS + 1):
        assert resumed[step] == pytest.approx(full[step], abs=1e-6), step
    expected, got = _weights(tmp_path / "full"), _weights(killed)
    assert expected.keys() == got.keys()
    for name, tensor in expected.items():
        assert torch.allclose(got[name], tensor, rtol=0, atol=1e-6), name
