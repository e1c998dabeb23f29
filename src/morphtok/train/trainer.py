"""The local trainer: plain PyTorch + transformers, CPU here and GPUs elsewhere.

``Trainer.__init__`` wires the components in the pipeline's order (as torchtitan's):
config -> seeds -> tokenizer -> datasets (checked; the run's fingerprint) -> model (for
``tiny``, its vocabulary from the declared datasets) -> data sampler
(:class:`~morphtok.train.sampler.TokenSampler`, memory-mapped; it needs the model's vocabulary
size) -> loss (:class:`~morphtok.train.loss.CausalLMLoss`, chunked cross-entropy) -> optimizer
(:mod:`morphtok.train.optimizer`) -> LR schedule (:mod:`morphtok.train.schedules`) ->
checkpointer (:class:`~morphtok.train.checkpoint.CheckpointManager`) -> metrics
(:class:`~morphtok.train.metrics.MetricsSink`).

Data: the global batch of step ``s`` is ``global_batch / micro_batch`` micro-batches of
``micro_batch`` windows each, drawn from a generator seeded by (seed, s, k), so it does not
depend on the number of processes (see the sampler). Each step (:mod:`morphtok.train.step`):
every micro-batch's loss (mean over its targets, divided by the accumulation count) is
back-propagated, the gradients are clipped to ``grad_clip``, and the loss and gradient norm
are read back once (the step's only host-device sync): a NaN or infinite value stops
training with a :class:`~morphtok.errors.TrainingError` naming the step, before the update. Validation
(step 0, then every ``val_interval``; :mod:`morphtok.train.validation`) runs on the shared
held-out raw text, always tokenized with the *baseline* (canonical) tokenizer whatever the
arm, and reports bits per byte (``val/bpb``), comparable across arms.

Checkpoints (every ``save_interval`` and at the end; the last ``keep_last`` kept) hold the
model and the state of the optimizer, LR schedule, data sampler (its position), step and
RNG, with checksums and the run's fingerprint (:mod:`morphtok.train.identity`); each is also
a model directory that evaluation and ``morphtok export`` load. Rerunning the same command
resumes from the newest intact checkpoint of the *same* run (a corrupted one is skipped
with a warning, another run's is an error; ``--force`` starts afresh) and reproduces the
uninterrupted run's losses; ``metrics.jsonl`` then holds each step once.

Memory (``train.*``): ``gradient_checkpointing`` recomputes each layer's activations in the
backward pass; ``param_dtype=bf16`` stores bf16 weights with fp32 master weights and moments
(GPU, ``bf16-mixed``); ``loss_chunk_size`` bounds the logits alive at once. AdamW is fused on
CUDA. The peak memory of a Gemma 3 1B step is accounted in ``tests/test_train_memory.py``.

Under ``torchrun`` the same code runs as DDP, one process per device, with the data order of
the single-process run: see :mod:`morphtok.train.distributed`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

import numpy as np

from morphtok.errors import DatasetError
from morphtok.progress import make_progress
from morphtok.train.distributed import (
    DistContext,
    all_reduce_sum,
    barrier,
    micro_indices,
    setup,
    teardown,
    wrap_model,
)
from morphtok.train.validation import (  # evaluate_bpb is re-exported: callers import it from here
    evaluate_bpb,  # noqa: F401
    loss_and_bpb,
    validation_documents,
    validation_sums,
)

log = logging.getLogger(__name__)
EXPORT = "export"
# What a trainer creates in its checkpoint dir and --force removes. Not wandb/: offline W&B runs
# may still be waiting for `wandb sync`; the fresh run gets a new W&B run id.
RUN_FILES = ("step_*", ".tmp_step_*", EXPORT, f".tmp_{EXPORT}", "metrics.jsonl", "wandb_run_id", "morphtok_vocab.npy")


def accumulation_steps(global_batch: int, micro_batch: int, world_size: int = 1) -> int:
    """global = micro x world x accumulation; refuse a global batch that does not divide."""
    from morphtok.errors import ConfigError

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


def check_datasets(prefixes: list[str], tokenizer) -> None:
    """Every prefix is a committed dataset (stats.json matches its files) tokenized by ``tokenizer``."""
    from morphtok.data.commit import require_committed

    for prefix in prefixes:
        if not Path(f"{prefix}.idx").is_file() and not Path(f"{prefix}.bin").is_file():
            raise DatasetError("data prefix not found", where=str(prefix), hint="run the preprocess phase first")
        stats = require_committed(prefix)
        if stats.get("tokenizer_hash") != tokenizer.content_hash:
            raise DatasetError("the dataset was tokenized with a different tokenizer than the model's",
                               where=str(prefix), hint="preprocess again with the model's tokenizer")


def check_vocab_bound(prefixes: list[str], vocab_size: int) -> None:
    """Refuse a dataset with ids past the embedding table (scanned only if its tokenizer is larger)."""
    from morphtok.data.preprocess import stats_path
    from morphtok.train.sampler import token_memmap

    for prefix in prefixes:
        if json.loads(stats_path(prefix).read_text(encoding="utf-8")).get("vocab_size", 0) <= vocab_size:
            continue
        tokens = token_memmap(prefix)
        top = max((int(tokens[i : i + (1 << 24)].max()) for i in range(0, len(tokens), 1 << 24)), default=-1)
        if top >= vocab_size:
            # Else it fails deep inside the forward pass (or, on GPU, as an asynchronous device assert).
            raise DatasetError(f"the dataset's largest token id is {top}, but the model's vocabulary size is "
                               f"{vocab_size} (ids must be < {vocab_size})", where=str(prefix),
                               hint="train a model whose vocabulary covers the tokenizer that made this dataset")


def vocab_sources(prefixes: list[str], vocab_prefixes: list[str] | None) -> list[str]:
    """The datasets the tiny model's vocabulary is built from: the declared ones plus the training ones."""
    ordered = [str(p) for p in (vocab_prefixes or [])]
    return ordered + [str(p) for p in prefixes if str(p) not in ordered]


