"""Marking an answer best (``v``) is stored, follows retries, and shows again when reopened."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from history_factory import make_session

from orchestrator_tui.store.db import Database
from orchestrator_tui.store.sessions import SessionStore
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.history import HistoryScreen
from orchestrator_tui.tui.screens.session_detail import render_item
from orchestrator_tui.tui.screens.workspace import WorkspaceScreen


async def stored_best(ws) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """Each answer's mark as stored, by model, once the recorder wrote what it was told."""
    await ws.services.recorder.flush()
    session = (await ws.services.sessions.list())[0]
    items = await ws.services.sessions.interactions(session.id)
    return {i.model: i.best for i in items if i.type == "response"}


async def test_v_stores_the_mark_and_pressing_it_again_takes_it_away(open_workspace) -> None:
    async with open_workspace() as ws:
        await ws.send("Compare tea and coffee")
        await ws.settled()
        lorem, echo = ws.pane("mock:lorem"), ws.pane("mock:echo")
        lorem.focus()
        await ws.pilot.press("v")
        assert await stored_best(ws) == {"mock:lorem": True, "mock:echo": False}
        echo.focus()
        await ws.pilot.press("v")
        assert echo.best and not lorem.best
        assert await stored_best(ws) == {"mock:lorem": False, "mock:echo": True}
        await ws.pilot.press("v")
        assert not echo.best
        assert await stored_best(ws) == {"mock:lorem": False, "mock:echo": False}
        await ws.pilot.press("v")
        await ws.send("and with milk?")  # a follow-up's answers start unmarked
        await ws.settled()
        assert not any(p.best for p in ws.screen.grid.panes())


async def test_reopening_the_session_shows_its_answers_review_and_mark(open_workspace) -> None:
    async with open_workspace() as ws:
        await ws.send("Compare tea and coffee")
        await ws.settled()
        await ws.send("/review")
        await ws.settled()
        lorem = ws.pane("mock:lorem")
        answer, score = lorem.text, lorem.review.score
        lorem.focus()
        await ws.pilot.press("v")
        await stored_best(ws)
        await ws.pilot.press("ctrl+l")
        await ws.until(lambda: not ws.pane("mock:lorem").text, "a new chat")
        await ws.pilot.press("ctrl+o")
        await ws.until(lambda: isinstance(ws.app.screen, HistoryScreen), "history open")
        await ws.until(lambda: ws.app.screen.query_one("#sessions").row_count, "sessions")
        await ws.pilot.press("down", "o")  # from the search box to the table, then reopen
        await ws.until(lambda: isinstance(ws.app.screen, WorkspaceScreen), "back in workspace")
        lorem, echo = ws.pane("mock:lorem"), ws.pane("mock:echo")
        await ws.until(lambda: lorem.body.drawn and echo.body.drawn, "answers drawn")
        assert lorem.text == answer and lorem.status == "ok" and lorem.best
        assert lorem.review is not None and lorem.review.score == score
        header = str(lorem.query_one(".pane-header").render())
        assert "♛ best" in header and "★" in header
        assert echo.text == "Compare tea and coffee" and not echo.best
        await ws.send("and with milk?")
        await ws.settled()
        shown = "".join(s.text for strip in echo.body.lines() for s in strip)
        assert "Compare tea and coffee" in shown and "▸ and with milk?" in shown


def test_the_session_detail_shows_which_answer_was_best() -> None:
    detail = make_session(1, "Tea or coffee?", {"mock:echo": "Tea.", "mock:lorem": "Coffee."})
    echo, lorem = detail.interactions[1:]
    assert "♛ best" in str(render_item(detail, replace(echo, best=True)))
    assert "♛ best" not in str(render_item(detail, lorem))


def test_a_reopened_session_at_120x40(snap_compare, config) -> None:  # type: ignore[no-untyped-def]
    session = make_session(
        2,
        "Explain WAL checkpoints",
        {"mock:echo": "A checkpoint copies pages back.", "mock:lorem": "Checkpoints [b]merge[/b]."},
        scores={"mock:echo": 0.9, "mock:lorem": 0.4},
    )
    prompt, echo, lorem = session.interactions
    session = replace(session, interactions=[prompt, replace(echo, best=True), lorem])

    async def store() -> None:
        config.paths.ensure()
        db = await Database.open(config.paths.database)
        await SessionStore(db).import_detail(session)
        await db.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, store()).result()

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        app.theme = "textual-dark"
        await app.wait_services()
        await pilot.pause()
        await pilot.press("ctrl+o")
        for _ in range(200):
            if (
                isinstance(app.screen, HistoryScreen)
                and app.screen.query_one("#sessions").row_count
            ):
                break
            await pilot.pause(0.02)
        await pilot.press("down", "o")  # from the search box to the table, then reopen
        for _ in range(200):
            screen = app.screen
            if (
                isinstance(screen, WorkspaceScreen)
                and all(p.body.drawn for p in screen.grid.panes() if p.ended)
                and len(screen.grid.panes()) == 2
            ):
                break
            await pilot.pause(0.02)
        app.screen.query_one("PromptBox").cursor_blink = False
        app.clear_notifications()  # a toast goes away on a wall clock: not in a snapshot
        await pilot.pause()

    assert snap_compare(
        OrchApp(config=config, warm_sdks=False), terminal_size=(120, 40), run_before=run_before
    )
