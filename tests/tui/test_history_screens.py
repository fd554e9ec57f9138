"""The History screens driven as a user would: table, search, filters, detail, actions, stats."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, ListView, Select
from textual.worker import WorkerCancelled

from orchestrator_tui.config import Config
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.listing import SessionFilter
from orchestrator_tui.store.sessions import SessionStore
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.history import HistoryScreen
from orchestrator_tui.tui.screens.history_dialogs import ConfirmDialog, ExportDialog, RenameDialog
from orchestrator_tui.tui.screens.history_stats import HistoryStatsScreen
from orchestrator_tui.tui.screens.session_detail import SessionDetailScreen
from orchestrator_tui.tui.screens.workspace import WorkspaceScreen

sys.path.insert(0, str(Path(__file__).parent.parent))
from history_factory import DAY, T0, make_session

SIZE = (120, 40)


def sid(number: int) -> str:
    return f"s{number:031d}"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dates on screen in UTC, so snapshots match on any machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def fill(config: Config, count: int = 6) -> None:
    sessions = [
        make_session(1, "How do B-trees split pages?", {"mock:echo": "Pages split in half."}),
        make_session(
            2,
            "Explain WAL checkpoints",
            {"mock:echo": "A checkpoint copies pages back.", "mock:lorem": "Checkpoint notes."},
            scores={"mock:echo": 0.9, "mock:lorem": 0.4},
        ),
        make_session(
            3, "Write a haiku about pages", {"mock:lorem": "Autumn pages fall."}, kind="chat"
        ),
        make_session(
            4,
            "Debate tabs versus spaces",
            {"mock:flaky": ""},
            status="failed",
            failed=("mock:flaky",),
        ),
        make_session(5, "Summarise a book", {"mock:echo": "It has pages.", "mock:lorem": "Lorem."}),
        make_session(6, "Plan a trip to Lisbon", {"mock:echo": "Trams and tiles."}, kind="chat"),
    ]
    sessions += [
        make_session(n, f"Filler question {n}", {"mock:echo": f"filler {n}"}, day=n / 100)
        for n in range(7, count + 1)
    ]

    async def write() -> None:
        config.paths.ensure()
        db = await Database.open(config.paths.database)
        store = SessionStore(db)
        for detail in sessions:
            await store.import_detail(detail)
        await db.close()

    with ThreadPoolExecutor(1) as pool:  # a loop of its own, inside async tests too
        pool.submit(asyncio.run, write()).result()


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the screens' workers are done (a newer load may have cancelled an older one)."""
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_history(pilot) -> HistoryScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    app.theme = "textual-dark"
    await app.wait_services()
    await pilot.pause()
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert isinstance(app.screen, HistoryScreen)
    await pilot.press("down")  # from the search box (focused on opening) to the sessions
    return app.screen


def row_ids(screen: HistoryScreen) -> list[str]:
    table = screen.query_one("#sessions", DataTable)
    return [row.key.value for row in table.ordered_rows]


def app_for(config: Config) -> OrchApp:
    return OrchApp(config=config, warm_sdks=False)


