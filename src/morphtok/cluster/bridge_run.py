"""``training/nemo/run_cpt.py``: one arm's continued pretraining on Megatron-Bridge, launched once per job.

The process the job starts (``./run_in_enroot.sh python training/nemo/run_cpt.py ...``) is the
*launcher*, and does, in order:

1. load the study config (the ``config.yaml`` shipped next to the rendered jobs) and check it;
2. decide the resume point (:mod:`morphtok.cluster.resume`: unfinished checkpoints moved aside,
   a run that saved before never restarts from the HF weights, the W&B run id kept);
3. import the HF checkpoint into Megatron format once per model (``AutoBridge.import_ckpt``, in a
   child process, under a file lock, written to a temp dir and renamed), shared by the arms;
4. start ``torchrun --nproc_per_node train.num_gpus`` on this script with ``--worker``: each
   worker builds the Bridge ``ConfigContainer`` (:mod:`morphtok.train.bridge_recipe`) and runs
   Bridge's ``pretrain`` with its GPT ``forward_step``;
5. when the last step is reached, export that checkpoint to ``<run>/hf_export`` with
   ``AutoBridge.export_ckpt`` in one child process (so on "rank 0" only): the HF config written
   is the source model's own (``sliding_window`` 512, tied embeddings, its
   ``max_position_embeddings``), the weights are the trained ones.

SIGTERM / SIGUSR1 / SIGINT to the launcher are forwarded as SIGTERM to the workers only (not to
torchrun, which would kill them after its grace period): Bridge's ``exit_signal_handler`` then
saves a checkpoint and stops, and the launcher exits with :data:`EXIT_RESUME` (75) so the job
requeues itself. Needs the NeMo Framework container (GPUs, Transformer Engine); the config
building is tested on CPU with the real Bridge (``tests/bridge``).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from morphtok.atomic import atomic_write_json
from morphtok.cluster import resume
from morphtok.config import StudyConfig
from morphtok.errors import CheckpointError, DatasetError
from morphtok.train.bridge_recipe import RunInputs, build_config

log = logging.getLogger(__name__)

EXIT_RESUME = 75  # stopped on a signal after saving a checkpoint: requeue to continue (EX_TEMPFAIL)
LAUNCH_FILE = "launch.json"


def import_dir(import_root: Path, model: str) -> Path:
    return import_root / model.replace("/", "__")


def has_tracker(path: Path) -> bool:
    """Bridge's ``checkpoint_exists``: a finished Megatron checkpoint dir has a tracker file."""
    return (path / "latest_train_state.pt").is_file() or (path / "latest_checkpointed_iteration.txt").is_file()


def import_hf_once(model: str, import_root: Path) -> Path:
    """The Megatron import of ``model``'s HF weights, made once (locked, temp dir + rename)."""
    target = import_dir(import_root, model)
    import_root.mkdir(parents=True, exist_ok=True)
    with open(import_root / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # arms launched together import once; the others wait
        if has_tracker(target):
            return target
        tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
        log.info("importing %s into Megatron format at %s", model, target)
        _child("import", model, str(tmp))
        if not has_tracker(tmp):
            raise CheckpointError("the HF import finished without a checkpoint tracker", where=str(tmp))
        if target.exists():  # an earlier, interrupted import left a partial dir
            target.rename(target.with_name(f"{target.name}.partial{os.getpid()}"))
        tmp.rename(target)
    return target


def identity(cfg: StudyConfig, data_path: str, validation_path: str | None) -> dict:
    """What a run dir trains on; a resume with anything else is refused."""
    t = cfg.train
    return {"data_path": data_path, "validation_path": validation_path, "model": t.model,
            "seq_length": t.seq_length, "global_batch_size": t.global_batch_size, "seed": cfg.seed}


def validation_tokens(prefix: str | None) -> int | None:
    if not prefix:
        return None
    from morphtok.data.indexed import IndexedReader

    return int(IndexedReader(prefix).sequence_lengths.sum())


def check_dataset(prefix: str, what: str) -> None:
    for suffix in (".bin", ".idx"):
        if not Path(prefix + suffix).is_file():
            raise DatasetError(f"{what} dataset is missing {prefix}{suffix}", where=prefix,
                               hint="run the preprocessing jobs first (submit_all.sh orders them)")


def launch(cfg: StudyConfig, *, config_path: str, data_path: str, run_dir: Path, wandb_name: str,
           validation_path: str | None, worker_argv: list[str]) -> int:
    """Steps 2-5 of the module docstring; returns the process exit code."""
    import importlib.util

    if importlib.util.find_spec("megatron.bridge") is None:
        raise ImportError("No module named 'megatron.bridge'")
    check_dataset(data_path, "training")
    if validation_path:
        check_dataset(validation_path, "validation")
    save_dir = run_dir / "checkpoints"
    point = resume.resume_point(run_dir, save_dir, identity(cfg, data_path, validation_path))
    pretrained = import_hf_once(cfg.train.model, run_dir.parent / "hf_import")
    inputs = RunInputs(data_path=data_path, save_dir=str(save_dir), pretrained_dir=str(pretrained),
                       validation_path=validation_path, validation_tokens=validation_tokens(validation_path),
                       ckpt_step=point.step, wandb_name=wandb_name,
                       wandb_save_dir=os.environ.get("WANDB_DIR") or str(run_dir / "wandb"))
    atomic_write_json(run_dir / LAUNCH_FILE, {"config": config_path, "inputs": asdict(inputs),
                                              "identity": identity(cfg, data_path, validation_path)})
    if point.step is not None and point.step >= cfg.train.max_steps:
        log.info("step %d reached before: no training, only the export", point.step)
    else:
        log.info("resuming from step %s (else from %s)", point.step, pretrained)
        env = {**os.environ, "WANDB_RUN_ID": resume.wandb_run_id(run_dir), "WANDB_RESUME": "allow"}
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                   f"--nproc_per_node={cfg.train.num_gpus}", *worker_argv, "--worker"]
        code = run_forwarding_signals(command, env)
        if code != 0:
            return code
    last = resume.latest_complete(save_dir)
    if last is None or last[0] < cfg.train.max_steps:
        log.warning("stopped at step %s of %s: rerun the job to continue", last and last[0], cfg.train.max_steps)
        return EXIT_RESUME
    export_once(cfg.train.model, last, run_dir / "hf_export")
    return 0


