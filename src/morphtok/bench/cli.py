"""``morphtok bench generate|validate``."""

from __future__ import annotations

import json

import typer

bench_app = typer.Typer(help="PACUTE + hierarchical benchmarks.", no_args_is_help=True)


@bench_app.command("generate")
def generate_cmd(
    out: str = typer.Option("data/benchmarks", "--out", "-o"),
    seed: int = typer.Option(1859, "--seed"),
    families: list[str] = typer.Option(None, "--families", help="Subset of the registered families (repeatable; "
                                       "`morphtok bench families` lists them)."),
    sizes: str = typer.Option("", "--sizes", help='Per-subtask sizes as JSON, e.g. \'{"spell": 10}\'.'),
    generator_version: str = typer.Option("2.0", "--generator-version",
                                          help="2.0 (default) or 1.3 (the earlier generator, reproducible)."),
) -> None:
    """Generate, validate and write {family}_{mcq,gen}.jsonl + manifest.json."""
    from morphtok.bench.generate import generate, write

    files = generate(seed, json.loads(sizes) if sizes else None, families or None, version=generator_version)
    manifest = write(files, out, seed)
    typer.echo(f"wrote {sum(len(v) for v in files.values())} items in {len(files)} files; {manifest}")


@bench_app.command("families")
def families_cmd() -> None:
    """List the registered benchmark families (entry points of morphtok.benchmarks) and their subtasks."""
    from morphtok.bench import family

    for name in family.names():
        definition = family.get(name)
        sizes = ", ".join(f"{fmt} {n}" for fmt, n in definition.sizes.items())
        typer.echo(f"{name} ({sizes}; {family.origin(name)})")
        for task in definition.subtasks:
            level = "" if task.level is None else f" level {task.level}"
            checks = f" [{', '.join(sorted(task.checks))}]" if task.checks else ""
            typer.echo(f"  {task.name}{level}: {'/'.join(task.formats)}, pool {task.pool}{checks}")


@bench_app.command("validate")
def validate_cmd(
    paths: list[str] = typer.Argument(...),
    audit: bool = typer.Option(False, "--audit", help="Run the option-only audit on every MCQ file (as the "
                               "evaluation does), not only on generator 2.0 files."),
) -> None:
    """Run the validity checks on benchmark files; exit 1 on any problem."""
    from morphtok.bench.reader import read_items
    from morphtok.bench.validator import validate

    failed = False
    for path in paths:
        problems = validate(read_items(path), option_audit=True if audit else None)
        typer.echo(f"{path}: {'OK' if not problems else json.dumps(problems, ensure_ascii=False)[:2000]}")
        failed |= bool(problems)
    raise typer.Exit(1 if failed else 0)


@bench_app.command("export-lm-eval")
def export_cmd(
    benchmark_dir: str = typer.Option("data/benchmarks", "--benchmark-dir"),
    out: str = typer.Option(..., "--out", help="Task directory for lm_eval --include_path."),
) -> None:
    """Write lm-evaluation-harness task YAMLs + data (absolute paths; runs offline)."""
    from morphtok.bench.lm_eval_export import export

    paths = export(benchmark_dir, out)
    typer.echo(f"wrote {len(paths)} tasks to {out} (lm_eval --include_path {out} --tasks morphtok_<family>_<format>)")


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")
