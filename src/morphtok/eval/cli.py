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
    num_fewshot: int = typer.Option(0, "--num-fewshot", help="MCQ k-shot examples from a seeded pool disjoint from "
                                    "the evaluated items (same subtask)."),
    gen_fewshot: int = typer.Option(3, "--gen-fewshot", help="GEN k-shot examples from the same pool; 0 is a format "
                                    "check (0-shot and k-shot runs score the same items)."),
    mcq_style: str = typer.Option("text", "--mcq-style", help="text: score each option | letter: list the options "
                                  "in the prompt and score A/B/C/D."),
    dtype: str = typer.Option("float32", "--dtype"),
    batch_size: int = typer.Option(16, "--batch-size", help="MCQ questions per batched pass (their prompts once, then all their options; rows per pass where the plain path runs)."),
    no_validate: bool = typer.Option(False, "--no-validate", help="Score files that fail the benchmark validator "
                                     "(items whose gold our recomputation contradicts are marked in the records and summary)."),
    force: bool = typer.Option(False, "--force", help="A model's results dir holding records of another model or "
                               "other settings is an error; --force removes them and starts afresh."),
) -> None:
    """Evaluate every model; results/<model>/<benchmark>.jsonl + summary.json."""
    from morphtok.eval.runner import run

    named = model_labels(models)
    run(named, benchmark_dir, out, mode=eval_mode, benchmarks=benchmarks, limit=limit, seed=seed,
        num_fewshot=num_fewshot, gen_fewshot=gen_fewshot, mcq_style=mcq_style, dtype=dtype, batch_size=batch_size,
        validate=not no_validate, force=force)
    typer.echo(f"results in {out}")


def model_label(spec: str) -> str:
    """The results-dir name of a model: a run's export or checkpoint is named after its run
    (train/patok/export -> patok, train/patok/step_0001000 -> patok-step_0001000)."""
    path = Path(spec)
    if path.name == "export":
        return path.parent.name or spec
    if path.name.startswith("step_"):
        return f"{path.parent.name}-{path.name}"
    return path.name or spec


def model_labels(specs: list[str]) -> dict[str, str]:
    """Label -> spec; two specs with one label would share a results dir, so that is an error."""
    named: dict[str, str] = {}
    for spec in specs:
        label = model_label(spec)
        if label in named and named[label] != spec:
            raise typer.BadParameter(f"'{named[label]}' and '{spec}' would both write results/{label}/; "
                                     "rename one directory or evaluate them into different --out dirs",
                                     param_hint="--models")
        named[label] = spec
    return named


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)
