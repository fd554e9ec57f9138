"""A batch's progress on the terminal: a Rich bar in a terminal, plain lines when piped.

Both read the pool's ``Progress`` counters on a timer, so drawing never slows the items down.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

import click

from orchestrator_tui.core import display
from orchestrator_tui.core.batch.model import Progress

PLAIN_EVERY = 2.0


def progress_line(name: str, p: Progress) -> str:
    eta = p.eta()
    parts = [
        f"{p.finished}/{p.total} finished",
        f"{p.done} done",
        f"{p.failed} failed",
        f"{p.in_flight} in flight",
        f"{p.rate():.1f} items/s",
        f"ETA {_duration(eta)}" if eta is not None else "ETA —",
        display.cost(p.spent),
    ]
    return f"batch {name}: " + " · ".join(parts)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class BatchView:
    """``async with BatchView(name, progress):`` around the pool's run."""

    def __init__(self, name: str, progress: Progress, *, tty: bool | None = None) -> None:
        self.name = name
        self.progress = progress
        self.tty = sys.stdout.isatty() if tty is None else tty
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> BatchView:
        draw = self._rich if self.tty else self._plain
        self._task = asyncio.create_task(draw(), name="batch-view")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if not self.tty:
            click.echo(progress_line(self.name, self.progress))

    async def _plain(self) -> None:
        last = ""
        while True:
            await asyncio.sleep(PLAIN_EVERY)
            line = progress_line(self.name, self.progress)
            if line != last:
                click.echo(line)
                last = line

    async def _rich(self) -> None:
        from rich.progress import BarColumn, Progress, TextColumn

        p = self.progress
        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("{task.fields[counts]}"),
            transient=False,
        )
        task = bar.add_task(self.name, total=p.total, counts="")

        def draw() -> None:
            eta = p.eta()
            counts = (
                f"[green]{p.done} done[/] [red]{p.failed} failed[/] "
                f"[yellow]{p.in_flight} in flight[/] {p.rate():.1f}/s "
                f"ETA {_duration(eta) if eta is not None else '—'} {display.cost(p.spent)}"
            )
            bar.update(task, completed=p.finished, total=p.total, counts=counts)

        with bar:
            try:
                while True:
                    draw()
                    await asyncio.sleep(0.2)
            finally:
                draw()
