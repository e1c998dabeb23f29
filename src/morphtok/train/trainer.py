"""The local trainer: plain PyTorch + transformers, CPU here and GPUs elsewhere.

Order (as torchtitan's Trainer): config -> seeds -> tokenizer -> data -> model ->
loss -> optimizer -> scheduler -> checkpointer. Data: every document of the arm's
indexed datasets (``[BOS] ids [EOS]``) concatenated into one stream; the batch of
step ``s`` is ``micro x accumulation`` windows of ``seq_length + 1`` tokens at
offsets drawn from a generator seeded by (seed, step), so the data position of a
restart is just the step. Validation (step 0, then every ``val_interval``) runs on
the shared held-out raw text, always tokenized with the *baseline* (canonical)
tokenizer whatever the arm, and reports bits per byte (``val/bpb``), which is
comparable across arms.

Checkpoints (every ``save_interval`` and at the end) are directories written under
a temporary name and renamed: model (safetensors), optimizer, scheduler, step and
RNG states; the last ``keep_last`` are kept. Rerunning the same command resumes
from the latest complete one. Metrics go to ``metrics.jsonl`` (one JSON object per
event with ``step``) and, when available, W&B (offline unless WANDB_API_KEY is set).
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import time
from pathlib import Path

import numpy as np

from morphtok.errors import CheckpointError, ConfigError, DatasetError
from morphtok.progress import make_progress

log = logging.getLogger(__name__)
EXPORT = "export"


def accumulation_steps(global_batch: int, micro_batch: int, world_size: int = 1) -> int:
    """global = micro x world x accumulation; refuse a global batch that does not divide."""
    per_step = micro_batch * max(world_size, 1)
    if global_batch % per_step:
        raise ConfigError(
            f"train.global_batch_size {global_batch} is not a multiple of micro_batch_size x world size "
            f"({micro_batch} x {world_size} = {per_step})",
            hint="adjust global_batch_size or micro_batch_size",
        )
    return global_batch // per_step


def learning_rate(step: int, lr: float, min_lr: float, warmup: int, total: int) -> float:
    """Linear warmup to ``lr``, then cosine decay to ``min_lr`` at ``total`` steps."""
    if warmup and step < warmup:
        return lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * progress))


def _read_stream(prefixes: list[str], vocab_map) -> np.ndarray:
    from morphtok.data.indexed import IndexedReader

    parts = []
    for prefix in prefixes:
        reader = IndexedReader(prefix)
        for i in range(len(reader)):
            ids = reader[i].astype(np.int64)
            parts.append(vocab_map.to_model_array(ids) if vocab_map is not None else ids)
    if not parts:
        raise DatasetError("no training documents", where=", ".join(map(str, prefixes)))
    return np.concatenate(parts)


def _check_data(prefixes: list[str], tokenizer) -> None:
    from morphtok.data.preprocess import stats_path

    for prefix in prefixes:
        path = stats_path(prefix)
        if not path.is_file():
            raise DatasetError("dataset stats missing (is this a morphtok dataset?)", where=str(path),
                               hint="run `morphtok preprocess` for this prefix")
        stats = json.loads(path.read_text(encoding="utf-8"))
        if stats.get("tokenizer_hash") != tokenizer.content_hash:
            raise DatasetError("the dataset was tokenized with a different tokenizer than the model's",
                               where=str(path), hint="preprocess again with the model's tokenizer")


def validation_documents(path: str | Path, tokenizer) -> list[tuple[list[int], int]]:
    """(canonical ids with BOS/EOS, UTF-8 bytes) per held-out document."""
    docs = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            docs.append(([tokenizer.bos_id, *tokenizer.encode(text), tokenizer.eos_id], len(text.encode("utf-8"))))
    if not docs:
        raise DatasetError("the validation file is empty", where=str(path))
    return docs


def evaluate_bpb(model, docs, vocab_map, seq_length: int) -> tuple[float, float]:
    """(mean token loss in nats, bits per byte) over the validation documents."""
    import torch

    total_nll, total_tokens, total_bytes = 0.0, 0, 0
    model.eval()
    with torch.no_grad():
        for ids, n_bytes in docs:
            model_ids = vocab_map.to_model(ids)[0] if vocab_map is not None else ids
            for start in range(0, len(model_ids) - 1, seq_length):
                window = torch.tensor([model_ids[start : start + seq_length + 1]])
                logits = model(input_ids=window[:, :-1]).logits.float()
                nll = torch.nn.functional.cross_entropy(logits[0], window[0, 1:], reduction="sum")
                total_nll += float(nll)
                total_tokens += window.shape[1] - 1
            total_bytes += n_bytes
    model.train()
    return total_nll / max(total_tokens, 1), total_nll / math.log(2) / max(total_bytes, 1)


class Trainer:
    def __init__(self, cfg, arm: str, prefixes: list[str], validation_path: str, checkpoint_dir: str | Path):
        import torch

        from morphtok.segment.tokenizer import load_tokenizer
        from morphtok.train.models import load_causal_lm, tiny_model
        from morphtok.train.vocab import VocabMap

        self.cfg, self.train_cfg, self.arm = cfg, cfg.train, arm
        self.dir = Path(checkpoint_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(cfg.seed)
        self.accum = accumulation_steps(self.train_cfg.global_batch_size, self.train_cfg.micro_batch_size)
        self.tokenizer = load_tokenizer(cfg.tokenizer.name)
        missing = [p for p in prefixes if not Path(f"{p}.idx").is_file()]
        if missing:
            raise DatasetError("data prefix not found", where=missing[0], hint="run the preprocess phase first")
        _check_data(prefixes, self.tokenizer)
        self.val_docs = validation_documents(validation_path, self.tokenizer)
        self.vocab_map = None
        if self.train_cfg.model == "tiny":
            self.vocab_map = VocabMap.load(self.dir, self.tokenizer) or self._build_vocab(prefixes)
            self.model = tiny_model(len(self.vocab_map), seed=cfg.seed)
        else:
            self.model = load_causal_lm(self.train_cfg.model).model
        vocab = self.model.get_input_embeddings().num_embeddings
        self.stream = _read_stream(prefixes, self.vocab_map)
        if int(self.stream.max()) >= vocab:
            raise ConfigError(f"model vocabulary ({vocab}) is smaller than the largest token id ({int(self.stream.max())})")
        self.model.train()
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=self.train_cfg.lr,
                                           weight_decay=self.train_cfg.weight_decay, betas=(0.9, 0.95))
        self.step = 0
        self.metrics_path = self.dir / "metrics.jsonl"
        self._wandb = None

    def _build_vocab(self, prefixes: list[str]):
        from morphtok.data.indexed import IndexedReader
        from morphtok.train.vocab import VocabMap

        # Every arm's datasets live side by side (preprocess/<arm>/<chunk>): one map for all arms.
        root = Path(prefixes[0]).parent.parent
        arrays = [IndexedReader(p.with_suffix(""))._data for p in sorted(root.glob("*/*.idx"))]
        arrays += [np.asarray(ids) for ids, _ in self.val_docs]
        vocab_map = VocabMap.build(self.tokenizer, arrays)
        vocab_map.save(self.dir)
        return vocab_map

    # ------------------------------------------------------------------ checkpoints
    def _checkpoints(self) -> list[Path]:
        return sorted(p for p in self.dir.glob("step_*") if (p / "done").is_file())

    def save(self) -> Path:
        import torch
        from safetensors.torch import save_model

        target = self.dir / f"step_{self.step:07d}"
        tmp = self.dir / f".tmp_step_{self.step:07d}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        save_model(self.model, str(tmp / "model.safetensors"))  # handles the tied embedding/head
        torch.save({"optimizer": self.optimizer.state_dict(), "step": self.step,
                    "torch_rng": torch.get_rng_state()}, tmp / "state.pt")
        (tmp / "done").write_text("ok\n")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        for old in self._checkpoints()[: -self.train_cfg.keep_last]:
            shutil.rmtree(old, ignore_errors=True)
        return target

    def resume(self) -> bool:
        import torch
        from safetensors.torch import load_model

        checkpoints = self._checkpoints()
        if not checkpoints:
            return False
        latest = checkpoints[-1]
        try:
            load_model(self.model, str(latest / "model.safetensors"))
            state = torch.load(latest / "state.pt", weights_only=False)
        except (OSError, RuntimeError) as err:
            raise CheckpointError(f"cannot resume: {err}", where=str(latest)) from None
        self.optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        self.step = int(state["step"])
        log.info("resumed %s from %s", self.arm, latest.name)
        return True

    # ------------------------------------------------------------------ loop
    def _batch(self, step: int, micro: int):
        import torch

        length = self.train_cfg.seq_length + 1
        rng = np.random.default_rng([self.cfg.seed, step, micro])
        high = max(1, len(self.stream) - length)
        starts = rng.integers(0, high, size=self.train_cfg.micro_batch_size)
        rows = [self.stream[s : s + length] for s in starts]
        rows = [np.pad(r, (0, length - len(r)), constant_values=-100) for r in rows]
        return torch.tensor(np.stack(rows), dtype=torch.long)

    def _log(self, record: dict) -> None:
        with open(self.metrics_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        if self._wandb is not None:
            self._wandb.log(record, step=record["step"])

    def _init_wandb(self) -> None:
        if os.environ.get("WANDB_MODE") == "disabled":
            return
        try:
            import wandb
        except ImportError:
            return
        mode = os.environ.get("WANDB_MODE") or ("online" if os.environ.get("WANDB_API_KEY") else "offline")
        self._wandb = wandb.init(project=self.train_cfg.wandb_project, name=self.train_cfg.wandb_name.format(arm=self.arm),
                                 dir=str(self.dir), mode=mode, reinit="finish_previous")

    def train(self) -> Path:
        import torch

        tc = self.train_cfg
        if not self.resume():
            self.metrics_path.unlink(missing_ok=True)
            loss, bpb = evaluate_bpb(self.model, self.val_docs, self.vocab_map, tc.seq_length)
            self._log({"step": 0, "val/loss": loss, "val/bpb": bpb})
        self._init_wandb()
        torch.set_num_threads(max(1, os.cpu_count() or 1))
        tokens_per_step = tc.global_batch_size * tc.seq_length
        with make_progress("steps") as progress:
            task = progress.add_task(f"train {self.arm}", total=tc.max_steps, completed=self.step)
            while self.step < tc.max_steps:
                start = time.perf_counter()
                lr = learning_rate(self.step, tc.lr, tc.min_lr, tc.warmup_steps, tc.max_steps)
                for group in self.optimizer.param_groups:
                    group["lr"] = lr
                self.optimizer.zero_grad(set_to_none=True)
                total = 0.0
                for micro in range(self.accum):
                    batch = self._batch(self.step, micro)
                    logits = self.model(input_ids=batch[:, :-1].clamp(min=0)).logits.float()
                    loss = torch.nn.functional.cross_entropy(
                        logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1), ignore_index=-100
                    ) / self.accum
                    loss.backward()
                    total += loss.item()
                grad_norm = float(torch.nn.utils.clip_grad_norm_(self.model.parameters(), tc.grad_clip))
                self.optimizer.step()
                self.step += 1
                progress.advance(task)
                if self.step % tc.log_interval == 0 or self.step == 1:
                    self._log({"step": self.step, "train/loss": total, "train/learning_rate": lr,
                               "train/consumed_samples": self.step * tc.global_batch_size,
                               "train/tokens_per_s": tokens_per_step / (time.perf_counter() - start),
                               "train/grad_norm": grad_norm})
                if self.step % tc.val_interval == 0 or self.step == tc.max_steps:
                    loss, bpb = evaluate_bpb(self.model, self.val_docs, self.vocab_map, tc.seq_length)
                    self._log({"step": self.step, "val/loss": loss, "val/bpb": bpb})
                if self.step % tc.save_interval == 0 or self.step == tc.max_steps:
                    self.save()
        if self._wandb is not None:
            self._wandb.finish()
        return self.export()

    def export(self) -> Path:
        """The final weights as a HF model directory (+ tokenizer, + vocab map for tiny)."""
        target = self.dir / EXPORT
        tmp = self.dir / f".tmp_{EXPORT}"
        shutil.rmtree(tmp, ignore_errors=True)
        self.model.config.quantization_config = None
        self.model.save_pretrained(tmp, safe_serialization=True)
        self.tokenizer.save(tmp)
        if self.vocab_map is not None:
            self.vocab_map.save(tmp)
        (tmp / "morphtok_model.json").write_text(json.dumps({"arm": self.arm, "step": self.step}) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        return target


def run(cfg, arm: str, prefixes: list[str], validation_path: str, checkpoint_dir: str | Path) -> Path:
    """Study entry point: train (resuming if possible) and export; returns the export dir."""
    done = Path(checkpoint_dir) / EXPORT / "morphtok_model.json"
    if done.is_file() and json.loads(done.read_text())["step"] >= cfg.train.max_steps:
        return done.parent
    return Trainer(cfg, arm, list(prefixes), validation_path, checkpoint_dir).train()
