"""The history: every past session in a table that loads page by page as you scroll, a search box
that answers as you type (matches highlighted), and filters by kind, model, status and period.

The table never holds the whole history: the next page (by key, newest first) is fetched when the
cursor comes near the last loaded row, so it opens at once at 100,000 sessions.

The search box has focus when the screen opens, and the one-letter actions (rerun, delete, …) are
bindings of the tables, not of the screen: a word typed right after ctrl+o is a search, never a
command, even when its first letters arrive before the screen has finished opening.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from orchestrator_tui.core import display
from orchestrator_tui.core.text import terminal_safe
from orchestrator_tui.store.listing import STATUSES, Cursor, SessionFilter, SessionSummary
from orchestrator_tui.store.search import SearchHit
from orchestrator_tui.tui import safe
from orchestrator_tui.tui.history_actions import HistoryActions
from orchestrator_tui.tui.host import app_services
from orchestrator_tui.tui.tables import row_table

PAGE = 60
KINDS = ("compare", "chat", "chain", "conversation")
PERIODS = {"today": 1, "7 days": 7, "30 days": 30, "365 days": 365}
DAY = 86_400.0
SESSION_COLUMNS = (
    ("title", 40),
    ("status", 11),
    ("tokens", 9),
    ("cost", 8),
    ("score", 5),
    ("models", 20),
    ("kind", 12),
    ("created", 16),
)
"""Status and figures right after the title, so an 80-column terminal shows them all."""
TITLE_ROOM = 60
"""Columns kept beside the title; it gets what is left of the terminal's width, 20 to 40."""
HIT_COLUMNS = (("session", 30), ("in", 22), ("match", 60))


def when(at: float) -> str:
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")