def clear_run(directory: Path) -> None:
    """``--force``: delete what a trainer wrote in ``directory`` (and nothing else)."""
    for pattern in RUN_FILES:
        for path in Path(directory).glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


class TrainState:
    """The step counter and RNG states, as a checkpoint component."""

    def __init__(self) -> None:
        self.step = 0

    def state_dict(self) -> dict:
        import torch

        cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []
        return {"step": self.step, "torch_rng": torch.get_rng_state(), "cuda_rng": cuda}

    def load_state_dict(self, state: dict) -> None:
        import torch

        self.step = int(state["step"])
        torch.set_rng_state(state["torch_rng"])
        if state["cuda_rng"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda_rng"])


class Trainer:
    def __init__(self, cfg, arm: str, prefixes: list[str], validation_path: str, checkpoint_dir: str | Path, *,
                 vocab_prefixes: list[str] | None = None, force: bool = False):
        import torch

        from morphtok.segment.tokenizer import load_tokenizer
        from morphtok.train.identity import RunIdentity
        from morphtok.train.sampler import TokenSampler

        self.cfg, self.train_cfg, self.arm = cfg, cfg.train, arm
        self.dir = Path(checkpoint_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        # torchrun sets WORLD_SIZE/RANK/LOCAL_RANK; without it this is a 1-process context.
        self.dist: DistContext = setup()
        if force and self.dist.is_main:
            clear_run(self.dir)
        barrier(self.dist)
        torch.manual_seed(cfg.seed)
        # Per-rank accumulation: global = micro x accumulation x world size.
        self.accum = accumulation_steps(self.train_cfg.global_batch_size, self.train_cfg.micro_batch_size,
                                        self.dist.world_size)
        self.tokenizer = load_tokenizer(cfg.tokenizer.name)
        sources = vocab_sources(prefixes, vocab_prefixes)
        check_datasets(sources, self.tokenizer)
        self.val_docs = validation_documents(validation_path, self.tokenizer)
        self.identity = RunIdentity.of(cfg, arm, list(prefixes), validation_path, sources)
        self.vocab_map, self.model = self._build_model(sources)
        vocab = self.model.get_input_embeddings().num_embeddings
        if self.vocab_map is None:
            check_vocab_bound(list(prefixes), vocab)
        self.sampler = TokenSampler(list(prefixes), seed=cfg.seed, seq_length=self.train_cfg.seq_length,
                                    micro_batch=self.train_cfg.micro_batch_size, vocab_size=vocab,
                                    lookup=self.vocab_map.lookup if self.vocab_map is not None else None)
        self._build_loss()
        self._build_optimization()
        self.metrics = self._build_metrics()

    # ------------------------------------------------------------------ components
    def _build_model(self, sources: list[str]):
        from morphtok.train.models import load_causal_lm, tiny_model
        from morphtok.train.vocab import VocabMap

        if self.train_cfg.model != "tiny":
            return None, load_causal_lm(self.train_cfg.model).model
        # One map for every arm: built from the datasets the study declares (never a directory glob).
        extra = [np.asarray(ids) for ids, _ in self.val_docs]
        vocab_map = VocabMap.from_datasets(self.tokenizer, sources, extra)
        return vocab_map, tiny_model(len(vocab_map), seed=self.cfg.seed)

    def _build_loss(self) -> None:
        from morphtok.train.loss import CausalLMLoss
        from morphtok.train.models import enable_activation_checkpointing
        from morphtok.train.precision import autocast, weights_dtype

        tc, device = self.train_cfg, self.dist.device
        dtype = weights_dtype(tc.precision, tc.param_dtype, device)
        if dtype is not None:
            self.model.to(dtype)
        self.model.to(device)
        self.model.train()
        if tc.gradient_checkpointing:
            enable_activation_checkpointing(self.model)
        self.loss_fn = CausalLMLoss(self.model, tc.loss_chunk_size)
        # Training steps go through self.ddp (the DDP wrapper under torchrun, else the loss module);
        # validation, checkpoints and export use the plain model.
        self.ddp = wrap_model(self.loss_fn, self.dist)
        self._autocast = autocast(tc.precision, device)  # bf16 only on CUDA with bf16

    def _build_optimization(self) -> None:
        from morphtok.train.checkpoint import CheckpointManager
        from morphtok.train.optimizer import build_optimizer
        from morphtok.train.schedules import build_schedule

        tc = self.train_cfg
        self.optimizer = build_optimizer(self.model, tc, self.dist.device)
        self.schedule = build_schedule(tc.lr_schedule, self.optimizer, tc)
        self.state = TrainState()
        states = {"optimizer": self.optimizer, "schedule": self.schedule, "data": self.sampler, "train": self.state}
        self.checkpoints = CheckpointManager(self.dir, self.model, states, identity=self.identity,
                                             keep_last=tc.keep_last, dist=self.dist, write_card=self._write_card)

    def _build_metrics(self):
        from morphtok.train.metrics import MetricsSink

        tc = self.train_cfg
        return MetricsSink(self.dir, enabled=self.dist.is_main, project=tc.wandb_project,
                           name=tc.wandb_name.format(arm=self.arm))

    def _write_card(self, directory: Path, step: int) -> None:
        from morphtok.train.export import write_model_card

        write_model_card(directory, self.model.config, self.vocab_map, self._info(step))

    def _info(self, step: int) -> dict:
        return {"arm": self.arm, "step": step, "tokenizer": self.cfg.tokenizer.name, **self.identity.to_dict()}

    @property
    def step(self) -> int:
        return self.state.step

    # ------------------------------------------------------------------ checkpoints
    def save(self) -> Path:
        """Checkpoint the current step (rank 0 only)."""
        return self.checkpoints.save(self.step)

    def resume(self) -> bool:
        """Restore the newest intact checkpoint of this run; False when there is none."""
        if not self.checkpoints.load():
            return False
        log.info("resumed %s from step_%07d", self.arm, self.step)
        return True

    # ------------------------------------------------------------------ loop
    def validate(self) -> tuple[float, float]:
        """(val loss, val bpb); under torchrun each rank scores every world-th document, sums all-reduced."""
        docs = self.val_docs[self.dist.rank :: self.dist.world_size]
        sums = validation_sums(self.loss_fn, docs, self.vocab_map, self.train_cfg.seq_length)
        return loss_and_bpb(*all_reduce_sum(list(sums), self.dist))

    def _train_step(self) -> tuple[float, float]:
        """One optimizer step over this rank's share of the global batch: (loss, grad norm)."""
        from morphtok.train.step import accumulate_gradients, finish_step

        self.optimizer.zero_grad(set_to_none=True)
        micro_batches = self.sampler.micro_batches(micro_indices(self.dist.rank, self.accum))
        total = accumulate_gradients(self.ddp, micro_batches, accumulation=self.accum, autocast=self._autocast,
                                     dist=self.dist, device=self.dist.device)
        return finish_step(self.optimizer, total, grad_clip=self.train_cfg.grad_clip, step=self.step + 1,
                           where=str(self.dir))

    def train(self) -> Path:
        """Train to ``max_steps`` (resuming if possible) and export; destroys the process group it made."""
        try:
            return self._train()
        finally:
            self.metrics.close()
            teardown(self.dist)

    def _train(self) -> Path:
        import torch

        tc = self.train_cfg
        resumed = self.resume()
        self.metrics.start(self.step if resumed else None)
        if not resumed:
            self._log_validation()
        torch.set_num_threads(_cpu_threads(self.dist.local_world_size))
        with make_progress("steps", disable=not self.dist.is_main) as progress:
            task = progress.add_task(f"train {self.arm}", total=tc.max_steps, completed=self.step)
            while self.step < tc.max_steps:
                self._step_and_log()
                progress.advance(task)
                if self.step % tc.val_interval == 0 or self.step == tc.max_steps:
                    self._log_validation()
                if self.step % tc.save_interval == 0 or self.step == tc.max_steps:
                    if self.dist.is_main:
                        self.save()
                    # The other ranks wait, so no rank runs ahead of the last checkpoint on disk.
                    barrier(self.dist)
        self.metrics.close()
        if self.dist.is_main:
            self.export()
        barrier(self.dist)  # every rank returns only once the export is complete
        return self.dir / EXPORT

    def _step_and_log(self) -> None:
        tc = self.train_cfg
        start = time.perf_counter()
        lr = self.schedule.step()
        loss, grad_norm = self._train_step()
        self.state.step += 1
        self.sampler.advance()
        if self.step % tc.log_interval == 0 or self.step == 1:
            # Each rank's loss is its micro-losses / its accumulation: the global mean is the rank mean.
            loss = all_reduce_sum([loss], self.dist)[0] / self.dist.world_size
            self.metrics.log({"step": self.step, "train/loss": loss, "train/learning_rate": lr,
                              "train/consumed_samples": self.step * tc.global_batch_size,
                              "train/tokens_per_s": tc.global_batch_size * tc.seq_length / (time.perf_counter() - start),
                              "train/grad_norm": grad_norm})

    def _log_validation(self) -> None:
        loss, bpb = self.validate()
        self.metrics.log({"step": self.step, "val/loss": loss, "val/bpb": bpb})

    def export(self) -> Path:
        """The final weights as a HF model directory (+ tokenizer, + vocab map for tiny), with the fingerprint."""
        from morphtok.train.export import export_model

        return export_model(self.model, self.tokenizer, self.vocab_map, self._info(self.step), self.dir / EXPORT)


def run(cfg, arm: str, prefixes: list[str], validation_path: str, checkpoint_dir: str | Path, *,
        vocab_prefixes: list[str] | None = None, force: bool = False) -> Path:
    """Study entry point: train (resuming if possible) and export; returns the export dir.

    An export of *this* run (same fingerprint) that reached ``max_steps`` is returned as is;
    an export of another run is an error naming both fingerprints (``force`` starts afresh)."""
    from morphtok.segment.tokenizer import load_tokenizer
    from morphtok.train.identity import RunIdentity

    card = Path(checkpoint_dir) / EXPORT / "morphtok_model.json"
    if card.is_file() and not force:
        sources = vocab_sources(prefixes, vocab_prefixes)
        check_datasets(sources, load_tokenizer(cfg.tokenizer.name))
        identity = RunIdentity.of(cfg, arm, list(prefixes), validation_path, sources)
        info = json.loads(card.read_text(encoding="utf-8"))
        identity.check(info, where=str(card))
        if info.get("step", -1) >= cfg.train.max_steps:
            return card.parent
    return Trainer(cfg, arm, list(prefixes), validation_path, checkpoint_dir, vocab_prefixes=vocab_prefixes,
                   force=force).train()
