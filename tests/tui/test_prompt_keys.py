"""The prompt box's keys: what breaks a line, what sends, what Up and Down bring back."""

from __future__ import annotations

from textual.app import App, ComposeResult

from orchestrator_tui.tui import terminal_keys
from orchestrator_tui.tui.widgets.prompt_box import PromptBox


def test_esc_cr_from_the_terminal_is_alt_enter() -> None:
    from textual._xterm_parser import XTermParser  # the table it reads is what we extend

    terminal_keys.install()
    keys = list(XTermParser()._sequence_to_key_events("\x1b\r"))
    assert [k.key for k in keys] == ["alt+enter"]


class PromptApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def compose(self) -> ComposeResult:
        yield PromptBox(id="prompt")

    def on_prompt_box_submitted(self, event: PromptBox.Submitted) -> None:
        self.sent.append(event.text)


async def test_new_line_keys_break_the_line_and_enter_sends_everything_typed() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await pilot.press("a", "alt+enter", "b", "ctrl+j", "c", "shift+enter", "d", "enter")
        await pilot.pause()
        assert app.sent == ["a\nb\nc\nd"]
        assert app.query_one(PromptBox).text == ""


async def test_up_and_down_in_an_empty_box_walk_through_earlier_prompts() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        box = app.query_one(PromptBox)
        box.earlier[:] = ["one", "two"]
        await pilot.press("up")
        assert box.text == "two"
        await pilot.press("up")
        assert box.text == "one"
        await pilot.press("up")  # the oldest stays
        assert box.text == "one"
        await pilot.press("down")
        assert box.text == "two"
        await pilot.press("down")
        assert box.text == ""
        await pilot.press("x", "up")  # typed text is never replaced: Up moves the cursor
        assert box.text == "x"


async def test_up_takes_back_a_waiting_prompt_before_earlier_ones() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        box = app.query_one(PromptBox)
        box.earlier[:] = ["old"]
        waiting = ["queued one"]
        box.take_back = lambda: waiting.pop() if waiting else None
        await pilot.press("up")
        assert box.text == "queued one" and waiting == []
        box.clear()
        await pilot.press("up")
        assert box.text == "old"


async def test_a_prompt_put_back_goes_ahead_of_what_was_typed_since() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        box = app.query_one(PromptBox)
        await pilot.press("n", "e", "w")
        box.restore("/modles echo")
        assert box.text == "/modles echo\nnew"


async def test_an_idle_prompt_box_asks_for_no_redraw() -> None:
    """A blinking cursor would redraw the box twice a second, idle or streaming (bytes over SSH,
    and each frame of a streaming answer widened to the bottom of the screen)."""
    app = PromptApp()
    async with app.run_test() as pilot:
        box = app.query_one(PromptBox)
        await pilot.press("a")
        await pilot.pause()
        assert box.has_focus and not box.cursor_blink
