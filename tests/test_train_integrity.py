"""Integrity of the local trainer (issue #17): no result from the wrong run, no silent corruption,
no code execution from checkpoint files, no crash when W&B is unreachable."""

from __future__ import annotations

import json
import logging
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest
import torch

from morphtok.atomic import atomic_write_json, sha256_file
from morphtok.config import load_config
from morphtok.errors import CheckpointError, TrainingError
from morphtok.train.trainer import Trainer, run

SHORT = ["train.max_steps=4", "train.save_interval=2", "train.val_interval=100", "train.log_interval=1",
         "train.seq_length=32", "train.global_batch_size=2", "train.micro_batch_size=2", "train.warmup_steps=1"]


@pytest.fixture
def paths(train_data):
    return {"baseline": [str(train_data / "pre" / "baseline" / "chunk_0001")],
            "patok": [str(train_data / "pre" / "patok" / "chunk_0001")],
            "validation": str(train_data / "validation_short.jsonl")}


def _losses(directory: Path) -> dict[int, float]:
    rows = [json.loads(line) for line in (directory / "metrics.jsonl").read_text().splitlines()]
    return {r["step"]: r["train/loss"] for r in rows if "train/loss" in r}


def _reseal(checkpoint: Path) -> None:
    """Recompute checksums.json, as a writer that saved these (bad) files would have."""
    if not (checkpoint / "checksums.json").is_file():
        return  # a checkpoint format without checksums
    record = json.loads((checkpoint / "checksums.json").read_text())
    record["files"] = {name: sha256_file(checkpoint / name) for name in record["files"]}
    atomic_write_json(checkpoint / "checksums.json", record)


# ---------------------------------------------------------------------------- #17 item 3: another run's outputs


def test_another_arms_run_is_refused_not_returned(paths, tmp_path, one_thread):
    cfg = load_config("demo", SHORT)
    directory = tmp_path / "ck"
    run(cfg, "baseline", paths["baseline"], paths["validation"], directory)
    baseline_card = json.loads((directory / "export" / "morphtok_model.json").read_text())
    # The "already exported" short-circuit: an export of another arm is an error, not the answer.
    with pytest.raises(CheckpointError) as err:
        run(cfg, "patok", paths["patok"], paths["validation"], directory)
    patok_fp = Trainer(cfg, "patok", paths["patok"], paths["validation"], tmp_path / "probe").identity.fingerprint
    message = str(err.value)
    assert baseline_card["fingerprint"] in message and patok_fp in message, message
    assert "arm 'baseline' vs 'patok'" in message and "--force" in message
    # Resume: the baseline checkpoints are not continued on patok data either.
    shutil.rmtree(directory / "export")
    with pytest.raises(CheckpointError, match="another run"):
        run(cfg, "patok", paths["patok"], paths["validation"], directory)
    # Another training config (same arm and data) is another run too.
    changed = load_config("demo", [*SHORT, "train.lr=0.0005"])
    with pytest.raises(CheckpointError, match="differ in train"):
        run(changed, "baseline", paths["baseline"], paths["validation"], directory)
    # --force: a fresh patok run in that directory.
    export = run(cfg, "patok", paths["patok"], paths["validation"], directory, force=True)
    card = json.loads((export / "morphtok_model.json").read_text())
    assert card["arm"] == "patok" and card["fingerprint"] == patok_fp
    # The same run again: its own export is reused, untouched.
    before = (export / "model.safetensors").stat().st_mtime_ns
    assert run(cfg, "patok", paths["patok"], paths["validation"], directory) == export
    assert (export / "model.safetensors").stat().st_mtime_ns == before


# ---------------------------------------------------------------------------- #17 item 5: corrupted checkpoints


