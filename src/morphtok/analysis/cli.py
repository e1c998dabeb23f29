"""``morphtok analyze``: tables, statistics and plots from evaluation results."""

from __future__ import annotations

import typer


def analyze(
    results_dir: str = typer.Option("results", "--results-dir"),
    out: str | None = typer.Option(None, "--out", help="Report directory (default: the results dir)."),
    training_dirs: list[str] = typer.Option([], "--training-dir", help="ARM=DIR with metrics.jsonl (repeatable)."),
) -> None:
    """Write report.md and report.html (self-contained) with plots."""
    from morphtok.analysis.report import build

    dirs = dict(item.split("=", 1) for item in training_dirs)
    paths = build(results_dir, out or results_dir, training_dirs=dirs)
    typer.echo(f"wrote {paths['report_md']} and {paths['report_html']}")


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
