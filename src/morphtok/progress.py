"""One place that makes rich progress bars, so every long loop looks the same.

Bars go to stderr and switch themselves off when stderr is not a terminal
(CI logs) or when ``MORPHTOK_PROGRESS=0``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

T = TypeVar("T")

_console = Console(stderr=True)


class RateColumn(ProgressColumn):
    """Items per second, e.g. ``1234.5 tok/s``."""

    def __init__(self, unit: str):
        super().__init__()
        self.unit = unit

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.1f} {self.unit}/s")


def progress_enabled() -> bool:
    flag = os.environ.get("MORPHTOK_PROGRESS")
    if flag is not None:
        return flag not in {"0", "false", "no"}
    return sys.stderr.isatty()


def make_progress(unit: str = "items", disable: bool = False) -> Progress:
    """A Progress with description, bar, n/total, rate, elapsed and ETA (``disable``: draw nothing)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(unit),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=_console,
        disable=disable or not progress_enabled(),
        transient=False,
    )


def track(iterable: Iterable[T], description: str, total: int | None = None, unit: str = "items") -> Iterator[T]:
    """Iterate with a progress bar (no-op display when progress is disabled)."""
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    with make_progress(unit) as progress:
        task = progress.add_task(description, total=total)
        for item in iterable:
            yield item
            progress.advance(task)
