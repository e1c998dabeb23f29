"""``morphtok jobs render`` and ``morphtok jobs step preprocess|validation|check-chunks``."""

from __future__ import annotations

import typer

jobs_app = typer.Typer(help="Render batch-scheduler jobs for the cluster steps.", no_args_is_help=True)
step_app = typer.Typer(help="The CPU steps the rendered jobs run (each reads the study config).",
                       no_args_is_help=True)
jobs_app.add_typer(step_app, name="step")

CONFIG_HELP = "Preset name or YAML file (the rendered jobs pass their config.yaml)."


@jobs_app.command("render")
def render_cmd(
    scheduler: str = typer.Option("both", "--scheduler",
                                  help="A registered scheduler (`morphtok jobs schedulers`), several joined by "
                                       "commas, all, or both (the built-ins, the default)."),
    config: str = typer.Option("gemma3-1b-seapile", "--config", help=CONFIG_HELP),
    out: str = typer.Option("jobs", "--out", help="Directory for the jobs, submit_all.sh and config.yaml."),
    study_dir: str = typer.Option(None, "--study-dir",
                                  help="Holds data/ and checkpoints/ (default: the repository, the seed's layout)."),
    launcher: str | None = typer.Option(None, "--launcher", help="nemo (Megatron-Bridge, default) | torchrun"),
    overrides: list[str] = typer.Option([], "--set", help="Override a config value, e.g. --set train.lr=3e-4."),
) -> None:
    """Write the seed's jobs: preprocess_data_{vanilla,stochastok,patok}, prepare_validation, run_cpt_<arm>."""
    from morphtok.cluster import render_jobs
    from morphtok.config import load_config

    written = render_jobs(load_config(config, overrides), out, run_dir=study_dir, scheduler=scheduler,
                          launcher=launcher)
    for path in written.values():
        typer.echo(str(path))


@jobs_app.command("schedulers")
def schedulers_cmd() -> None:
    """List the registered job schedulers (entry points ``morphtok.schedulers``) and how each submits."""
    from morphtok.cluster.schedulers import SCHEDULERS

    for name in SCHEDULERS.names():
        sched = SCHEDULERS.get(name)
        mark = " (rendered by default)" if sched.default else ""
        typer.echo(f"{name}{mark}: *.{sched.suffix} jobs, submitted with {sched.submit.split()[0]}")


@step_app.command("preprocess")
def preprocess_step(
    config: str = typer.Option(..., "--config", help=CONFIG_HELP),
    arm: str = typer.Option(..., "--arm"),
    chunk: int = typer.Option(..., "--chunk", help="1-based chunk index (the array index)."),
    chunks_dir: str = typer.Option(..., "--chunks-dir"),
    out_dir: str = typer.Option(..., "--out-dir", help="Per-arm dirs of chunk datasets go here."),
) -> None:
    """Tokenize one chunk with one arm, with the config's settings."""
    from morphtok.cluster.steps import preprocess_chunk
    from morphtok.config import load_config

    typer.echo(str(preprocess_chunk(load_config(config), arm, chunk, chunks_dir, out_dir)))


@step_app.command("validation")
def validation_step(
    config: str = typer.Option(..., "--config", help=CONFIG_HELP),
    chunks_dir: str = typer.Option(..., "--chunks-dir"),
    out_dir: str = typer.Option(..., "--out-dir"),
) -> None:
    """Write the shared held-out documents and their baseline tokenization."""
    from morphtok.cluster.steps import prepare_validation
    from morphtok.config import load_config

    typer.echo(str(prepare_validation(load_config(config), chunks_dir, out_dir)))


@step_app.command("check-chunks")
def check_chunks_step(
    config: str = typer.Option(..., "--config", help=CONFIG_HELP),
    chunks_dir: str = typer.Option(..., "--chunks-dir"),
) -> None:
    """Fail unless the split has corpus.num_chunks chunk files."""
    from morphtok.cluster.steps import chunk_files
    from morphtok.config import load_config

    typer.echo(f"{len(chunk_files(load_config(config), chunks_dir))} chunks in {chunks_dir}")


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
