"""Seed step 5: NeMo 2 continued pretraining of google/gemma-3-1b-pt on one arm's Megatron data.

    ./run_in_enroot.sh python training/nemo/run_cpt.py --data-path /workspace/data/processed/vanilla/seapile \
        --checkpoint-dir /logs/checkpoints/gemma3-1b-baseline --wandb-name gemma3-1b-baseline --max-steps 10000

Runs inside the NeMo container (needs GPUs). ``--dry-run`` prints the resolved recipe
(morphtok.train.nemo_recipe) without NeMo. NOT exercised on the development machine
(no GPU, no NeMo): only the recipe computation and this script's argument handling are tested.
"""

from __future__ import annotations

import argparse
import json
import sys

from morphtok.train.nemo_recipe import resolve


def build_and_run(recipe: dict) -> None:  # pragma: no cover - needs the NeMo container and GPUs
    import nemo_run as run
    from nemo import lightning as nl
    from nemo.collections import llm

    hf_id = recipe["model"]["hf_id"]
    llm.import_ckpt(model=llm.Gemma3Model(llm.Gemma3Config1B()), source=recipe["model"]["import"])
    data = llm.PreTrainingDataModule(paths=recipe["data"]["paths"], seq_length=recipe["data"]["seq_length"],
                                     global_batch_size=recipe["data"]["global_batch_size"],
                                     micro_batch_size=recipe["data"]["micro_batch_size"], split=recipe["data"]["split"])
    trainer = nl.Trainer(devices=recipe["trainer"]["devices"], num_nodes=recipe["trainer"]["num_nodes"],
                         max_steps=recipe["trainer"]["max_steps"], strategy=nl.MegatronStrategy(),
                         plugins=nl.MegatronMixedPrecision(precision="bf16-mixed"),
                         val_check_interval=recipe["trainer"]["val_check_interval"],
                         log_every_n_steps=recipe["trainer"]["log_every_n_steps"])
    llm.pretrain(model=llm.Gemma3Model(llm.Gemma3Config1B()), data=data, trainer=trainer,
                 resume=nl.AutoResume(resume_if_exists=True, restore_config=nl.RestoreConfig(path=f"nemo://{hf_id}")),
                 log=nl.NeMoLogger(log_dir=recipe["checkpoint"]["dir"], name=recipe["wandb"]["name"]))
    del run


def main() -> int:
    parser = argparse.ArgumentParser(description="NeMo 2 continued pretraining (seed run_cpt.py).")
    parser.add_argument("--data-path", required=True)
    parser.add_argument("--checkpoint-dir", required=True)
    parser.add_argument("--wandb-name", required=True)
    parser.add_argument("--max-steps", type=int, default=10_000)
    parser.add_argument("--model", default="google/gemma-3-1b-pt")
    parser.add_argument("--global-batch-size", type=int, default=256)
    parser.add_argument("--micro-batch-size", type=int, default=2)
    parser.add_argument("--num-gpus", type=int, default=8)
    parser.add_argument("--num-nodes", type=int, default=1)
    parser.add_argument("--dry-run", action="store_true", help="print the resolved recipe and exit")
    args = parser.parse_args()
    recipe = resolve(data_path=args.data_path, checkpoint_dir=args.checkpoint_dir, wandb_name=args.wandb_name,
                     max_steps=args.max_steps, model=args.model, global_batch_size=args.global_batch_size,
                     micro_batch_size=args.micro_batch_size, num_gpus=args.num_gpus, num_nodes=args.num_nodes)
    if args.dry_run:
        print(json.dumps(recipe, indent=2))
        return 0
    try:
        import nemo  # noqa: F401
    except ImportError:
        print("error: NeMo is not installed here. Run inside the NeMo container: "
              "./run_in_enroot.sh python training/nemo/run_cpt.py ... (see training/nemo/setup/setup_enroot.sh), "
              "or use the local trainer: morphtok train", file=sys.stderr)
        return 2
    build_and_run(recipe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
