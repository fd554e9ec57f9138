"""The Batch screen: running and past batches with live progress, failures and their reasons,
throughput and cost; Enter on an item opens its session.

The figures come from the history database, where the embedded pool and a distributed batch's
producer both store results; for a running distributed batch the workers' latest turns are read
from the broker too (its URL as stored, or ``ORCH_TUI_BROKER`` when it has a password). It polls
once a second while shown; nothing is computed in the widgets.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from orchestrator_tui.core import display
from orchestrator_tui.tui import safe
from orchestrator_tui.tui.tables import row_table

if TYPE_CHECKING:
    from orchestrator_tui.store.batches import BatchCounts, BatchRow, BatchStore, ItemRow

BATCH_COLUMNS = (
    ("batch", 28),
    ("status", 11),
    ("done", 13),
    ("failed", 7),
    ("in flight", 9),
    ("cost", 9),
    ("created", 16),
)
ITEM_COLUMNS = (("item", 6), ("line", 6), ("status", 7), ("quality", 7), ("cost", 9), ("", 60))
REFRESH = 1.0


class BatchesScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("batches.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="batches.back"),
        Binding("r", "refresh", "Refresh", id="batches.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.chosen: str | None = None
        """The id of the batch whose items are listed."""
        self._sessions: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield row_table("batches", BATCH_COLUMNS)
        yield Static("", id="batch-summary")
        yield row_table("batch-items", ITEM_COLUMNS)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Batches"
        self.action_refresh()
        self.set_interval(REFRESH, self.action_refresh)

    def action_refresh(self) -> None:
        """Read the figures again (also once a second while the screen is shown)."""
        if self.is_current:
            self._load()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(group="batches-load", exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        store: BatchStore = (await self.app.wait_services()).batches  # type: ignore[attr-defined]
        rows = await store.list()
        counts = {row.id: await store.counts(row.id) for row in rows}
        self._show_batches(rows, counts)
        chosen = next((r for r in rows if r.id == self.chosen), rows[0] if rows else None)
        if chosen is None:
            self.query_one("#batch-summary", Static).update("No batches yet: orch-tui batch run")
            return
        self.chosen = chosen.id
        rate = await store.throughput(chosen.id)
        live = await self._broker_line(chosen)
        self._show_summary(chosen, counts[chosen.id], rate, live)
        self._show_items(await store.watch_items(chosen.id))

    def _show_batches(self, rows: list[BatchRow], counts: dict[str, BatchCounts]) -> None:
        table = self.query_one("#batches", DataTable)
        with self.prevent(DataTable.RowHighlighted):  # a redraw is not the user choosing
            self._fill_batches(table, rows, counts)

    def _fill_batches(
        self, table: DataTable[Any], rows: list[BatchRow], counts: dict[str, BatchCounts]
    ) -> None:
        at = table.cursor_row
        table.clear()
        for row in rows:
            c = counts[row.id]
            table.add_row(
                safe.text(row.name),
                safe.text(row.status),
                f"{c.of('done')}/{row.total}",
                str(c.of("failed")),
                str(c.in_flight),
                display.cost(c.cost),
                time.strftime("%Y-%m-%d %H:%M", time.localtime(row.created_at)),
                key=row.id,
            )
        if rows:
            table.move_cursor(row=min(at, len(rows) - 1))

    async def _broker_line(self, row: BatchRow) -> str:
        """For a distributed batch: what its workers (on any machine) did in the last minute."""
        url = row.follow_url()
        if url is None:
            return ""
        services = await self.app.wait_services()  # type: ignore[attr-defined]
        line: str = await services.broker_line(url, row.id)
        return "\n" + line

    def _show_summary(self, row: BatchRow, counts: BatchCounts, rate: float, live: str) -> None:
        finished = counts.of("done") + counts.of("failed")
        left = row.total - finished
        eta = f" · ETA {display.seconds(left / rate)}" if rate and left else ""
        quality = (
            f" · quality {display.score(counts.quality)}" if counts.quality is not None else ""
        )
        where = f" · through {row.broker}" if row.broker else ""
        self.query_one("#batch-summary", Static).update(
            safe.text(
                f"{row.name}: {finished}/{row.total} finished · {counts.of('failed')} failed · "
                f"{rate:.2g} items/s over the last minute{eta} · "
                f"{display.cost(counts.cost)} · "
                f"{display.tokens(counts.input_tokens + counts.output_tokens)}{quality}{where}"
                f"{live}"
            )
        )

    def _show_items(self, items: list[ItemRow]) -> None:
        table = self.query_one("#batch-items", DataTable)
        at = table.cursor_row
        table.clear()
        self._sessions = {}
        for item in items:
            key = str(item.item)
            if item.session_id:
                self._sessions[key] = item.session_id
            text = item.error if item.status == "failed" else item.output
            table.add_row(
                str(item.item),
                str(item.line),
                safe.text(item.status, "red" if item.status == "failed" else ""),
                display.score(item.quality),
                display.cost(item.cost),
                safe.text(" ".join((text or "").split())[:200]),  # a model's answer
                key=key,
            )
        if items:
            table.move_cursor(row=min(at, len(items) - 1))

    @on(DataTable.RowHighlighted, "#batches")
    def _choose(self, event: DataTable.RowHighlighted) -> None:
        chosen = event.row_key.value if event.row_key else None
        if chosen and chosen != self.chosen:
            self.chosen = chosen
            self.action_refresh()

    @on(DataTable.RowSelected, "#batch-items")
    def _open(self, event: DataTable.RowSelected) -> None:
        session_id = self._sessions.get(str(event.row_key.value))
        if session_id is None:
            self.notify("This item has no session (it failed before it started).")
            return
        from orchestrator_tui.tui.screens.session_detail import SessionDetailScreen

        self.app.push_screen(SessionDetailScreen(session_id))
