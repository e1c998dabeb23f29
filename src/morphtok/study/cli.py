"""CLI commands for the whole study (``morphtok study run|plan``, ``morphtok doctor``)."""

from __future__ import annotations

from pathlib import Path

import typer

study_app = typer.Typer(help="Run the whole study (corpus -> arms -> training -> benchmarks -> eval -> report).",
                        no_args_is_help=True)

CONFIG_HELP = "Preset name (demo, gemma3-1b-seapile) or a YAML file."
SET_HELP = "Override a config value, e.g. --set train.max_steps=20 (repeatable)."


def _console():
    from rich.console import Console

    return Console(stderr=True)


@study_app.command("run")
def run(
    config: str = typer.Option("demo", "--config", "-c", help=CONFIG_HELP),
    out: Path = typer.Option(None, "--out", "-o", help="Run directory (default runs/<config name>)."),
    overrides: list[str] = typer.Option([], "--set", help=SET_HELP),
    only: str = typer.Option(None, "--only", help="Run just this phase (its inputs must be done)."),
    start: str = typer.Option(None, "--from", help="Run from this phase on (earlier ones must be done)."),
    force: bool = typer.Option(False, "--force", help="Re-run the selected phases even if done."),
) -> None:
    """Run every phase into the run dir; finished phases are skipped, interrupted ones resume."""
    from rich.table import Table

    from morphtok.config import load_config
    from morphtok.study.phases import PHASE_ORDER, PHASES
    from morphtok.study.plan import build_plan, human_seconds
    from morphtok.study.runner import PhaseRecord, run_study

    cfg = load_config(config, overrides)
    run_dir = out or Path("runs") / cfg.name
    has_gpu = _has_gpu()
    console = _console()
    estimates = {row.phase: row.seconds for row in build_plan(cfg, has_gpu=has_gpu, out=str(run_dir))}

    def on_event(record: PhaseRecord) -> None:
        index = PHASE_ORDER.index(record.name) + 1
        if record.status == "running":
            remaining = sum(s for p, s in estimates.items() if PHASE_ORDER.index(p) >= index - 1)
            console.rule(f"[bold]phase {index}/{len(PHASES)}: {record.name}[/]  "
                         f"(est. {human_seconds(estimates.get(record.name, 0))}, study ETA ~{human_seconds(remaining)})")
        elif record.status in {"done", "pending", "failed"}:
            console.print(f"  {record.name}: {record.status} in {human_seconds(record.seconds)}"
                          + (f" -- {record.message}" if record.message else ""))
        elif record.status == "skipped":
            console.print(f"[dim]phase {index}/{len(PHASES)}: {record.name} skipped ({record.message})[/]")

    console.print(f"study [bold]{cfg.name}[/] -> {run_dir}  (GPU: {'yes' if has_gpu else 'no'})")
    records = run_study(cfg, run_dir, PHASES, only=only, start=start, force=force, on_event=on_event, has_gpu=has_gpu)

    table = Table(title=f"study {cfg.name}: {run_dir}")
    for column in ("phase", "status", "wall time", "note"):
        table.add_column(column)
    for record in records:
        table.add_row(record.name, record.status, human_seconds(record.seconds) if record.seconds else "-", record.message)
    table.add_row("total", "", human_seconds(sum(r.seconds for r in records)), "")
    console.print(table)
    _print_next_steps(console, run_dir, records)


def _print_next_steps(console, run_dir: Path, records) -> None:
    import json

    pending = [r for r in records if r.status == "pending"]
    for record in pending:
        console.print(f"[yellow]phase '{record.name}' could not finish here: {record.message}[/]")
        marker = run_dir / record.name / "pending.json"
        if marker.is_file():
            for command in json.loads(marker.read_text(encoding="utf-8"))["outputs"].get("next_commands", []):
                console.print(f"  {command}", soft_wrap=True, markup=False, highlight=False)  # one line, copyable
    if pending:
        console.print(f"afterwards, rerun the same command (finished phases are skipped): "
                      f"morphtok study run --config {run_dir / 'config.yaml'} --out {run_dir}")
        return
    report = run_dir / "report.html"
    if report.is_file():
        console.print(f"[green]report:[/] {report}  and {run_dir / 'report.md'}")


def _has_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


@study_app.command("plan")
def plan(
    config: str = typer.Option("demo", "--config", "-c", help=CONFIG_HELP),
    out: str = typer.Option(None, "--out", "-o", help="Run directory used in the printed commands."),
    overrides: list[str] = typer.Option([], "--set", help=SET_HELP),
) -> None:
    """Print the phases, their commands, and estimated time and disk (from measured throughputs)."""
    from rich.table import Table

    from morphtok.config import load_config
    from morphtok.study.plan import build_plan, human_bytes, human_seconds

    cfg = load_config(config, overrides)
    out = out or f"runs/{cfg.name}"
    rows = build_plan(cfg, out=out)
    typer.echo(f"commands: morphtok study run --config {config} --out {out} <command>")
    table = Table(title=f"study plan: {cfg.name}")
    for column in ("phase", "where", "command", "est. time", "est. disk", "note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.phase, row.where, row.command, human_seconds(row.seconds), human_bytes(row.disk_bytes), row.note)
    table.add_row("total", "", "", human_seconds(sum(r.seconds for r in rows)), human_bytes(sum(r.disk_bytes for r in rows)), "")
    from rich.console import Console

    Console().print(table)
    typer.echo("Estimates: src/morphtok/study/throughputs.yaml and each arm's declared throughput "
               "(measured on the dev CPU unless marked assumed).")


def doctor(
    config: str = typer.Option("demo", "--config", "-c", help=CONFIG_HELP),
    load_model: bool = typer.Option(False, "--load-model", help="Also load the default model (slow)."),
    out: Path = typer.Option(Path("runs"), "--out", help="Where run dirs go (for the disk check)."),
) -> None:
    """Check the set-up: packages, tokenizer, model, GPUs, container, credentials, disk."""
    from rich.console import Console
    from rich.table import Table

    from morphtok.config import load_config
    from morphtok.study.doctor import run_checks

    checks = run_checks(load_config(config), load_model=load_model, out=out)
    table = Table(title="morphtok doctor")
    for column in ("", "check", "detail", "fix"):
        table.add_column(column, overflow="fold")
    for check in checks:
        mark = "[green]✓[/]" if check.ok else ("[red]✗[/]" if check.hard else "[yellow]✗[/]")
        table.add_row(mark, check.name, check.detail, check.hint)
    Console().print(table)
    failed = [c.name for c in checks if not c.ok and c.hard]
    if failed:
        typer.secho(f"hard failures: {', '.join(failed)}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo("ready" + (" (cluster-only checks marked ✗ in yellow)" if any(not c.ok for c in checks) else ""))


def register(app: typer.Typer) -> None:
    """Add the study commands to the top-level ``morphtok`` app."""
    app.add_typer(study_app, name="study")
    app.command("doctor")(doctor)
