"""``morphtok train``: the local trainer (seed's run_cpt.py arguments)."""

from __future__ import annotations

import json
import os

import typer


def train(
    config: str = typer.Option("demo", "--config", "-c", help="Preset name or YAML file."),
    arm: str = typer.Option("baseline", "--arm", help="baseline | stochastok | patok (names the run)."),
    model: str | None = typer.Option(None, "--model", help="tiny | gemma3-270m | HF id | local dir."),
    data_path: list[str] = typer.Option(..., "--data-path", help="Indexed dataset prefix(es); repeat for a blend."),
    vocab_data_path: list[str] = typer.Option(
        [], "--vocab-data-path",
        help="tiny model: every arm's dataset prefixes, so all arms share one vocabulary (repeatable)."),
    validation: str = typer.Option(..., "--validation", help="Shared held-out validation.jsonl (raw text)."),
    checkpoint_dir: str = typer.Option(..., "--checkpoint-dir"),
    max_steps: int | None = typer.Option(None, "--max-steps"),
    val_interval: int | None = typer.Option(None, "--val-interval"),
    save_interval: int | None = typer.Option(None, "--save-interval"),
    log_interval: int | None = typer.Option(None, "--log-interval"),
    wandb_name: str | None = typer.Option(None, "--wandb-name"),
    overrides: list[str] = typer.Option([], "--set", help="Config override key=value (repeatable)."),
    force: bool = typer.Option(False, "--force", help="Start afresh: delete this dir's checkpoints and export first."),
) -> None:
    """Continued pretraining on one arm's data; resumes from the latest checkpoint of the same run."""
    from morphtok.config import load_config
    from morphtok.train.trainer import run

    flags = {"model": model, "max_steps": max_steps, "val_interval": val_interval, "save_interval": save_interval,
             "log_interval": log_interval, "wandb_name": wandb_name}
    sets = [*overrides, *(f"train.{k}={v}" for k, v in flags.items() if v is not None)]
    cfg = load_config(config, sets)
    export = run(cfg, arm, data_path, validation, checkpoint_dir, vocab_prefixes=vocab_data_path or None, force=force)
    if os.environ.get("RANK", "0") == "0":  # under torchrun, one line for the job, not one per rank
        typer.echo(f"exported {export}")


def export(
    checkpoint: str = typer.Argument(..., help="A trainer checkpoint dir (CHECKPOINT_DIR/step_0001000) or model dir."),
    out: str = typer.Option(..., "--out", "-o", help="Where to write the HF model directory."),
) -> None:
    """Export any step's checkpoint as a HF model directory (weights, config, tokenizer)."""
    from pathlib import Path

    from morphtok.train.export import export_model
    from morphtok.train.models import load_causal_lm

    loaded = load_causal_lm(checkpoint)
    card = Path(checkpoint) / "morphtok_model.json"
    info = json.loads(card.read_text()) if card.is_file() else {}
    info.pop("tokenizer", None)  # the export carries its own tokenizer.json
    target = export_model(loaded.model, loaded.tokenizer, loaded.vocab_map, {**info, "source": str(checkpoint)}, Path(out))
    typer.echo(f"exported {target}")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("export")(export)
