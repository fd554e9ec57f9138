"""A blank answer is marked in its pane: the status icon and a note, not just an empty body."""

from __future__ import annotations

from orchestrator_tui.tui.widgets.response_pane import EMPTY_NOTE, STATUS_ICON

BLANK_MODELS = """
models:
  mock:blank: {api_name: lorem, options: {tokens: 0}}
"""


async def test_an_empty_answer_is_marked_in_its_pane(open_workspace, screen_text) -> None:  # type: ignore[no-untyped-def]
    async with open_workspace(BLANK_MODELS) as ws:
        await ws.send("/models mock:blank mock:echo")
        await ws.send("say nothing")
        await ws.settled()
        pane = ws.pane("mock:blank")
        assert pane.status == "empty"
        shown = screen_text(ws.app)
    assert EMPTY_NOTE in shown
    assert STATUS_ICON["empty"][0] in shown
