"""A long chat in the workspace: past the model's window the pane shows where older turns went."""

from __future__ import annotations

SMALL_WINDOW = """
models:
  mock:echo:
    context_window: 400
    max_output_tokens: 50
"""
TURN = "tell me more about the tides and the moon, " * 6


async def test_the_pane_marks_where_older_turns_were_summarized(
    open_workspace, paths, screen_text
) -> None:
    paths.settings_file.write_text(
        "context: {strategy: summarize, keep_last: 1, summarizer: mock:lorem}\n", encoding="utf-8"
    )
    async with open_workspace(SMALL_WINDOW) as ws:
        await ws.send("/models echo")
        for turn in range(4):
            await ws.send(f"{turn}: {TURN}")
            await ws.settled()
        pane = ws.pane("mock:echo")
        assert pane.status == "ok" and pane.text.startswith("3: tell me more")
        shown = " ".join(screen_text(ws.app).split())
        assert "summarized by mock:lorem to fit the context window" in shown
        await ws.services.recorder.flush()
        (session,) = await ws.services.sessions.list()
        stored = await ws.services.sessions.interactions(session.id)
        assert any(i.type == "context" and "summarized by mock:lorem" in i.content for i in stored)
