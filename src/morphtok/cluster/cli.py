"""``morphtok jobs render``."""

from __future__ import annotations

import typer

jobs_app = typer.Typer(help="Render PBS/Slurm jobs for the cluster steps.", no_args_is_help=True)


@jobs_app.command("render")
def render_cmd(
    scheduler: str = typer.Option("pbs", "--scheduler", help="pbs | slurm | both"),
    config: str = typer.Option("gemma3-1b-seapile", "--config"),
    out: str = typer.Option("jobs", "--out"),
    launcher: str | None = typer.Option(None, "--launcher", help="nemo (default) | torchrun"),
) -> None:
    """Write the seed's job arrays: preprocess_data_{vanilla,stochastok,patok} and run_cpt_<arm>."""
    from morphtok.cluster import render_jobs
    from morphtok.config import load_config

    written = render_jobs(load_config(config), out, scheduler=scheduler, launcher=launcher)
    for path in written.values():
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
