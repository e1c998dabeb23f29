from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import torch

from morphtok.config import load_config
from morphtok.data.preprocess import preprocess, write_validation
from morphtok.errors import ConfigError, DatasetError
from morphtok.train.trainer import (
    Trainer,
    accumulation_steps,
    evaluate_bpb,
    learning_rate,
    run,
    validation_documents,
)

OVERRIDES = ["train.max_steps=8", "train.save_interval=4", "train.val_interval=4", "train.log_interval=1",
             "train.seq_length=64", "train.global_batch_size=4", "train.micro_batch_size=2", "train.warmup_steps=2"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    from morphtok.lang.fil.corpus import sample_corpus_path

    root = tmp_path_factory.mktemp("train")
    for arm in ("baseline", "patok"):
        preprocess(sample_corpus_path(), root / "pre" / arm / "chunk_0001", arm, val_fraction=0.15)
    write_validation(sample_corpus_path(), root / "validation.jsonl", 0.15)
    return root


def _losses(directory: Path) -> dict[int, float]:
    rows = [json.loads(line) for line in (directory / "metrics.jsonl").read_text().splitlines()]
    return {r["step"]: r["train/loss"] for r in rows if "train/loss" in r}


def test_resume_reproduces_the_uninterrupted_losses(data, tmp_path):
    cfg = load_config("demo", OVERRIDES)
    prefixes = [str(data / "pre" / "patok" / "chunk_0001")]
    run(cfg, "patok", prefixes, str(data / "validation.jsonl"), tmp_path / "full")
    full = _losses(tmp_path / "full")
    assert sorted(full) == list(range(1, 9))
    # Simulate a crash right after the step-4 checkpoint: drop later state and rerun the same command.
    crashed = tmp_path / "crashed"
    shutil.copytree(tmp_path / "full", crashed)
    shutil.rmtree(crashed / "export")
    shutil.rmtree(crashed / "step_0000008")
    lines = (crashed / "metrics.jsonl").read_text().splitlines()
    kept = [line for line in lines if json.loads(line)["step"] <= 4]
    (crashed / "metrics.jsonl").write_text("\n".join(kept) + "\n")
    run(cfg, "patok", prefixes, str(data / "validation.jsonl"), crashed)
    resumed = _losses(crashed)
    for step in range(5, 9):
        assert resumed[step] == pytest.approx(full[step], abs=1e-6)


def test_export_reproduces_trainer_logits(data, tmp_path):
    from transformers import AutoModelForCausalLM

    cfg = load_config("demo", OVERRIDES)
    trainer = Trainer(cfg, "baseline", [str(data / "pre" / "baseline" / "chunk_0001")], str(data / "validation.jsonl"),
                      tmp_path / "ck")
    export = trainer.train()
    reloaded = AutoModelForCausalLM.from_pretrained(export)
    batch = trainer._batch(0, 0)[:, :-1].clamp(min=0)
    trainer.model.eval()
    with torch.no_grad():
        assert torch.allclose(trainer.model(input_ids=batch).logits, reloaded(input_ids=batch).logits, atol=1e-5)
    assert (export / "morphtok_vocab.npy").is_file() and (export / "tokenizer.json").is_file()


def test_one_vocabulary_for_all_arms(data, tmp_path):
    cfg = load_config("demo", OVERRIDES)
    a = Trainer(cfg, "baseline", [str(data / "pre" / "baseline" / "chunk_0001")], str(data / "validation.jsonl"), tmp_path / "a")
    b = Trainer(cfg, "patok", [str(data / "pre" / "patok" / "chunk_0001")], str(data / "validation.jsonl"), tmp_path / "b")
    assert a.vocab_map.kept.tolist() == b.vocab_map.kept.tolist()
    assert a.model.get_input_embeddings().num_embeddings == b.model.get_input_embeddings().num_embeddings


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
