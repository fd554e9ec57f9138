"""Per-model figures over a chosen period: a table (calls, success rate, median time to first token
and latency, tokens, cost, mean review score) and a sparkline of calls per day for each model.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Select, Sparkline, Static

from orchestrator_tui.core import display
from orchestrator_tui.store.stats import ModelStats
from orchestrator_tui.tui import safe
from orchestrator_tui.tui.host import app_services
from orchestrator_tui.tui.tables import row_table

PERIODS = {"7 days": 7, "30 days": 30, "90 days": 90, "365 days": 365}
DAY = 86_400.0
STATS_COLUMNS = (
    ("model", 30),
    ("calls", 7),
    ("success", 15),
    ("empty", 6),
    ("ttft p50", 8),
    ("latency p50", 11),
    ("tokens", 10),
    ("cost", 9),
    ("score", 5),
)


def rate_bar(rate: float, width: int = 10) -> Text:
    """Success rate as a small bar: ``███████░░░ 70%``."""
    filled = round(rate * width)
    colour = "green" if rate >= 0.95 else "yellow" if rate >= 0.8 else "red"
    return Text.assemble(("█" * filled, colour), ("░" * (width - filled), "dim"), f" {rate:4.0%}")


class HistoryStatsScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("history.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="stats.back"),
    ]

    def __init__(self, *, now: float | None = None) -> None:
        super().__init__()
        self.now = now
        """The end of every period; ``None`` is the time the figures are fetched."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="stats-bar"):
            yield Label("Period")
            yield Select(
                [(p, p) for p in PERIODS], value="30 days", allow_blank=False, id="stats-period"
            )
        yield row_table("stats", STATS_COLUMNS)
        yield Static("Calls per day", id="stats-chart-title")
        yield VerticalScroll(id="stats-charts")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Stats"
        self._load()

    @on(Select.Changed, "#stats-period")
    def _period(self) -> None:
        self._load()

    @work(group="stats-load", exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        days = PERIODS[str(self.query_one("#stats-period", Select).value)]
        until = self.now if self.now is not None else time.time()
        store = (await app_services(self)).sessions
        rows = await store.stats(until - days * DAY, until)
        self._show(rows)
        charts = self.query_one("#stats-charts", VerticalScroll)
        await charts.remove_children()
        await charts.mount_all(
            Horizontal(
                Static(safe.content(row.model), classes="chart-label"),
                Sparkline(list(row.daily_calls), classes="chart"),
                classes="chart-row",
            )
            for row in rows
        )

    def _show(self, rows: list[ModelStats]) -> None:
        table = self.query_one("#stats", DataTable)
        table.clear()
        for row in rows:
            table.add_row(
                safe.text(row.model),
                f"{row.calls:,}",
                rate_bar(row.success_rate),
                f"{row.empty:,}",
                display.seconds(row.median_ttft),
                display.seconds(row.median_latency),
                display.tokens(row.input_tokens + row.output_tokens),
                display.cost(row.cost),
                display.score(row.mean_score),
            )
        if not rows:
            table.add_row(Text("no calls in this period"), *[""] * (len(STATS_COLUMNS) - 1))

    def action_back(self) -> None:
        self.app.pop_screen()
