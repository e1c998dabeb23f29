"""CLI commands of this phase (filled in by the phase's issue)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this phase's commands to the top-level ``morphtok`` app."""
