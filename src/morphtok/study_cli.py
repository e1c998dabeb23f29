"""CLI commands for the whole study (``morphtok study ...``, ``morphtok doctor``)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the study commands to the top-level ``morphtok`` app."""
