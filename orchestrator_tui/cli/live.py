"""Rich rendering of a run in the terminal: live tails while streaming, then answers and a table."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console, ConsoleOptions, Group, JustifyMethod, RenderableType, RenderResult
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from orchestrator_tui.cli.terminal import markdown, plain, write
from orchestrator_tui.core import display
from orchestrator_tui.core.costs import total_cost
from orchestrator_tui.core.events import (
    AttemptFailed,
    ResponseEnded,
    ResponseStarted,
    RunEvent,
    TextDelta,
)

STATUS_STYLE = {
    "ok": "green",
    "empty": "yellow",
    "failed": "red",
    "cancelled": "yellow",
    "budget": "magenta",
    "streaming": "cyan",
    "running": "cyan",
    "waiting": "dim",
    "skipped": "dim",
}
"""The colour of an answer's or a chain step's status, the same in every terminal view."""


def start_live(renderable: RenderableType, console: Console) -> Live | None:
    """A live view redrawn ten times a second on a terminal; ``None`` when output is piped."""
    if not console.is_terminal:
        return None
    live = Live(renderable, console=console, refresh_per_second=10, transient=True)
    live.start()
    return live


@dataclass(slots=True)
class _Answer:
    model: str
    pieces: list[str] = field(default_factory=list)
    note: str = ""
    ended: ResponseEnded | None = None

    @property
    def text(self) -> str:
        return self.ended.text if self.ended else "".join(self.pieces)

    @property
    def status(self) -> str:
        return self.ended.status if self.ended else "streaming"


class LiveAnswers:
    """Feed it run events; ``close`` prints the final answers and the comparison table."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self.answers: dict[str, _Answer] = {}
        self._live = start_live(self, self.console)

    def handle(self, event: RunEvent) -> None:
        match event:
            case ResponseStarted():
                self.answers[event.response_id] = _Answer(event.model)
            case TextDelta():
                self.answers[event.response_id].pieces.append(event.text)
            case AttemptFailed(next_model=str() as fallback):
                self.answers[event.response_id].note = f"{event.error}; trying {fallback}"
            case AttemptFailed(retry_in=float() as delay):
                self.answers[event.response_id].note = f"{event.error}; retrying in {delay:.1f}s"
            case ResponseEnded():
                self.answers[event.response_id].ended = event

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The live view: the last lines of every answer, side by side when they fit."""
        count = max(len(self.answers), 1)
        side_by_side = count <= 3 and options.max_width >= 40 * count
        rows = options.max_height - 2 if side_by_side else options.max_height // count - 2
        panels = [self._tail_panel(answer, max(rows - 2, 1)) for answer in self.answers.values()]
        if side_by_side:
            grid = Table.grid(expand=True, padding=(0, 1))
            for _ in panels:
                grid.add_column(ratio=1)
            grid.add_row(*panels)
            yield grid
        else:
            yield Group(*panels)

    def _tail_panel(self, answer: _Answer, lines: int) -> Panel:
        tail = "\n".join(answer.text.splitlines()[-lines:])
        body = plain(tail)
        if answer.note and answer.ended is None:
            body = Text.assemble(body, plain("\n" + answer.note, "yellow"))
        style = STATUS_STYLE.get(answer.status, "white")
        return Panel(body, title=plain(answer.model), subtitle=answer.status, border_style=style)

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        for answer in self.answers.values():
            self._print_answer(answer)
        if self.answers:
            self.console.print(self.summary())

    def _print_answer(self, answer: _Answer) -> None:
        style = STATUS_STYLE.get(answer.status, "white")
        body: RenderableType = markdown(answer.text) if answer.text.strip() else _blank(answer)
        if answer.ended and answer.ended.error:
            body = Group(body, plain(answer.ended.error, "red"))
        if self.console.is_terminal:
            self.console.print(Panel(body, title=plain(answer.model), border_style=style))
        else:  # piped: the answer as it came, byte for byte
            self.console.rule(plain(f"{answer.model} ({answer.status})"))
            write(answer.text, self.console.file)
            if answer.ended and answer.ended.error:
                write(answer.ended.error, self.console.file)

    def summary(self) -> Table:
        table = Table(title="Comparison", title_justify="left")
        for heading in ("model", "status", "first token", "latency", "in", "out", "cost"):
            justify: JustifyMethod = "left" if heading in ("model", "status") else "right"
            table.add_column(heading, justify=justify)
        ended = [a.ended for a in self.answers.values() if a.ended]
        for e in ended:
            table.add_row(
                plain(f"{e.model} (for {e.fallback_from})" if e.fallback_from else e.model),
                Text(e.status + (" (cached)" if e.cached else ""), STATUS_STYLE[e.status]),
                display.seconds(e.ttft),
                display.seconds(e.latency),
                _count(e.usage.input_tokens),
                _count(e.usage.output_tokens),
                display.cost(e.cost),
            )
        if len(ended) > 1:
            table.add_section()
            table.add_row(
                "total", "", "", "", "", "", display.cost(total_cost(e.cost for e in ended))
            )
        return table


def _blank(answer: _Answer) -> Text:
    """What stands in a terminal for an answer without text."""
    if answer.status == "empty":
        return Text("(empty answer: the model said nothing)", "yellow")
    return Text("(no text)", "dim")


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)
