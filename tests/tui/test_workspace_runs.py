"""Sending prompts from the workspace: streaming, cancel, retry, follow-ups, recording."""

from __future__ import annotations

from orchestrator_tui.tui.screens.workspace import FIRST_RUN
from orchestrator_tui.tui.widgets.chain_panel import ChainPanel

from .conftest import SLOW_MODELS


async def test_first_run_without_keys_selects_two_mock_models_and_says_so(open_workspace) -> None:
    async with open_workspace() as ws:
        assert ws.screen.session.models == ["mock:lorem", "mock:echo"]
        notice = ws.screen.query_one("#notice")
        assert notice.display and FIRST_RUN in str(notice.render())
        assert "compare" in str(ws.screen.query_one(ChainPanel).render())


async def test_the_first_run_line_counts_no_models_it_did_not_select(open_workspace, paths) -> None:
    """Seen with a project's ``default_models: [mock:echo]``: one pane, and the line said 'two'."""
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text("default_models: [mock:echo]\n", encoding="utf-8")
    async with open_workspace() as ws:
        assert ws.screen.session.models == ["mock:echo"]
        notice = str(ws.screen.query_one("#notice").render())
        assert "offline mock models are selected" in notice and "two" not in notice


async def test_no_first_run_line_when_a_provider_has_a_key(open_workspace, monkeypatch) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "test-key-never-shown-1234")
    async with open_workspace() as ws:
        assert not ws.screen.query_one("#notice").display
        screen_text = " ".join(str(w.render()) for w in ws.screen.query("Static"))
        assert "test-key-never-shown" not in screen_text


async def test_sending_a_prompt_streams_one_answer_per_model_and_records_the_session(
    open_workspace,
) -> None:
    async with open_workspace() as ws:
        await ws.send("Explain tides briefly")
        await ws.settled()
        echo, lorem = ws.pane("mock:echo"), ws.pane("mock:lorem")
        assert echo.status == lorem.status == "ok"
        assert echo.text == "Explain tides briefly"
        assert lorem.text.startswith("## ")
        await ws.services.recorder.flush()
        sessions = await ws.services.sessions.list()
        assert len(sessions) == 1 and sessions[0].title == "Explain tides briefly"
        rows = await ws.services.sessions.interactions(sessions[0].id)
        assert sorted(r.model or "" for r in rows if r.type == "response") == [
            "mock:echo",
            "mock:lorem",
        ]


async def test_panes_show_text_while_it_streams(open_workspace) -> None:
    async with open_workspace(SLOW_MODELS) as ws:
        await ws.send("stream please")
        lorem = ws.pane("mock:lorem")
        await ws.until(lambda: lorem.body.line_count > 3, "first lines on screen")
        assert lorem.status == "streaming"
        partial = lorem.body.text
        await ws.settled()
        assert lorem.status == "ok"
        assert 0 < len(partial) < len(lorem.body.text)


async def test_escape_cancels_the_run_and_keeps_partial_answers(open_workspace) -> None:
    async with open_workspace(SLOW_MODELS) as ws:
        await ws.send("a long answer please")
        lorem = ws.pane("mock:lorem")
        await ws.until(lambda: lorem.body.line_count > 2, "some text")
        await ws.pilot.press("escape")
        await ws.settled()
        assert lorem.status == "cancelled"
        assert lorem.text and lorem.ended is not None
        assert "cancelled" in str(lorem.query_one(".pane-note").render())
        assert ws.pane("mock:echo").status == "ok"
        await ws.services.recorder.flush()
        session = (await ws.services.sessions.list())[0]
        rows = await ws.services.sessions.interactions(session.id)
        cancelled = [r for r in rows if r.model == "mock:lorem"]
        assert cancelled[0].status == "cancelled" and cancelled[0].content == lorem.text


async def test_retry_in_a_follow_up_keeps_the_earlier_exchange_above(open_workspace) -> None:
    async with open_workspace() as ws:
        await ws.send("first question")
        await ws.settled()
        await ws.send("second question")
        await ws.settled()
        echo = ws.pane("mock:echo")
        first = echo.response_id
        echo.focus()
        await ws.pilot.press("r")
        await ws.settled()
        assert echo.status == "ok" and echo.response_id != first
        shown = [("".join(s.text for s in strip)).strip() for strip in echo.body.lines()]
        shown = [line for line in shown if line]
        assert shown == [
            "▸ first question",
            "first question",
            "▸ second question",
            "second question",
        ]
        history = ws.screen.session.conversation.histories["mock:echo"]
        assert [m.text for m in history] == ["first question"] * 2 + ["second question"] * 2


async def test_markup_and_escapes_in_answers_are_shown_as_text(open_workspace) -> None:
    nasty = "[bold]x[/] [/] [red stray [link=y]z \x1b[31mred\x1b[0m ]]"
    async with open_workspace() as ws:
        await ws.send(nasty)
        await ws.settled()
        echo = ws.pane("mock:echo")
        assert echo.status == "ok"
        shown = "".join(s.text for strip in echo.body.lines() for s in strip)
        assert "[bold]x[/] [/] [red stray" in shown
        assert "\x1b" not in shown and "␛[31mred" in shown


async def test_clear_starts_a_new_conversation(open_workspace) -> None:
    async with open_workspace() as ws:
        await ws.send("one")
        await ws.settled()
        await ws.send("/clear")
        panes = ws.screen.grid.panes()
        assert [p.name for p in panes] == ["mock:lorem", "mock:echo"]
        assert all(p.status == "waiting" and not p.text for p in panes)
        await ws.send("two")
        await ws.settled()
        await ws.services.recorder.flush()
        assert len(await ws.services.sessions.list()) == 2


async def test_a_rerun_in_a_new_session_is_not_called_continuing(open_workspace) -> None:
    from orchestrator_tui.core.conversation import Conversation

    async with open_workspace() as ws:
        await ws.screen.continue_session(Conversation(), ["mock:echo"], draft="Plan a trip")
        notice = str(ws.screen.query_one("#notice").render())
        assert "Continuing" not in notice and "new session" in notice
        await ws.send("/models lorem echo")
        await ws.send("first")
        await ws.settled()
        order = [p.model for p in ws.screen.grid.panes()]
        await ws.send("/models echo judge lorem")  # the list's own order differs
        await ws.pilot.pause()
        await ws.send("second")
        await ws.settled()
        assert [p.model for p in ws.screen.grid.panes()][:2] == ["mock:echo", "mock:judge"]
        assert order == ["mock:lorem", "mock:echo"]
