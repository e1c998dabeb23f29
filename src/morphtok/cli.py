"""The ``morphtok`` command: a thin typer layer over the library.

Each phase package contributes its commands through a ``register(app)`` function
in its own ``cli.py``; this module only wires them together and turns
:class:`~morphtok.errors.MorphtokError` into a clean message (traceback with ``--debug``).
Heavy imports (torch, transformers) happen inside commands, so ``--help`` is instant.
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from morphtok import __version__
from morphtok.errors import MorphtokError

app = typer.Typer(
    name="morphtok",
    help="Morphology-aware tokenization study toolkit (baseline vs StochasTok vs Patok on Gemma 3).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_DEBUG = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"morphtok {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    global _DEBUG
    _DEBUG = debug or os.environ.get("MORPHTOK_DEBUG") == "1"
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )


def _register_all() -> None:
    # Each import is cheap: the phase cli modules import their heavy deps lazily.
    from morphtok.analysis import cli as analysis_cli
    from morphtok.bench import cli as bench_cli
    from morphtok.cluster import cli as cluster_cli
    from morphtok.data import cli as data_cli
    from morphtok.eval import cli as eval_cli
    from morphtok.lang.fil import cli as fil_cli
    from morphtok.segment import cli as segment_cli
    from morphtok.study.cli import register as study_register
    from morphtok.train import cli as train_cli

    for module in (segment_cli, fil_cli, data_cli, train_cli, bench_cli, eval_cli, analysis_cli, cluster_cli):
        module.register(app)
    study_register(app)


_register_all()


_MULTI = {"--models", "--benchmarks"}


def _expand_multi(argv: list[str]) -> list[str]:
    """Allow the seed's ``--models A B C`` form: repeat the flag before each extra value."""
    out: list[str] = []
    flag = None
    for arg in argv:
        if arg.startswith("-"):
            flag = arg if arg in _MULTI else None
            out.append(arg)
        elif flag is not None and out[-1] != flag:
            out += [flag, arg]
        else:
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code."""
    argv = _expand_multi(list(sys.argv[1:] if argv is None else argv))
    try:
        # standalone_mode=False makes click *return* a typer.Exit code instead of raising it.
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and not isinstance(code, bool) and code != 0:
            return code
    except MorphtokError as err:
        if _DEBUG:
            raise
        typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code
        if isinstance(exc, click.exceptions.Exit):
            return exc.exit_code
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
