"""Blind mode: nothing on screen tells who wrote which answer until the person votes."""

from __future__ import annotations

import re

from orchestrator_tui.tui.widgets.response_pane import ResponsePane

BROKEN = """
models:
  mock:broken:
    api_name: flaky
    price: {input: 1, output: 2}
    options: {schedule: [mid]}
"""
TELLS = re.compile(r"mock|peer|broken|flaky|\$|tok\b|ttft|connection|provider", re.IGNORECASE)
"""Model and provider names, prices, token counts, timings, a provider's error wording."""


def tells(text: str) -> list[str]:
    return sorted(set(TELLS.findall(text)))


async def votes(ws) -> list[tuple]:  # type: ignore[no-untyped-def]
    await ws.services.recorder.flush()
    rows = await ws.services.db.fetchall(
        "SELECT outcome, voter, blind, contestants, winner FROM votes ORDER BY id"
    )
    return [tuple(row) for row in rows]


async def test_a_blind_round_hides_every_tell_until_the_vote_reveals_the_names(
    open_workspace, screen_text
) -> None:
    async with open_workspace(BROKEN) as ws:
        await ws.send("/models mock:peer-1, mock:peer-2, mock:broken")
        await ws.send("/blind on")
        await ws.send("Name a prime number")
        await ws.settled()
        panes = ws.screen.grid.panes()
        assert sorted(p.title for p in panes) == ["Answer A", "Answer B", "Answer C"]
        order = [p.model for p in sorted(panes, key=lambda p: p.title)]  # A, B, C
        assert not ws.screen.query_one("#sidebar").display  # the model list collapsed
        broken = ws.pane("mock:broken")
        assert broken.status == "failed"
        shown = screen_text(ws.app)
        assert "Answer A" in shown and "this answer failed" in shown
        assert tells(shown) == [], shown
        assert all(tells(note) == [] for note in ws.notes)
        await ws.pilot.press("ctrl+p")  # the command palette, over the round
        await ws.pilot.pause()
        assert tells(screen_text(ws.app)) == []
        await ws.pilot.press("escape")
        await ws.pilot.pause()

        winner = ws.pane("mock:peer-2")
        winner.focus()
        await ws.pilot.press("v")
        await ws.until(lambda: not winner.blind, "the vote revealed the names")
        [(outcome, voter, blind, contestants, won)] = await votes(ws)
        assert (outcome, voter, blind) == ("win", "user", 1)
        assert won == ws.screen.session.answers["mock:peer-2"].response_id
        assert contestants == '["' + '", "'.join(order) + '"]'  # in the order shown
        await ws.pilot.pause()
        shown = screen_text(ws.app)
        assert "mock:peer-2" in shown and "connection" in shown  # names, figures, error wording
        assert any(" was mock:peer-2" in note for note in ws.notes)


async def test_t_votes_a_tie_and_slash_vote_all_bad_and_outside_a_round_v_marks_best(
    open_workspace,
) -> None:
    async with open_workspace() as ws:
        await ws.send("/models mock:peer-1, mock:peer-2")
        await ws.send("/blind")
        await ws.send("Name a prime number")
        await ws.settled()
        ws.screen.grid.panes()[0].focus()
        await ws.pilot.press("t")
        await ws.until(lambda: not ws.screen.blind.hiding, "the tie was stored")
        await ws.send("Name another")
        await ws.settled()
        await ws.send("/vote bad")
        await ws.until(lambda: not ws.screen.blind.hiding, "all bad was stored")
        await ws.send("/blind off")
        await ws.send("And a third")
        await ws.settled()
        assert {p.title for p in ws.screen.grid.panes()} == {"mock:peer-1", "mock:peer-2"}
        pane = ws.pane("mock:peer-1")
        pane.focus()
        await ws.pilot.press("v")  # the best mark: a vote seen with names
        await ws.until(lambda: pane.best, "marked best")
        found = await votes(ws)
        assert [(o, b) for o, _, b, _, _ in found] == [("tie", 1), ("all_bad", 1), ("win", 0)]
        assert not any(isinstance(p, ResponsePane) and p.blind for p in ws.screen.grid.panes())


async def test_blind_true_in_config_yaml_starts_the_workspace_in_blind_mode(
    open_workspace, paths
) -> None:
    paths.settings_file.write_text("blind: true\n")
    async with open_workspace() as ws:
        await ws.until(lambda: ws.screen.blind.on, "blind mode read from config.yaml")
        await ws.send("Name a prime number")
        await ws.settled()
        assert {p.title for p in ws.screen.grid.panes()} == {"Answer A", "Answer B"}