async def test_history_opens_on_the_newest_sessions(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert row_ids(screen) == [sid(n) for n in (6, 5, 4, 3, 2, 1)]
        assert "6 sessions" in str(screen.query_one("#history-info").render())


async def test_the_table_loads_more_sessions_as_the_cursor_nears_the_end(config) -> None:
    fill(config, count=150)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert len(row_ids(screen)) == 60
        screen.query_one("#sessions", DataTable).move_cursor(row=55)
        await settle(pilot)
        assert len(row_ids(screen)) == 120
        await pilot.press("pagedown", "pagedown", "pagedown")
        await settle(pilot)
        screen.query_one("#sessions", DataTable).move_cursor(row=119)
        await settle(pilot)
        assert len(row_ids(screen)) == 150 and len(set(row_ids(screen))) == 150


async def test_search_shows_highlighted_matches_as_you_type_prompts_first(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press("ctrl+f", *"pag")
        await settle(pilot)
        assert [(h.type, h.session_id) for h in screen.hits][:3] == [
            ("prompt", sid(3)),
            ("prompt", sid(1)),
            ("response", sid(5)),
        ]
        assert {h.session_id for h in screen.hits if h.type == "response"} == {
            sid(1),
            sid(2),
            sid(3),
            sid(5),
        }
        table = screen.query_one("#hits", DataTable)
        match = table.get_row_at(0)[2]
        assert [str(match)[s.start : s.end] for s in match.spans] == ["pages"]
        await pilot.press("enter", "enter")
        await settle(pilot)
        detail = pilot.app.screen
        assert isinstance(detail, SessionDetailScreen)
        assert detail.session_id == sid(3)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert screen.query_one("#history-search", Input).value == ""
        assert screen.query_one("#sessions").display


async def test_filters_narrow_the_table_and_the_search(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        screen.query_one("#filter-kind", Select).value = "chat"
        await settle(pilot)
        assert row_ids(screen) == [sid(6), sid(3)]
        screen.query_one("#filter-kind", Select).clear()
        screen.query_one("#filter-status", Select).value = "failed"
        await settle(pilot)
        assert row_ids(screen) == [sid(4)]
        screen.query_one("#filter-status", Select).clear()
        screen.query_one("#filter-model", Select).value = "mock:lorem"
        await settle(pilot)
        assert row_ids(screen) == [sid(5), sid(3), sid(2)]
        screen.query_one("#history-search", Input).value = "pages"
        await settle(pilot)
        assert {h.session_id for h in screen.hits} <= {sid(5), sid(3), sid(2)}


async def test_delete_asks_first_then_the_trash_can_restore(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("escape")  # changed my mind
        await settle(pilot)
        assert row_ids(screen)[0] == sid(6)
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert sid(6) not in row_ids(screen)
        await pilot.press("t")
        await settle(pilot)
        assert row_ids(screen) == [sid(6)]
        await pilot.press("u")
        await settle(pilot)
        assert row_ids(screen) == []
        await pilot.press("t")
        await settle(pilot)
        assert row_ids(screen)[0] == sid(6)


async def test_emptying_the_trash_asks_first_and_deletes_for_good(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press("x")  # not in the trash: nothing happens
        await pilot.pause()
        assert pilot.app.screen is screen
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        await pilot.press("t", "x")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await settle(pilot)
        assert row_ids(screen) == []
        assert await pilot.app.services.sessions.get(sid(6)) is None


async def test_rename_changes_the_title_in_place(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press("down", "n")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RenameDialog)
        await pilot.press(*"Book notes", "enter")  # the old title is selected: typing replaces it
        await settle(pilot)
        assert str(screen.query_one("#sessions", DataTable).get_row_at(1)[0]) == "Book notes"
        store = pilot.app.services.sessions
        assert (await store.get(sid(5))).title == "Book notes"


async def test_the_detail_shows_answers_usage_and_reviews_and_forks_at_the_cursor(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        screen.query_one("#sessions", DataTable).move_cursor(row=4)  # session 2
        await pilot.press("enter")
        await settle(pilot)
        detail = pilot.app.screen
        assert isinstance(detail, SessionDetailScreen) and detail.session_id == sid(2)
        text = str(
            detail.query_one("#detail-items", ListView).children[1].query_one("Static").render()
        )
        assert "mock:echo" in text and "15 tok" in text and "review by mock:judge: 0.90" in text
        await pilot.press("down", "f")
        await settle(pilot)
        assert detail.session_id != sid(2)
        fork = await pilot.app.services.sessions.detail(detail.session_id)
        assert [i.content for i in fork.interactions] == [
            "Explain WAL checkpoints",
            "A checkpoint copies pages back.",
        ]


async def test_reopen_continues_the_session_in_the_workspace(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        screen.query_one("#sessions", DataTable).move_cursor(row=4)  # session 2
        await pilot.press("o")
        await settle(pilot)
        workspace = pilot.app.screen
        assert isinstance(workspace, WorkspaceScreen)
        assert workspace.session.conversation.session_id == sid(2)
        assert workspace.session.models == ["mock:echo", "mock:lorem"]
        await workspace.send("And the WAL file size?")
        await settle(pilot)
        store = pilot.app.services.sessions
        prompts = [
            i.content for i in (await store.detail(sid(2))).interactions if i.type == "prompt"
        ]
        assert prompts == ["Explain WAL checkpoints", "And the WAL file size?"]


async def test_rerun_says_what_it_sends_where_and_sends_nothing_when_cancelled(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press("r")  # the newest session, 6
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "Plan a trip to Lisbon" in dialog.question
        assert "1 model (mock:echo)" in dialog.question
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert await pilot.app.services.sessions.count() == 6


async def test_rerun_sends_the_prompt_again_in_a_new_session(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        await open_history(pilot)
        await pilot.press("r")  # the newest session, 6
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("enter")  # "Send" has focus
        await settle(pilot)
        workspace = pilot.app.screen
        assert isinstance(workspace, WorkspaceScreen)
        for feed in list(workspace.feeds):
            await feed.run.wait()
        await pilot.app.services.recorder.flush()
        page = await pilot.app.services.sessions.page()
        assert page.rows[0].title == "Plan a trip to Lisbon"
        assert page.rows[0].id != sid(6)
        assert page.rows[0].models == ("mock:echo",)


async def test_rerun_with_other_models_leaves_the_prompt_ready_and_the_models_open(config) -> None:
    from orchestrator_tui.tui.widgets.prompt_box import PromptBox

    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        await open_history(pilot)
        await pilot.press("R")
        await settle(pilot)
        workspace = pilot.app.screen
        assert isinstance(workspace, WorkspaceScreen)
        assert workspace.query_one(PromptBox).text == "Plan a trip to Lisbon"
        assert workspace.query_one("#sidebar").display
        assert workspace.session.conversation.session_id != sid(6) and not workspace.feeds
        assert await pilot.app.services.sessions.count() == 6  # nothing sent yet


async def test_export_writes_the_chosen_format_and_never_overwrites(config, tmp_path) -> None:
    fill(config)
    target = tmp_path / "lisbon.jsonl"
    async with app_for(config).run_test(size=SIZE) as pilot:
        await open_history(pilot)
        await pilot.press("e")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#export-format", Select).value = "jsonl"
        await pilot.pause()
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export")
        await settle(pilot)
        assert target.read_text().count("\n") == 2
        target.write_text("mine")
        await pilot.press("e")
        await pilot.pause()
        pilot.app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export")
        await settle(pilot)
        assert target.read_text() == "mine"


async def test_stats_view_lists_each_model_with_its_figures(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        await pilot.app.wait_services()
        await pilot.app.push_screen(HistoryStatsScreen(now=T0 + 10 * DAY))
        await settle(pilot)
        table = pilot.app.screen.query_one("#stats", DataTable)
        models = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert models == ["mock:echo", "mock:lorem", "mock:flaky"]
        assert len(pilot.app.screen.query(".chart")) == 3


# -- snapshots (120x40, fixed theme, fixed data) ------------------------------------------------


def test_snapshot_history_table(config, snap_compare) -> None:
    fill(config)
    assert snap_compare(app_for(config), terminal_size=SIZE, run_before=open_history)


def test_snapshot_search_results(config, snap_compare) -> None:
    fill(config)

    async def search(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_history(pilot)
        await pilot.press("ctrl+f", *"pages")
        await settle(pilot)
        await pilot.press("enter")  # to the results (and no blinking cursor in the picture)
        await pilot.pause()

    assert snap_compare(app_for(config), terminal_size=SIZE, run_before=search)


def test_snapshot_session_detail(config, snap_compare) -> None:
    fill(config)

    async def detail(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await open_history(pilot)
        screen.query_one("#sessions", DataTable).move_cursor(row=4)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app_for(config), terminal_size=SIZE, run_before=detail)


def test_snapshot_delete_confirmation(config, snap_compare) -> None:
    fill(config)

    async def confirm(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_history(pilot)
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(app_for(config), terminal_size=SIZE, run_before=confirm)


def test_snapshot_stats(config, snap_compare) -> None:
    fill(config)

    async def stats(pilot) -> None:  # type: ignore[no-untyped-def]
        pilot.app.theme = "textual-dark"
        await pilot.app.wait_services()
        await pilot.app.push_screen(HistoryStatsScreen(now=T0 + 10 * DAY))
        await settle(pilot)

    assert snap_compare(app_for(config), terminal_size=SIZE, run_before=stats)


async def test_ctrl_o_from_a_session_goes_back_to_the_history_not_a_second_one(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SessionDetailScreen)
        depth = len(pilot.app.screen_stack)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert pilot.app.screen is screen and len(pilot.app.screen_stack) == depth - 1


async def test_history_opens_with_the_cursor_in_the_search_box(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        await pilot.app.wait_services()
        await pilot.pause()
        await pilot.press("ctrl+o", *"write")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, HistoryScreen)
        assert screen.query_one("#history-search", Input).value == "write"
        assert screen.focused is screen.query_one("#history-search")
        assert await pilot.app.services.sessions.count() == 6  # "r" ran nothing


async def test_letters_typed_in_the_search_box_are_text_not_actions(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press("ctrl+f", *"redo tx")  # r, d, o, t, x are actions in the table
        await settle(pilot)
        assert isinstance(pilot.app.screen, HistoryScreen)
        assert screen.query_one("#history-search", Input).value == "redo tx"
        assert not screen.filter.trash
        assert await pilot.app.services.sessions.count() == 6


async def test_enter_confirms_a_delete_that_the_trash_can_undo(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        await open_history(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert await pilot.app.services.sessions.count() == 5


async def test_enter_cancels_emptying_the_trash(config) -> None:
    fill(config)
    async with app_for(config).run_test(size=SIZE) as pilot:
        await open_history(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter", "t")  # moved to the trash, then show the trash
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert await pilot.app.services.sessions.count(SessionFilter(trash=True)) == 1


def test_snapshot_history_at_80x24_shows_search_and_figures(config, snap_compare) -> None:
    fill(config)

    async def opened(pilot) -> None:  # type: ignore[no-untyped-def]
        pilot.app.theme = "textual-dark"
        await pilot.app.wait_services()
        await pilot.pause()
        await pilot.press("ctrl+o")
        await settle(pilot)

    assert snap_compare(app_for(config), terminal_size=(80, 24), run_before=opened)
