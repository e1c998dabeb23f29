"""The local trainer: plain PyTorch + transformers, CPU here and GPUs elsewhere.

Order (as torchtitan's Trainer): config -> seeds -> tokenizer -> data -> model ->
loss -> optimizer -> scheduler -> checkpointer. Data: every document of the arm's
indexed datasets (``[BOS] ids [EOS]``) concatenated into one stream; the global
batch of step ``s`` is ``global_batch / micro_batch`` micro-batches, micro-batch
``k`` being ``micro_batch`` windows of ``seq_length + 1`` tokens at offsets drawn
from a generator seeded by (seed, s, k). The data position of a restart is just
the step, and the global batch does not depend on the number of processes.
Validation (step 0, then every ``val_interval``; :mod:`morphtok.train.validation`)
runs on the shared held-out raw text, always tokenized with the *baseline*
(canonical) tokenizer whatever the arm, and reports bits per byte (``val/bpb``),
which is comparable across arms.

Checkpoints (every ``save_interval`` and at the end) are directories written under
a temporary name and renamed: model (safetensors), optimizer, scheduler, step and
RNG states, plus config.json, the vocab map and ``morphtok_model.json`` (arm, step,
tokenizer), so that each checkpoint is also a model directory that evaluation and
``morphtok export`` load; the last ``keep_last`` are kept. Rerunning the same command resumes
from the latest complete one; metric rows of steps after that checkpoint (logged
before a crash) are dropped, so ``metrics.jsonl`` (one JSON object per event with
``step``) holds each step once. Metrics also go to W&B when available (offline
unless WANDB_API_KEY is set).

Under ``torchrun`` the same code runs as DDP, one process per device, with the
data order of the single-process run: see :mod:`morphtok.train.distributed`.
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

from morphtok.atomic import atomic_write_text
from morphtok.errors import CheckpointError, ConfigError, DatasetError
from morphtok.progress import make_progress
from morphtok.train.distributed import (
    DistContext,
    all_reduce_sum,
    barrier,
    broadcast_from_main,
    maybe_no_sync,
    micro_indices,
    setup,
    teardown,
    wrap_model,
)
from morphtok.train.export import export_model, write_model_card
from morphtok.train.precision import autocast
from morphtok.train.validation import (  # evaluate_bpb is re-exported: callers import it from here
    evaluate_bpb,  # noqa: F401
    loss_and_bpb,
    validation_documents,
    validation_sums,
)

log = logging.getLogger(__name__)
EXPORT = "export"


def accumulation_steps(global_batch: int, micro_batch: int, world_size: int = 1) -> int:
    """global = micro x world x accumulation; refuse a global batch that does not divide."""
    per_step = micro_batch * max(world_size, 1)
    if global_batch % per_step:
        raise ConfigError(
            f"train.global_batch_size {global_batch} is not a multiple of micro_batch_size x world size "
            f"({micro_batch} x {world_size} = {per_step})",
            hint="adjust global_batch_size or micro_batch_size (or the number of torchrun processes)",
        )
    return global_batch // per_step


def _cpu_threads(local_world_size: int) -> int:
    """Threads per process: an explicit OMP_NUM_THREADS wins, else the cores split between local ranks.

    Oversubscribed OpenMP threads spin-wait: on a busy 2-core machine two threads were measured
    ~35x slower than one for the tiny model, so the user (or torchrun, which exports 1) decides.
    """
    explicit = os.environ.get("OMP_NUM_THREADS", "")
    if explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    return max(1, (os.cpu_count() or 1) // max(local_world_size, 1))


def learning_rate(step: int, lr: float, min_lr: float, warmup: int, total: int) -> float:
    """Linear warmup to ``lr``, then cosine decay to ``min_lr`` at ``total`` steps."""
    if warmup and step < warmup:
        return lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * progress))


def _read_stream(prefixes: list[str], vocab_map, vocab_size: int) -> np.ndarray:
    """All documents of ``prefixes`` as one id stream (model ids), checked against ``vocab_size``."""
    from morphtok.data.indexed import IndexedReader

    parts = []
    for prefix in prefixes:
        reader = IndexedReader(prefix)
        ids = [reader[i].astype(np.int64) for i in range(len(reader))]
        ids = [vocab_map.to_model_array(a) if vocab_map is not None else a for a in ids]
        # Checked per prefix so the error names the offending dataset. An id past the
        # embedding table would otherwise fail deep inside the forward pass (or, on GPU,
        # as an asynchronous device assert).
        top = max((int(a.max()) for a in ids if len(a)), default=-1)
        if top >= vocab_size:
            raise DatasetError(f"the dataset's largest token id is {top}, but the model's vocabulary size is "
                               f"{vocab_size} (ids must be < {vocab_size})", where=str(prefix),
                               hint="train a model whose vocabulary covers the tokenizer that made this dataset")
        parts += ids
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


class Trainer:
    def __init__(self, cfg, arm: str, prefixes: list[str], validation_path: str, checkpoint_dir: str | Path):
        import torch

        from morphtok.segment.tokenizer import load_tokenizer
        from morphtok.train.models import load_causal_lm, tiny_model
        from morphtok.train.vocab import VocabMap

        self.cfg, self.train_cfg, self.arm = cfg, cfg.train, arm
        self.dir = Path(checkpoint_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        # torchrun sets WORLD_SIZE/RANK/LOCAL_RANK; without it this is a 1-process context.
        self.dist: DistContext = setup()
        torch.manual_seed(cfg.seed)
        # Per-rank accumulation: global = micro x accumulation x world size.
        self.accum = accumulation_steps(self.train_cfg.global_batch_size, self.train_cfg.micro_batch_size,
                                        self.dist.world_size)
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
        self.stream = _read_stream(prefixes, self.vocab_map, vocab)
        self.model.to(self.dist.device)
        self.model.train()
        # Training steps go through self.ddp (the DDP wrapper under torchrun, else the model);
        # validation, checkpoints and export use the plain self.model.
        self.ddp = wrap_model(self.model, self.dist)
        self._autocast = autocast(self.train_cfg.precision, self.dist.device)  # bf16 only on CUDA with bf16
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
        # Every rank builds the same map from the same files; one writer is enough.
        if self.dist.is_main:
            vocab_map.save(self.dir)
        return vocab_map

    # ------------------------------------------------------------------ checkpoints
    def _checkpoints(self) -> list[Path]:
        return sorted(p for p in self.dir.glob("step_*") if (p / "done").is_file())

    def save(self) -> Path:
        """A checkpoint: weights, optimizer, step and RNG state, plus what makes it a model directory
        of its own (config, vocab map, tokenizer name): evaluation and ``morphtok export`` load it."""
        import torch
        from safetensors.torch import save_model

        target = self.dir / f"step_{self.step:07d}"
        tmp = self.dir / f".tmp_step_{self.step:07d}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        # save_model handles the tied embedding/head; "format: pt" is what from_pretrained expects.
        save_model(self.model, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        torch.save({"optimizer": self.optimizer.state_dict(), "step": self.step,
                    "torch_rng": torch.get_rng_state()}, tmp / "state.pt")
        write_model_card(tmp, self.model.config, self.vocab_map,
                         {"arm": self.arm, "step": self.step, "tokenizer": self.cfg.tokenizer.name})
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
        # Rank 0 picks the checkpoint so that all ranks resume from the same step.
        name = broadcast_from_main(checkpoints[-1].name if checkpoints else None, self.dist)
        if name is None:
            return False
        latest = self.dir / name
        if not (latest / "done").is_file():
            raise CheckpointError(f"rank {self.dist.rank} cannot see rank 0's checkpoint {name}", where=str(self.dir),
                                  hint="under torchrun the checkpoint dir must be on a filesystem every node shares")
        try:
            load_model(self.model, str(latest / "model.safetensors"))
            state = torch.load(latest / "state.pt", weights_only=False, map_location="cpu")
        except (OSError, RuntimeError) as err:
            raise CheckpointError(f"cannot resume: {err}", where=str(latest)) from None
        self.optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        self.step = int(state["step"])
        if self.dist.is_main:
            self._drop_metrics_after(self.step)
        log.info("resumed %s from %s", self.arm, latest.name)
        return True

    def _drop_metrics_after(self, step: int) -> None:
        """Forget rows a killed run logged after its last checkpoint: the resumed run logs them again."""
        if not self.metrics_path.is_file():
            return
        kept = []
        for line in self.metrics_path.read_text(encoding="utf-8").splitlines():
            try:
                if json.loads(line)["step"] <= step:
                    kept.append(line)
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by the kill
        atomic_write_text(self.metrics_path, "".join(f"{line}\n" for line in kept))

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
        if not self.dist.is_main:
            return
        with open(self.metrics_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        if self._wandb is not None:
            self._wandb.log(record, step=record["step"])

    def _init_wandb(self) -> None:
        if os.environ.get("WANDB_MODE") == "disabled" or not self.dist.is_main:
            return
        try:
            import wandb
        except ImportError:
            return
        mode = os.environ.get("WANDB_MODE") or ("online" if os.environ.get("WANDB_API_KEY") else "offline")
        self._wandb = wandb.init(project=self.train_cfg.wandb_project, name=self.train_cfg.wandb_name.format(arm=self.arm),
                                 dir=str(self.dir), mode=mode, reinit="finish_previous")

    def validate(self) -> tuple[float, float]:
        """(val loss, val bpb); under torchrun each rank scores every world-th document, sums all-reduced."""
        docs = self.val_docs[self.dist.rank :: self.dist.world_size]
        sums = validation_sums(self.model, docs, self.vocab_map, self.train_cfg.seq_length)
        return loss_and_bpb(*all_reduce_sum(list(sums), self.dist))

    def _train_step(self) -> tuple[float, float]:
        """One optimizer step over this rank's share of the global batch: (loss, grad norm)."""
        import torch

        self.optimizer.zero_grad(set_to_none=True)
        total = 0.0
        for i, micro in enumerate(micro_indices(self.dist.rank, self.accum)):
            batch = self._batch(self.step, micro).to(self.dist.device)
            # Gradients are all-reduced only on the last micro-step (DDP averages them over ranks,
            # which with the 1/accum scaling gives the mean over all world x accum micro-batches).
            with maybe_no_sync(self.ddp, self.dist, final=i == self.accum - 1):
                with self._autocast():
                    logits = self.ddp(input_ids=batch[:, :-1].clamp(min=0)).logits.float()
                loss = torch.nn.functional.cross_entropy(
                    logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1), ignore_index=-100
                ) / self.accum
                del logits  # batch x seq x vocab fp32 (2 GB for gemma3-270m at 8 x 256): free it before backward
                loss.backward()
            total += loss.item()
        grad_norm = float(torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.train_cfg.grad_clip))
        self.optimizer.step()
        return total, grad_norm

    def train(self) -> Path:
        """Train to ``max_steps`` (resuming if possible) and export; destroys the process group it made."""
        try:
            return self._train()
        finally:
            teardown(self.dist)

    def _train(self) -> Path:
        import torch

        tc = self.train_cfg
        if not self.resume():
            if self.dist.is_main:
                self.metrics_path.unlink(missing_ok=True)
            loss, bpb = self.validate()
            self._log({"step": 0, "val/loss": loss, "val/bpb": bpb})
        self._init_wandb()
        torch.set_num_threads(_cpu_threads(self.dist.local_world_size))
        tokens_per_step = tc.global_batch_size * tc.seq_length
        with make_progress("steps", disable=not self.dist.is_main) as progress:
            task = progress.add_task(f"train {self.arm}", total=tc.max_steps, completed=self.step)
            while self.step < tc.max_steps:
                start = time.perf_counter()
                lr = learning_rate(self.step, tc.lr, tc.min_lr, tc.warmup_steps, tc.max_steps)
                for group in self.optimizer.param_groups:
                    group["lr"] = lr
                total, grad_norm = self._train_step()
                self.step += 1
                progress.advance(task)
                if self.step % tc.log_interval == 0 or self.step == 1:
                    # Each rank's total is its micro-losses / its accumulation: the global mean is the rank mean.
                    total = all_reduce_sum([total], self.dist)[0] / self.dist.world_size
                    self._log({"step": self.step, "train/loss": total, "train/learning_rate": lr,
                               "train/consumed_samples": self.step * tc.global_batch_size,
                               "train/tokens_per_s": tokens_per_step / (time.perf_counter() - start),
                               "train/grad_norm": grad_norm})
                if self.step % tc.val_interval == 0 or self.step == tc.max_steps:
                    loss, bpb = self.validate()
                    self._log({"step": self.step, "val/loss": loss, "val/bpb": bpb})
                if self.step % tc.save_interval == 0 or self.step == tc.max_steps:
                    if self.dist.is_main:
                        self.save()
                    # The other ranks wait, so no rank runs ahead of the last checkpoint on disk.
                    barrier(self.dist)
        if self._wandb is not None:
            self._wandb.finish()
        if self.dist.is_main:
            self.export()
        barrier(self.dist)  # every rank returns only once the export is complete
        return self.dir / EXPORT

    def export(self) -> Path:
        """The final weights as a HF model directory (+ tokenizer, + vocab map for tiny)."""
        return export_model(self.model, self.tokenizer, self.vocab_map, {"arm": self.arm, "step": self.step},
                            self.dir / EXPORT)


def run(cfg, arm: str, prefixes: list[str], validation_path: str, checkpoint_dir: str | Path) -> Path:
    """Study entry point: train (resuming if possible) and export; returns the export dir."""
    done = Path(checkpoint_dir) / EXPORT / "morphtok_model.json"
    if done.is_file() and json.loads(done.read_text())["step"] >= cfg.train.max_steps:
        return done.parent
    return Trainer(cfg, arm, list(prefixes), validation_path, checkpoint_dir).train()