def highlighted(hit: SearchHit) -> Text:
    """The excerpt with each match in reverse video (model text is never parsed as markup)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for part, matched in hit.parts():
        text.append(terminal_safe(part), "bold reverse" if matched else "")
    return text


class SessionTable(DataTable[Text | str]):
    """The sessions (or the search hits): the one-letter actions live here, so they apply only
    while a table has focus and never while the person types a search."""

    HELP = """Your past sessions, newest first. Enter opens one; o continues it in the workspace;
    r sends its prompt again (you are asked first); R picks other models for it; n renames; d moves
    it to the trash (t shows the trash, u restores, x empties it); e exports; s shows statistics.
    Type in the search box (ctrl+f, or /) to search prompts and answers; Down goes to the results."""
    ACTION_HELP: ClassVar[dict[str, str]] = {
        "reopen": "Continue the selected session in the workspace",
        "rerun": "Send its first prompt again to the same models (asks first)",
        "rerun_other": "Send its first prompt again to models you pick",
        "rename": "Give the selected session another title",
        "delete": "Move the selected session to the trash",
        "restore": "Bring the selected session back from the trash",
        "toggle_trash": "Show the trash, or back to the sessions",
        "empty_trash": "Delete the sessions in the trash for good (asks first)",
        "export": "Write the selected session to a file",
        "stats": "Statistics of the history: runs, tokens, cost, models",
        "focus_search": "Search prompts and answers",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "screen.reopen", "Reopen", id="history.reopen"),
        Binding("r", "screen.rerun", "Rerun", id="history.rerun"),
        Binding("R", "screen.rerun_other", "Rerun with…", id="history.rerun_other", show=False),
        Binding("n", "screen.rename", "Rename", id="history.rename", show=False),
        Binding("d", "screen.delete", "Delete", id="history.delete"),
        Binding("u", "screen.restore", "Restore", id="history.restore"),
        Binding("t", "screen.toggle_trash", "Trash", id="history.trash"),
        Binding("x", "screen.empty_trash", "Empty", id="history.empty_trash"),
        Binding("e", "screen.export", "Export", id="history.export", show=False),
        Binding("s", "screen.stats", "Stats", id="history.stats", show=False),
        Binding("slash", "screen.focus_search", "Search", id="history.slash_search", show=False),
    ]


class HistoryScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("history.tcss")
    HELP = """Search and browse every past session. The search box has the cursor when the screen
    opens: type to search prompts and answers. Down (or Enter) goes to the list, where one-letter
    keys act on the selected session; Escape clears the search, then goes back."""
    AUTO_FOCUS = "#history-search"
    ACTION_HELP: ClassVar[dict[str, str]] = {
        "back": "Back to the workspace (or out of the search)",
        "focus_search": "Search prompts and answers",
        "to_results": "From the search box down to the sessions",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="history.back", show=False),
        Binding("ctrl+f", "focus_search", "Search", id="history.search", show=False),
        Binding("down", "to_results", "Results", id="history.to_results", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = SessionFilter()
        self.next: Cursor | None = None
        self.rows: dict[str, SessionSummary] = {}
        self.hits: list[SearchHit] = []
        self.models_loaded = False
        self.actions = HistoryActions(self, self.reload)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history-bar"):
            yield Input(placeholder="Search history…", id="history-search")
            yield Select([(k, k) for k in KINDS], prompt="kind", id="filter-kind")
            yield Select([], prompt="model", id="filter-model")
            yield Select([(s, s) for s in STATUSES], prompt="status", id="filter-status")
            yield Select([(p, p) for p in PERIODS], prompt="time", id="filter-period")
        yield Static("", id="history-info", markup=False)
        title_width = max(20, min(40, self.app.size.width - TITLE_ROOM))
        columns = (("title", title_width), *SESSION_COLUMNS[1:])
        yield row_table("sessions", columns, zebra=True, kind=SessionTable)
        yield row_table("hits", HIT_COLUMNS, kind=SessionTable)
        yield Footer(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Trash actions only in the trash, so the footer shows what applies here."""
        if action in ("restore", "empty_trash"):
            return self.filter.trash
        return True

    def on_screen_resume(self) -> None:
        if self.rows:  # back from the detail view or a dialog: show what changed there
            self.reload()

    def on_mount(self) -> None:
        self.query_one("#hits").display = False
        self.reload()

    def on_key(self, event: events.Key) -> None:
        """A character that reached the screen itself (typed while it was still opening, before
        anything had focus) belongs to the search box."""
        search = self.query_one("#history-search", Input)
        if event.is_printable and event.character and self.focused in (None, search):
            event.stop()
            search.focus()
            search.insert_text_at_cursor(event.character)

    @property
    def searching(self) -> str:
        return self.query_one("#history-search", Input).value.strip()

    def reload(self) -> None:
        """Show the first page again (after a filter change or an action)."""
        self._first_page()
        if self.searching:
            self._search(self.searching)

    # -- loading --------------------------------------------------------------------------------

    @work(group="history-page", exclusive=True, exit_on_error=False)
    async def _first_page(self) -> None:
        store = (await app_services(self)).sessions
        page = await store.page(self.filter, limit=PAGE)
        table = self.query_one("#sessions", DataTable)
        row = table.cursor_row
        table.clear()
        self.rows.clear()
        self._add_rows(page.rows)
        table.move_cursor(row=min(row, max(0, table.row_count - 1)))
        self.next = page.next
        self._count()
        if not self.models_loaded:  # after the first rows: they are what the user waits for
            self._load_models()

    @work(group="history-page", exclusive=True, exit_on_error=False)
    async def _more(self) -> None:
        if self.next is None:
            return
        store = (await app_services(self)).sessions
        page = await store.page(self.filter, after=self.next, limit=PAGE)
        self._add_rows(page.rows)
        self.next = page.next

    @work(group="history-count", exclusive=True, exit_on_error=False)
    async def _count(self) -> None:
        store = (await app_services(self)).sessions
        total = await store.count(self.filter)
        if self.searching:
            return  # the search's own line stands (a search typed at once may end first)
        place = "in the trash" if self.filter.trash else "in the history"
        self._info(f"{total:,} session{'s' if total != 1 else ''} {place}")

    @work(group="history-models", exit_on_error=False)
    async def _load_models(self) -> None:
        services = await app_services(self)
        names = sorted(services.config.catalog.models)
        self.query_one("#filter-model", Select).set_options([(n, n) for n in names])
        self.models_loaded = True

    def _add_rows(self, rows: list[SessionSummary]) -> None:
        table = self.query_one("#sessions", DataTable)
        for row in rows:
            self.rows[row.id] = row
            score = display.score(row.best_score) if row.best_score is not None else "—"
            table.add_row(
                safe.text(row.title or "(untitled)", no_wrap=True, overflow="ellipsis"),
                safe.text(row.status),
                display.tokens(row.tokens),
                display.cost(row.cost),
                score,
                safe.text(", ".join(display.model_names(row.models))),
                safe.text(row.kind),
                when(row.created_at),
                key=row.id,
            )

    @on(DataTable.RowHighlighted, "#sessions")
    def _near_the_end(self, event: DataTable.RowHighlighted) -> None:
        if self.next is not None and event.cursor_row >= event.data_table.row_count - 10:
            self._more()

    # -- search and filters ---------------------------------------------------------------------

    @on(Input.Changed, "#history-search")
    def _typed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        self.query_one("#hits").display = bool(text)
        self.query_one("#sessions").display = not text
        if text:
            self._search(text)
        else:
            self._count()

    @on(Input.Submitted, "#history-search")
    def _to_results(self) -> None:
        self.query_one("#hits" if self.searching else "#sessions").focus()

    @work(group="history-search", exclusive=True, exit_on_error=False)
    async def _search(self, text: str) -> None:
        store = (await app_services(self)).sessions
        hits = await store.search(text, self.filter, limit=100)
        if text != self.searching:
            return  # typing went on; a newer search is on its way
        self.hits = hits
        table = self.query_one("#hits", DataTable)
        table.clear()
        for index, hit in enumerate(hits):
            where = "prompt" if hit.type == "prompt" else f"{hit.model or '?'} · {hit.type}"
            table.add_row(
                safe.text(hit.session_title or "(untitled)"),
                safe.text(where),
                highlighted(hit),
                key=str(index),
            )
        self._info(f"{len(hits)}{'+' if len(hits) == 100 else ''} matches for {text!r}")

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        def chosen(widget_id: str) -> tuple[str, ...]:
            select = self.query_one(widget_id, Select)
            return () if select.is_blank() else (str(select.value),)

        period = chosen("#filter-period")
        since = time.time() - PERIODS[period[0]] * DAY if period else None
        self.filter = SessionFilter(
            kinds=chosen("#filter-kind"),
            models=chosen("#filter-model"),
            statuses=chosen("#filter-status"),
            since=since,
            trash=self.filter.trash,
        )
        self.reload()

    # -- selection and actions ------------------------------------------------------------------

    def selected(self) -> tuple[str, str | None] | None:
        """The session under the cursor and, in search results, the matching interaction."""
        if self.searching:
            table = self.query_one("#hits", DataTable)
            if not self.hits or table.cursor_row >= len(self.hits):
                return None
            hit = self.hits[table.cursor_row]
            return hit.session_id, hit.interaction_id
        table = self.query_one("#sessions", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return (key, None) if key else None

    def _title(self, session_id: str) -> str:
        row = self.rows.get(session_id)
        if row:
            return row.title
        return next((h.session_title for h in self.hits if h.session_id == session_id), "")

    @on(DataTable.RowSelected)
    def _open(self) -> None:
        chosen = self.selected()
        if chosen:
            from orchestrator_tui.tui.screens.session_detail import SessionDetailScreen

            self.app.push_screen(SessionDetailScreen(chosen[0], focus=chosen[1]))

    def _with_selected(self, act: Callable[[str], None]) -> None:
        chosen = self.selected()
        if chosen is None:
            self.notify("No session selected", severity="warning")
            return
        act(chosen[0])

    def action_back(self) -> None:
        if self.searching:
            self.query_one("#history-search", Input).value = ""
            return
        self.app.pop_screen()

    def action_focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.query_one("#history-search").focus()

    def action_to_results(self) -> None:
        """From the search box down to the sessions (or the matches)."""
        self._to_results()

    async def action_reopen(self) -> None:
        chosen = self.selected()
        if chosen:
            await self.actions.reopen(chosen[0])

    async def action_rerun(self, other_models: bool = False) -> None:
        chosen = self.selected()
        if chosen:
            await self.actions.rerun(chosen[0], other_models=other_models)

    async def action_rerun_other(self) -> None:
        await self.action_rerun(other_models=True)

    def action_rename(self) -> None:
        self._with_selected(lambda sid: self.actions.rename(sid, self._title(sid)))

    def action_delete(self) -> None:
        self._with_selected(lambda sid: self.actions.delete(sid, self._title(sid)))

    async def action_restore(self) -> None:
        chosen = self.selected()
        if chosen:
            await self.actions.restore(chosen[0])

    def action_toggle_trash(self) -> None:
        self.filter = replace(self.filter, trash=not self.filter.trash)
        self.sub_title = "Trash" if self.filter.trash else ""
        self.refresh_bindings()
        self.reload()

    def action_empty_trash(self) -> None:
        self.actions.empty_trash()

    def action_export(self) -> None:
        self._with_selected(self.actions.export)

    def action_stats(self) -> None:
        from orchestrator_tui.tui.screens.history_stats import HistoryStatsScreen

        self.app.push_screen(HistoryStatsScreen())

    def _info(self, text: str) -> None:
        self.query_one("#history-info", Static).update(safe.content(text))
