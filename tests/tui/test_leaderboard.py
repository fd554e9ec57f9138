"""The leaderboard screen: F10 or the palette opens it; ratings first, intervals and cost after."""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor

from history_factory import make_session
from textual.widgets import DataTable, Static
from textual.worker import WorkerCancelled

from orchestrator_tui.config import Config
from orchestrator_tui.core.arena.votes import new_vote
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.sessions import SessionStore
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.leaderboard import LeaderboardScreen

MODELS = ("mock:echo", "mock:lorem", "mock:judge")


def fill(config: Config) -> None:
    """echo beats lorem beats judge, blind, 8 times a pair; judge wins one vote seen with names."""

    async def write() -> None:
        db = await Database.open(config.paths.database)
        store = SessionStore(db)
        detail = make_session(8, "Q", dict(zip(MODELS, ("x", "y", "z"), strict=True)))
        await store.import_detail(detail)
        a, b, c = ((i.id, i.model or "") for i in detail.interactions[1:])
        sid = detail.session.id
        votes = []
        for first, second in ((a, b), (b, c), (a, c)):
            votes += [new_vote(sid, [first, second], "win", winner=first[0], blind=True)] * 8
        votes.append(new_vote(sid, [c, a], "win", winner=c[0]))
        await store.add_votes(votes)
        await db.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, write()).result()


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def models_shown(screen: LeaderboardScreen) -> list[str]:
    table = screen.query_one("#board", DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_f10_opens_the_board_with_ratings_intervals_and_the_cost_quality_front(
    config: Config,
) -> None:
    fill(config)
    async with OrchApp(config=config, warm_sdks=False).run_test(size=(120, 40)) as pilot:
        await pilot.app.wait_services()
        await pilot.pause()
        await pilot.press("f10")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, LeaderboardScreen)
        assert models_shown(screen) == list(MODELS)
        table = screen.query_one("#board", DataTable)
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[0] == "1" and first[4] == "16" and ".." in first[3]  # 95% CI filled in
        note = str(screen.query_one("#board-note", Static).render())
        assert "Cost-quality front" in note and "mock:echo" in note
        # counting the vote seen with names too changes judge's record
        await pilot.press("b")
        await settle(pilot)
        assert "b all votes" in str(screen.query_one("#board-filters", Static).render())
        third = [str(cell) for cell in table.get_row_at(2)]
        assert third[1] == "mock:judge" and third[4] == "17"
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, LeaderboardScreen)


async def test_an_empty_board_says_how_to_get_votes_in_full_at_80_columns(
    config: Config, screen_text
) -> None:
    """Seen in tmux at 80x24: the line sat in the model column and read 'no votes yet: vote i'."""
    async with OrchApp(config=config, warm_sdks=False).run_test(size=(80, 24)) as pilot:
        await pilot.app.wait_services()
        await pilot.app.push_screen("leaderboard")
        await settle(pilot)
        assert pilot.app.screen.query_one("#board", DataTable).row_count == 0
        shown = " ".join(screen_text(pilot.app).split())
        assert "No votes yet" in shown and "orch-tui arena judge" in shown