def export_once(model: str, checkpoint: tuple[int, Path], target: Path) -> Path:
    """Export ``checkpoint`` to ``target`` (temp dir + rename; skipped when that step is there already)."""
    record = target / "export.json"
    if record.is_file() and json.loads(record.read_text(encoding="utf-8")).get("step") == checkpoint[0]:
        return target
    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
    _child("export", model, str(checkpoint[1]), str(tmp))
    atomic_write_json(tmp / "export.json", {"step": checkpoint[0], "checkpoint": str(checkpoint[1]), "model": model})
    if target.exists():
        target.rename(target.with_name(f"{target.name}.old{os.getpid()}"))
    tmp.rename(target)
    log.info("exported step %d to %s", checkpoint[0], target)
    return target


def worker(cfg: StudyConfig, run_dir: Path) -> int:  # pragma: no cover - needs GPUs and the container
    """One torchrun rank: build the ConfigContainer and run Bridge's pretrain."""
    from megatron.bridge.training.gpt_step import forward_step
    from megatron.bridge.training.pretrain import pretrain

    plan = json.loads((run_dir / LAUNCH_FILE).read_text(encoding="utf-8"))
    inputs = RunInputs(**plan["inputs"])
    container = build_config(cfg, inputs)
    pretrain(container, forward_step, callbacks=[marker_callback(run_dir, inputs)])
    return 0


def marker_callback(run_dir: Path, inputs: RunInputs):  # pragma: no cover - needs Bridge's training loop
    """A Bridge callback (rank 0): ``started.json`` once the first checkpoint is complete, and on a
    fresh run ``step0.json``, the loss of the first batch on the imported weights (a random-init
    Gemma 3 starts near ln(262144) = 12.5 nats; the pretrained 1B far below)."""
    from megatron.bridge.training.callbacks import Callback

    save_dir = Path(inputs.save_dir)
    run_identity = json.loads((run_dir / LAUNCH_FILE).read_text(encoding="utf-8")).get("identity", {})

    class RunMarker(Callback):
        def on_train_step_end(self, context) -> None:
            if int(os.environ.get("RANK", "0")) != 0:
                return
            step = context.state.train_state.step
            if step == 1 and inputs.ckpt_step is None and context.loss_dict:
                loss = {k: float(v.detach().float().mean()) for k, v in context.loss_dict.items()}
                atomic_write_json(run_dir / "step0.json", {"step": 0, "loss": loss})
            if context.user_state.get("marked"):
                return
            latest = resume.latest_complete(save_dir)
            if latest is not None and has_tracker(save_dir):
                if not (run_dir / resume.MARKER).is_file():
                    resume.write_marker(run_dir, latest[0], run_identity)
                context.user_state["marked"] = True

    return RunMarker()


def run_forwarding_signals(command: list[str], env: dict[str, str]) -> int:
    """Run ``command``; SIGTERM/SIGUSR1/SIGINT here become SIGTERM to its children (the workers)."""
    process = subprocess.Popen(command, env=env)

    def forward(signum, _frame) -> None:
        targets = _children(process.pid) or [process.pid]
        log.warning("signal %d: asking %d worker(s) to save a checkpoint and stop", signum, len(targets))
        for pid in targets:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGUSR1, signal.SIGINT)}
    try:
        return process.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc)."""
    pids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def _child(action: str, *args: str) -> None:
    """AutoBridge import/export in a fresh single process (its own gloo context, no stale process group)."""
    result = subprocess.run([sys.executable, "-m", "morphtok.cluster.bridge_convert", action, *args])
    if result.returncode != 0:
        raise CheckpointError(f"AutoBridge {action} failed (exit {result.returncode})", where=args[-1])
