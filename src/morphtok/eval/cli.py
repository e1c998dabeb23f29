"""``morphtok eval``: score models on the benchmarks (seed's run_evaluation.py arguments)."""

from __future__ import annotations

from pathlib import Path

import typer


def evaluate(
    models: list[str] = typer.Option(..., "--models", help="Model dirs, HF ids or gemma3-270m (repeatable)."),
    benchmarks: list[str] = typer.Option(["pacute", "hierarchical"], "--benchmarks"),
    eval_mode: str = typer.Option("both", "--eval-mode", help="mcq | gen | both"),
    benchmark_dir: str = typer.Option("data/benchmarks", "--benchmark-dir"),
    out: str = typer.Option("results", "--out"),
    limit: int | None = typer.Option(None, "--limit", help="Seeded subset per file (same items for every model)."),
    seed: int = typer.Option(1234, "--seed"),
    num_fewshot: int = typer.Option(0, "--num-fewshot"),
    dtype: str = typer.Option("float32", "--dtype"),
    batch_size: int = typer.Option(8, "--batch-size"),
) -> None:
    """Evaluate every model; results/<model>/<benchmark>.jsonl + summary.json."""
    from morphtok.eval.runner import run

    named = {(Path(m).parent.name if Path(m).name == "export" else Path(m).name) or m: m for m in models}
    run(named, benchmark_dir, out, mode=eval_mode, limit=limit, seed=seed, num_fewshot=num_fewshot, dtype=dtype,
        batch_size=batch_size, benchmarks=benchmarks)
    typer.echo(f"results in {out}")


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)
