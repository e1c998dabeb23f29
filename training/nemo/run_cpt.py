"""Seed step 5: continued pretraining of Gemma 3 1B on one arm, on Megatron-Bridge in the NeMo container.

    ./run_in_enroot.sh python training/nemo/run_cpt.py --data-path /workspace/data/processed/vanilla/seapile \
        --checkpoint-dir /logs/checkpoints/gemma3-1b-baseline --wandb-name gemma3-1b-baseline --max-steps 10000

Every hyper-parameter comes from the study config (``--config``: the ``config.yaml`` the rendered
jobs ship, default the ``gemma3-1b-seapile`` preset); ``--max-steps`` is the seed's flag and
overrides ``train.max_steps``. ``--validation-path`` is the shared held-out set tokenized by the
baseline tokenizer (default: ``<data root>/processed/validation/baseline`` beside the data, when it
exists; otherwise 1% of the arm's own documents validate, and the arms' losses do not compare).
What happens, and what is tested where: ``morphtok.cluster.bridge_run`` (docstring).
``--dry-run`` prints the resolved Bridge config (needs Megatron-Bridge importable).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from morphtok.config import load_config
from morphtok.errors import MorphtokError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Megatron-Bridge continued pretraining of one arm (seed run_cpt.py).")
    parser.add_argument("--data-path", required=True, help="the arm's merged Megatron dataset prefix")
    parser.add_argument("--checkpoint-dir", required=True, help="this run's dir (checkpoints, marker, W&B id, export)")
    parser.add_argument("--wandb-name", default=None, help="W&B run name (default: train.wandb_name with --arm)")
    parser.add_argument("--max-steps", type=int, default=None, help="overrides train.max_steps")
    parser.add_argument("--config", default="gemma3-1b-seapile", help="study config: a preset name or config.yaml")
    parser.add_argument("--arm", default=None, help="the arm (names the W&B run when --wandb-name is not given)")
    parser.add_argument("--validation-path", default=None,
                        help="Megatron prefix of the shared held-out set, baseline-tokenized")
    parser.add_argument("--dry-run", action="store_true", help="print the finalized Bridge config and exit")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def default_validation(data_path: str) -> str | None:
    candidate = Path(data_path).parent.parent / "validation" / "baseline"
    return str(candidate) if candidate.with_suffix(".idx").is_file() else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        overrides = [f"train.max_steps={args.max_steps}"] if args.max_steps is not None else []
        cfg = load_config(args.config, overrides)
        from morphtok.cluster import bridge_run
        from morphtok.cluster.render import run_name

        wandb_name = args.wandb_name or run_name(cfg, args.arm or "run")
        validation = args.validation_path or default_validation(args.data_path)
        run_dir = Path(args.checkpoint_dir)
        if args.worker:
            return bridge_run.worker(cfg, run_dir)
        if args.dry_run:
            import os

            from morphtok.train.bridge_recipe import RunInputs, build_config, finalize

            os.environ.setdefault("WORLD_SIZE", str(cfg.train.num_gpus))  # validate as the job's ranks will

            inputs = RunInputs(data_path=args.data_path, save_dir=str(run_dir / "checkpoints"),
                               pretrained_dir=str(run_dir.parent / "hf_import"), validation_path=validation,
                               wandb_name=wandb_name)
            finalize(build_config(cfg, inputs)).print_yaml()
            return 0
        if validation is None:
            logging.warning("no shared validation set: validating on 1%% of %s; arms' losses will not compare",
                            args.data_path)
        return bridge_run.launch(cfg, config_path=args.config, data_path=args.data_path, run_dir=run_dir,
                                 wandb_name=wandb_name, validation_path=validation,
                                 worker_argv=[str(Path(__file__).resolve()), *argv])
    except MorphtokError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ImportError as err:
        print(f"error: Megatron-Bridge is not importable here ({err}). Run inside the NeMo container: "
              "./run_in_enroot.sh python training/nemo/run_cpt.py ... (training/nemo/setup/setup_enroot.sh "
              "imports it), or train with the local trainer: morphtok train", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