def test_a_corrupted_checkpoint_falls_back_to_the_previous_one(paths, tmp_path, one_thread, caplog):
    cfg = load_config("demo", SHORT)
    run(cfg, "patok", paths["patok"], paths["validation"], tmp_path / "full")
    full = _losses(tmp_path / "full")
    crashed = tmp_path / "crashed"
    shutil.copytree(tmp_path / "full", crashed)
    shutil.rmtree(crashed / "export")
    weights = crashed / "step_0000004" / "model.safetensors"
    blob = bytearray(weights.read_bytes())
    blob[len(blob) // 2 : len(blob) // 2 + 64] = b"\xff" * 64  # NaN bit patterns inside the tensor data
    weights.write_bytes(bytes(blob))
    with caplog.at_level(logging.WARNING, logger="morphtok"):
        run(cfg, "patok", paths["patok"], paths["validation"], crashed)
    assert "model.safetensors does not match its checksum" in caplog.text
    assert "falling back to the previous checkpoint" in caplog.text
    resumed = _losses(crashed)
    for step in (3, 4):  # retrained from step 2, exactly as the uninterrupted run
        assert resumed[step] == pytest.approx(full[step], abs=1e-6)


def test_no_intact_checkpoint_is_an_error_not_a_fresh_start(paths, tmp_path, one_thread):
    cfg = load_config("demo", SHORT)
    directory = tmp_path / "ck"
    run(cfg, "patok", paths["patok"], paths["validation"], directory)
    shutil.rmtree(directory / "export")
    for checkpoint in directory.glob("step_*"):
        state = checkpoint / "state.pt"
        state.write_bytes(state.read_bytes()[:100])  # truncated
    with pytest.raises(CheckpointError, match="none of the 2 checkpoints is intact"):
        run(cfg, "patok", paths["patok"], paths["validation"], directory)


def test_non_finite_loss_stops_training_naming_the_step(paths, tmp_path, one_thread):
    from safetensors.torch import load_file, save_file

    cfg = load_config("demo", SHORT)
    directory = tmp_path / "ck"
    run(cfg, "patok", paths["patok"], paths["validation"], directory)
    shutil.rmtree(directory / "export")
    shutil.rmtree(directory / "step_0000004")
    # A checkpoint whose weights are NaN but whose files are intact (saved by a diverged run).
    weights = directory / "step_0000002" / "model.safetensors"
    tensors = {name: torch.full_like(t, float("nan")) for name, t in load_file(weights).items()}
    save_file(tensors, weights, metadata={"format": "pt"})
    _reseal(weights.parent)
    with pytest.raises(TrainingError, match=r"non-finite training loss nan .* at step 3"):
        run(cfg, "patok", paths["patok"], paths["validation"], directory)
    assert not (directory / "export").exists() and not (directory / "step_0000004").exists()


def test_a_truncated_model_file_is_a_checkpoint_error(paths, tmp_path, one_thread):
    from morphtok.train.models import load_causal_lm

    cfg = load_config("demo", [*SHORT, "train.max_steps=1", "train.save_interval=1"])
    export = run(cfg, "patok", paths["patok"], paths["validation"], tmp_path / "ck")
    weights = export / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupted"):
        load_causal_lm(str(export))


# ---------------------------------------------------------------------------- #17 item 9: no code from state files


class _Payload:
    """Unpickling this creates a file: what a crafted state.pt would do with weights_only=False."""

    marker = ""

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_crafted_state_file_is_refused_not_executed(paths, tmp_path, one_thread, caplog):
    cfg = load_config("demo", SHORT)
    directory = tmp_path / "ck"
    run(cfg, "patok", paths["patok"], paths["validation"], directory)
    shutil.rmtree(directory / "export")
    marker = tmp_path / "code-ran"
    _Payload.marker = str(marker)
    state = directory / "step_0000004" / "state.pt"
    real = torch.load(state, weights_only=True)
    torch.save({**real, "payload": _Payload()}, state)
    _reseal(state.parent)  # the checksums match: only the loader's refusal protects
    with caplog.at_level(logging.WARNING, logger="morphtok"):
        run(cfg, "patok", paths["patok"], paths["validation"], directory)
    assert not marker.exists(), "unpickling state.pt ran code"
    assert "cannot read state.pt" in caplog.text and "falling back" in caplog.text


# ---------------------------------------------------------------------------- #17 item 7: no directory globbing


def test_sibling_datasets_neither_change_nor_break_training(train_data, tmp_path):
    from morphtok.data.indexed import IndexedWriter

    cfg = load_config("demo", SHORT)
    pre = tmp_path / "pre"
    for arm in ("baseline", "patok"):
        (pre / arm).mkdir(parents=True)
        for suffix in (".bin", ".idx", ".stats.json"):
            shutil.copy(f"{train_data / 'pre' / arm / 'chunk_0001'}{suffix}", pre / arm / f"chunk_0001{suffix}")
    prefix, validation = [str(pre / "patok" / "chunk_0001")], str(train_data / "validation_short.jsonl")
    before = Trainer(cfg, "patok", prefix, validation, tmp_path / "a").vocab_map.kept.tolist()
    (pre / "broken").mkdir()
    (pre / "broken" / "chunk_0001.idx").write_bytes(b"not an index")
    with IndexedWriter(pre / "other" / "chunk_0001") as writer:  # intact, with ids no arm uses
        writer.add_document(np.array([200_000, 200_001, 200_002]))
    after = Trainer(cfg, "patok", prefix, validation, tmp_path / "b").vocab_map.kept.tolist()
    assert after == before


# ---------------------------------------------------------------------------- #17 item 17: W&B without network


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the socket is closed


def test_unreachable_wandb_falls_back_to_offline(paths, tmp_path, one_thread, monkeypatch, caplog):
    """WANDB_API_KEY set, W&B host unreachable: a warning and an offline run, not a crash after ~100 s."""
    pytest.importorskip("wandb")
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.setenv("WANDB_API_KEY", "0" * 40)
    monkeypatch.setenv("WANDB_BASE_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("WANDB_SILENT", "true")
    cfg = load_config("demo", [*SHORT, "train.max_steps=1", "train.save_interval=1"])
    with caplog.at_level(logging.WARNING, logger="morphtok"):
        export = run(cfg, "patok", paths["patok"], paths["validation"], tmp_path / "ck")
    assert export.is_dir()
    assert "W&B: cannot reach" in caplog.text and "logging offline" in caplog.text
    assert list((tmp_path / "ck" / "wandb").glob("offline-run-*"))
