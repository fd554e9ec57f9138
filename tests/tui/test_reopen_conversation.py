"""Reopening a session from the history shows each model's whole conversation, as it was live."""

from __future__ import annotations

import contextlib

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from orchestrator_tui.config import Config
from orchestrator_tui.core import display
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.workspace import WorkspaceScreen
from orchestrator_tui.tui.widgets import streaming_markdown
from orchestrator_tui.tui.widgets.prompt_box import PromptBox

from .conftest import Workspace


def shown(ws: Workspace, model: str) -> list[str]:
    return [line.text.rstrip() for line in ws.pane(model).body.lines()]


async def reopen_newest(ws: Workspace) -> None:
    await ws.pilot.press("ctrl+o")
    await ws.until(lambda: not isinstance(ws.app.screen, WorkspaceScreen), "history open")
    for _ in range(3):  # the table's loads (a newer one may cancel an older one)
        with contextlib.suppress(WorkerCancelled):
            await ws.app.workers.wait_for_complete()
        await ws.pilot.pause()
    await ws.pilot.press("down", "o")  # from the search box to the table, then reopen
    await ws.until(lambda: isinstance(ws.app.screen, WorkspaceScreen), "back in the workspace")
    await ws.until(lambda: ws.screen.grid.panes(), "panes restored")
    await ws.settled()


def test_snapshot_a_reopened_conversation(snap_compare, config: Config, monkeypatch) -> None:
    monkeypatch.setattr(display, "seconds", lambda value: "12ms")  # latencies vary

    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        app.theme = "textual-dark"
        ws = Workspace(app, pilot, await app.wait_services())  # type: ignore[attr-defined]
        await ws.until(lambda: ws.screen.query_one("#picker").status, "key status known")
        ws.screen.query_one(PromptBox).cursor_blink = False
        await ws.send("/models echo lorem")
        for prompt in ("Compare tea and coffee", "Which one at night?"):
            await ws.send(prompt)
            await ws.settled()
        await ws.screen.action_clear()
        await reopen_newest(ws)
        ws.screen.query_one(PromptBox).focus()
        app.clear_notifications()
        await pilot.pause()

    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


async def test_reopened_panes_show_every_turn_as_they_were_drawn_live(open_workspace) -> None:
    async with open_workspace() as ws:
        for prompt in ("First question", "Second question", "Third question"):
            await ws.send(prompt)
            await ws.settled()
        ws.pane("mock:echo").action_retry()  # a retried answer replaces the one before it
        await ws.pilot.pause()
        await ws.settled()
        live = {model: shown(ws, model) for model in ("mock:echo", "mock:lorem")}
        assert live["mock:echo"] == [
            "▸ First question",
            "",
            "First question",
            "",
            "▸ Second question",
            "",
            "Second question",
            "",
            "▸ Third question",
            "",
            "Third question",
        ]
        await ws.screen.action_clear()
        assert shown(ws, "mock:echo") == []

        await reopen_newest(ws)

        for model, lines in live.items():
            assert shown(ws, model) == lines, model
        echo = ws.pane("mock:echo")
        assert echo.text == "Third question"  # copy, review and retry act on the last answer
        assert echo.status == "ok" and echo.ended is not None
        await ws.send("Fourth question")
        await ws.settled()
        assert shown(ws, "mock:echo")[-3:] == ["▸ Fourth question", "", "Fourth question"]


async def test_a_long_reopened_conversation_is_drawn_after_the_call_not_during_it(
    open_workspace, monkeypatch
) -> None:
    async with open_workspace() as ws:
        await ws.send("Start")
        await ws.settled()
        pane = ws.pane("mock:lorem")
        ended = pane.ended
        assert ended is not None
        answer = "## A heading\n\n" + "Some *markdown* text with `code`.\n\n" * 20
        earlier = [(f"{answer}Answer {n}.", f"Question {n + 1}") for n in range(40)]
        renders: list[str] = []
        render = streaming_markdown.rich_markdown

        def counted(source, tokens=None):  # type: ignore[no-untyped-def]
            renders.append(source)
            return render(source, tokens)

        monkeypatch.setattr(streaming_markdown, "rich_markdown", counted)

        pane.restore(ended, None, False, earlier)

        assert renders == []  # nothing was drawn while the event loop waited
        await ws.until(lambda: pane.body.drawn, "the whole conversation drawn")
        lines = shown(ws, "mock:lorem")
        assert lines[0] == "A heading" or lines[0].strip().startswith("A heading")
        assert "▸ Question 40" in lines and lines.count("▸ Question 1") == 1
        assert pane.text == ended.text
