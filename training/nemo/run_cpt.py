"""Seed step 5: NeMo 2 continued pretraining of google/gemma-3-1b-pt on one arm's Megatron data.

    ./run_in_enroot.sh python training/nemo/run_cpt.py --data-path /workspace/data/processed/vanilla/seapile \
        --checkpoint-dir /logs/checkpoints/gemma3-1b-baseline --wandb-name gemma3-1b-baseline --max-steps 10000

Imports the HF checkpoint into NeMo, pretrains with the seed's hyper-parameters (resuming from the
latest checkpoint when there is one), writes the step-0 loss of the starting weights to
CHECKPOINT_DIR/step0.json, and exports the last checkpoint with NeMo's HF exporter to
CHECKPOINT_DIR/hf_export. ``--validation-path`` is the shared held-out set tokenized by the
baseline tokenizer (the rendered jobs build it), so the arms' validation losses compare.
``--dry-run`` prints the resolved recipe without NeMo. Runs inside the NeMo container (GPUs).
NOT exercised on the development machine (no GPU, no NeMo): the recipe and its mapping onto
NeMo's API are unit-tested there with a recording stand-in (tests/test_nemo_recipe.py).
"""

from __future__ import annotations

import argparse
import json
import sys

from morphtok.train.nemo_recipe import load_nemo_api, resolve, run


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="NeMo 2 continued pretraining (seed run_cpt.py).")
    parser.add_argument("--data-path", required=True, help="the arm's merged Megatron dataset prefix")
    parser.add_argument("--checkpoint-dir", required=True)
    parser.add_argument("--wandb-name", required=True)
    parser.add_argument("--validation-path", default=None,
                        help="Megatron prefix of the shared held-out set, baseline-tokenized (default: 1%% of the arm's data)")
    parser.add_argument("--max-steps", type=int, default=10_000)
    parser.add_argument("--model", default="google/gemma-3-1b-pt")
    parser.add_argument("--global-batch-size", type=int, default=256)
    parser.add_argument("--micro-batch-size", type=int, default=2)
    parser.add_argument("--num-gpus", type=int, default=8)
    parser.add_argument("--num-nodes", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--export-only", action="store_true", help="only export the latest checkpoint to HF")
    parser.add_argument("--dry-run", action="store_true", help="print the resolved recipe and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    recipe = resolve(data_path=args.data_path, checkpoint_dir=args.checkpoint_dir, wandb_name=args.wandb_name,
                     validation_path=args.validation_path, max_steps=args.max_steps, model=args.model,
                     global_batch_size=args.global_batch_size, micro_batch_size=args.micro_batch_size,
                     num_gpus=args.num_gpus, num_nodes=args.num_nodes, seed=args.seed)
    if args.dry_run:
        print(json.dumps(recipe, indent=2))
        return 0
    try:
        api = load_nemo_api()
    except ImportError as exc:
        print(f"error: NeMo is not installed here ({exc}). Run inside the NeMo container: "
              "./run_in_enroot.sh python training/nemo/run_cpt.py ... (see training/nemo/setup/setup_enroot.sh), "
              "or use the local trainer: morphtok train", file=sys.stderr)
        return 2
    exported = run(recipe, api, export_only=args.export_only)
    print(f"exported {exported}" if exported else "no checkpoint to export yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
