"""The arena's leaderboard: Bradley-Terry ratings of your votes (and a judge's), with intervals.

The first rows come from a quick fit (ratings and counts, no intervals, no cost): it is what shows
within a fraction of a second over 100,000 votes; the bootstrap intervals and the cost and latency
columns follow from a second, full fit. numpy loads with that first fit, never before the first
paint. Below the table: the cost-quality front, the models no other beats on both rating and cost.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from orchestrator_tui.core import display
from orchestrator_tui.tui import safe
from orchestrator_tui.tui.host import app_services
from orchestrator_tui.tui.tables import row_table

if TYPE_CHECKING:
    from orchestrator_tui.core.arena.leaderboard import Standing
    from orchestrator_tui.store.votes import VoteFilter

DAY = 86_400.0
VOTERS = {"all voters": None, "you": "user", "judges": "judges"}
PERIODS = {"all time": None, "7 days": 7, "30 days": 30, "365 days": 365}
COUNTED = {"blind votes": False, "all votes": True}
BOARD_COLUMNS = (
    ("#", 4),
    ("model", 20),
    ("rating", 6),
    ("95% CI", 10),
    ("votes", 6),
    ("win", 4),
    ("cost", 7),
    ("latency", 7),
)
"""Fits 80 columns with the table's cell padding."""


class LeaderboardScreen(Screen[None]):
    # Inline, not a CSS_PATH file: a screen's own stylesheet re-styles the whole app when it is
    # first shown (~120 ms, measured), which alone would use half the first rows' budget.
    DEFAULT_CSS = """
    #board-filters { height: 1; padding: 0 1; color: $text-muted; }
    #board { height: auto; max-height: 70%; }
    #board-note { padding: 1 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="leaderboard.back"),
        Binding("v", "cycle('voter')", "Voters", id="leaderboard.voters"),
        Binding("p", "cycle('period')", "Period", id="leaderboard.period"),
        Binding("b", "cycle('counted')", "Blind/all", id="leaderboard.counted"),
        Binding("r", "reload", "Refresh", id="leaderboard.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choices = {"voter": "all voters", "period": "all time", "counted": "blind votes"}
        """The filters in force; keys cycle through each (light: no drop-down to build)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="board-filters")
        yield row_table("board", BOARD_COLUMNS)
        yield Static("", id="board-note")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Leaderboard"
        self.action_reload()

    def action_cycle(self, name: str) -> None:
        """The next value of one filter, then a new fit."""
        options: dict[str, tuple[str, ...]] = {
            "voter": tuple(VOTERS),
            "period": tuple(PERIODS),
            "counted": tuple(COUNTED),
        }
        values = options[name]
        self.choices[name] = values[(values.index(self.choices[name]) + 1) % len(values)]
        self.action_reload()

    def action_reload(self) -> None:
        shown = " · ".join(
            f"{key} {self.choices[name]}"
            for key, name in (("v", "voter"), ("p", "period"), ("b", "counted"))
        )
        self.query_one("#board-filters", Static).update(shown)
        self._load(self._filter())

    def action_back(self) -> None:
        self.app.pop_screen()

    def _filter(self) -> VoteFilter:
        from orchestrator_tui.store.votes import VoteFilter

        voter = VOTERS[self.choices["voter"]]
        days = PERIODS[self.choices["period"]]
        open_too = COUNTED[self.choices["counted"]]
        since = time.time() - days * DAY if days else None
        return VoteFilter(voter=voter, since=since, include_open=open_too)

    @work(group="board-load", exclusive=True, exit_on_error=False)
    async def _load(self, flt: VoteFilter) -> None:
        from orchestrator_tui.store.votes import leaderboard

        db = (await app_services(self)).db
        first = await leaderboard(db, flt, resamples=0, with_figures=False)
        self._show(first, final=False)
        self._show(await leaderboard(db, flt, resamples=1000), final=True)

    def _show(self, rows: list[Standing], *, final: bool) -> None:
        from orchestrator_tui.core.arena.leaderboard import PROVISIONAL, cost_quality

        table = self.query_one("#board", DataTable)
        table.clear()
        for row in rows:
            ci = "…" if row.ci_low is None else f"{row.ci_low:.0f}..{row.ci_high:.0f}"
            table.add_row(
                Text("prov", "dim") if row.rank is None else str(row.rank),
                safe.text(row.model, "dim" if row.rank is None else ""),
                f"{row.rating:.0f}",
                ci,
                f"{row.votes:,}",
                f"{row.win_rate:.0%}",
                display.cost(row.mean_cost) if final else "…",
                display.seconds(row.mean_latency) if final else "…",
            )
        note = self.query_one("#board-note", Static)
        if not rows:  # said below the table, where it wraps; a cell would cut it at 80 columns
            note.update("No votes yet: vote in blind mode (/blind), or run `orch-tui arena judge`.")
            return
        front = ", ".join(r.model for r in cost_quality(rows)) if final else "…"
        note.update(
            safe.content(
                f"Bradley-Terry ratings, 95% bootstrap intervals; fewer than {PROVISIONAL} votes:"
                f" provisional. Cost-quality front (no model beats them on rating and cost): {front}"
            )
        )
