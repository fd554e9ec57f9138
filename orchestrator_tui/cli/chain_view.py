"""Rich rendering of a chain run: a live table of steps with the streaming tail, then a summary.

In a terminal the table redraws in place; piped, each step prints one line as it ends, so logs of
a headless run stay readable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from orchestrator_tui.cli.live import STATUS_STYLE, start_live
from orchestrator_tui.cli.terminal import markdown, plain, write
from orchestrator_tui.core import display
from orchestrator_tui.core.chains.engine import describe
from orchestrator_tui.core.chains.model import Chain
from orchestrator_tui.core.events import (
    ResponseStarted,
    RunEvent,
    StepFinished,
    StepIteration,
    StepStarted,
    TextDelta,
)

ICONS = {
    "waiting": "·",
    "running": "▶",
    "ok": "✓",
    "failed": "✗",
    "skipped": "-",
    "cancelled": "■",
    "budget": "$",
}
SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(scores: list[float | None]) -> str:
    """One block per score, 0..1 mapped to eight heights; a failed review is ``✗``."""
    return "".join(
        "✗" if s is None else SPARKS[min(int(s * len(SPARKS)), len(SPARKS) - 1)] for s in scores
    )


@dataclass(slots=True)
class _Step:
    id: str
    kind: str
    models: str
    status: str = "waiting"
    started: float | None = None
    elapsed: float | None = None
    scores: list[float | None] = field(default_factory=list)
    error: str | None = None
    notes: str = ""


class ChainProgress:
    """Feed it run events; ``close`` prints the final output and the step table."""

    def __init__(self, chain: Chain, console: Console | None = None) -> None:
        self.console = console or Console()
        self.steps = {
            s.id: _Step(s.id, s.kind, ", ".join(s.all_models) or "—") for s in chain.steps
        }
        self._tail: list[str] = []
        self._tail_title = ""
        self._live = start_live(self, self.console)

    def handle(self, event: RunEvent) -> None:
        match event:
            case StepStarted():
                step = self.steps[event.step_id]
                step.status, step.started = "running", time.monotonic()
            case StepIteration():
                self.steps[event.step_id].scores.append(event.score)
            case StepFinished():
                self._finish(event)
            case ResponseStarted():
                self._tail, self._tail_title = [], f"{event.step_id} · {event.model} ({event.role})"
            case TextDelta():
                self._tail.append(event.text)

    def _finish(self, event: StepFinished) -> None:
        step = self.steps[event.step_id]
        step.status, step.error, step.notes = event.status, event.error, describe(event.details)
        if step.started is not None:
            step.elapsed = time.monotonic() - step.started
        if event.kind != "refine" and event.score is not None:
            step.scores.append(event.score)
        if self._live is None:
            icon = ICONS[step.status]
            score = f" score {display.score(event.score)}" if event.score is not None else ""
            notes = f" ({step.notes})" if step.notes else ""
            error = f" — {event.error}" if event.error else ""
            line = f"{icon} {step.id} ({step.kind}) {step.status}{score}{notes}{error}"
            write(line, self.console.file)

    def table(self) -> Table:
        table = Table(title="Steps", title_justify="left", expand=False)
        for heading in ("", "step", "kind", "models", "time", "scores", "notes"):
            table.add_column(heading, justify="right" if heading == "time" else "left")
        for step in self.steps.values():
            icon, style = ICONS[step.status], STATUS_STYLE[step.status]
            shown = " ".join(display.score(s) if s is not None else "✗" for s in step.scores[-4:])
            scores = f"{sparkline(step.scores)} {shown}".strip()
            table.add_row(
                Text(icon, style),
                plain(step.id),
                plain(step.kind),
                plain(step.models),
                "" if step.elapsed is None else f"{step.elapsed:.1f}s",
                scores,
                plain(step.notes),
            )
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = max(options.max_height - len(self.steps) - 8, 3)
        tail = "\n".join("".join(self._tail).splitlines()[-lines:])
        title = plain(self._tail_title)
        yield Group(self.table(), Panel(plain(tail), title=title, border_style="cyan"))

    def close(self, output: str | None, title: str) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        if output:
            if self.console.is_terminal:
                self.console.print(
                    Panel(markdown(output), title=plain(title), border_style="green")
                )
            else:  # piped: the output as it came, byte for byte
                self.console.rule(plain(title))
                write(output, self.console.file)
        if self.console.is_terminal:
            for step in self.steps.values():
                if step.error:
                    self.console.print(plain(f"{step.id}: {step.error}", "red"))
            self.console.print(self.table())
