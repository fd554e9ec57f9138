"""The streaming Markdown view: same final lines as a one-shot render, text stays text, tail in view."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.markdown import Markdown
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult

from orchestrator_tui.providers.mock import lorem_markdown, tokenize
from orchestrator_tui.tui.redraw_pacer import RedrawPacer
from orchestrator_tui.tui.widgets.streaming_markdown import StreamingMarkdown

TRICKY = (
    "# Title\n\npara one\nstill para\n\n- a\n\n- b\n  more\n\n---\n```py\ncode\n\n\n```\n"
    "after\n===\n\n1. x\n2. y\n\n> quote\nlazy\n\n    indented\n\n    again\n\n| a | b |\n"
    "| - | - |\n| 1 | 2 |\n\n***\n- tight\n- list\n"
)


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StreamingMarkdown()


def one_shot(app: App[None], view: StreamingMarkdown, text: str) -> list[str]:
    options = app.console.options.update_width(view.scrollable_content_region.width)
    lines = app.console.render_lines(Markdown(text), options, pad=False)
    return [repr(list(Segment.simplify(line))) for line in lines]


def shown(view: StreamingMarkdown) -> list[str]:
    return [repr(list(Segment.simplify(list(strip)))) for strip in view.lines()]


async def drawn(view: StreamingMarkdown, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait (in frames) until the finished text is fully drawn."""
    for _ in range(200):
        if view.drawn:
            return
        await pilot.pause()
    raise AssertionError("the text was never fully drawn")


async def stream(view: StreamingMarkdown, pilot, pieces: list[str], every: int = 40) -> None:
    for index, piece in enumerate(pieces):
        view.append(piece)
        if index % every == 0:
            await pilot.pause()


async def test_streamed_reply_ends_identical_to_one_shot_render() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 30)) as pilot:
        view = app.query_one(StreamingMarkdown)
        for text in (lorem_markdown(7, 2000), TRICKY):
            view.reset()
            await stream(view, pilot, tokenize(text))
            view.finish()
            await drawn(view, pilot)
            await pilot.pause()
            assert view.text == text
            assert shown(view) == one_shot(app, view, text)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.integers(min_value=1, max_value=len(TRICKY) - 1), max_size=12, unique=True))
async def test_any_chunking_ends_identical_to_one_shot_render(cuts: list[int]) -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamingMarkdown)
        view.paced = False
        bounds = [0, *sorted(cuts), len(TRICKY)]
        for start, end in itertools.pairwise(bounds):
            view.append(TRICKY[start:end])
            await pilot.pause()
        view.finish()
        await drawn(view, pilot)
        assert shown(view) == one_shot(app, view, TRICKY)


async def test_markup_and_ansi_in_model_text_are_shown_as_text() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(StreamingMarkdown)
        view.append("[bold]not bold[/] [/] [red]x\x1b[31m red? \x07 [link=x]y[/link]")
        view.finish()
        await drawn(view, pilot)
        await pilot.pause()
        text = "".join(segment.text for strip in view.lines() for segment in strip)
        assert "[bold]not bold[/] [/] [red]x" in text
        assert "\x1b" not in text and "␛[31m" in text


async def test_a_line_end_split_between_two_pieces_is_still_a_line_end() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(StreamingMarkdown)
        view.paced = False
        for piece in ("one\r", "\ntwo\r\n", "three\r"):
            view.append(piece)
            await pilot.pause()
        view.finish()
        await drawn(view, pilot)
        assert view.text == "one\ntwo\nthree␍"  # a CR that ends no line stays visible
        assert shown(view) == one_shot(app, view, "one\ntwo\nthree␍")


async def test_view_follows_the_tail_and_last_line_is_visible() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(StreamingMarkdown)
        await stream(view, pilot, tokenize(lorem_markdown(3, 800)))
        view.append("\n\nTHE-LAST-LINE")
        view.finish()
        await drawn(view, pilot)
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y > 0
        last = "".join(s.text for s in view.render_line(view.size.height - 1))
        assert "THE-LAST-LINE" in last


async def test_scrolling_up_stops_following_until_back_at_the_end() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(StreamingMarkdown)
        await stream(view, pilot, tokenize(lorem_markdown(3, 400)))
        await pilot.pause(RedrawPacer.slowest)
        view.scroll_home(animate=False, immediate=True)
        await stream(view, pilot, tokenize(lorem_markdown(4, 400)))
        view.finish()
        await drawn(view, pilot)
        await pilot.pause()
        assert view.scroll_y == 0


async def test_code_blocks_can_be_taken_out_for_copying() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(StreamingMarkdown)
        view.set_text("intro\n\n```python\nprint(1)\n\nprint(2)\n```\n\n    raw\n")
        await drawn(view, pilot)
        assert view.code_blocks() == ["print(1)\n\nprint(2)", "raw"]


async def test_text_that_arrives_before_the_first_layout_is_wrapped_to_the_real_width() -> None:
    class EarlyApp(App[None]):
        def compose(self) -> ComposeResult:
            yield StreamingMarkdown()

        def on_mount(self) -> None:
            view = self.query_one(StreamingMarkdown)
            view.append("Why is the sky blue and what colour is the sea")
            view.finish()

    app = EarlyApp()
    async with app.run_test(size=(70, 10)) as pilot:
        view = app.query_one(StreamingMarkdown)
        await drawn(view, pilot)
        await pilot.pause()
        lines = ["".join(s.text for s in strip).rstrip() for strip in view.lines()]
        assert lines == ["Why is the sky blue and what colour is the sea"]


async def test_a_shorter_view_still_shows_the_last_line() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 30)) as pilot:
        view = app.query_one(StreamingMarkdown)
        view.set_text(lorem_markdown(5, 600) + "\n\nTHE-LAST-LINE")
        await drawn(view, pilot)
        await pilot.pause()
        view.styles.height = 8
        await pilot.pause()
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y
        last = "".join(s.text for s in view.render_line(view.size.height - 1))
        assert "THE-LAST-LINE" in last


async def test_a_follow_up_keeps_the_earlier_answer_exactly_as_drawn() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamingMarkdown)
        first, second = lorem_markdown(11, 300), TRICKY
        await stream(view, pilot, tokenize(first))
        view.finish()
        await drawn(view, pilot)
        note = Text("▸ and then?", "dim italic")
        view.note(note)
        await stream(view, pilot, tokenize(second))
        view.finish()
        await drawn(view, pilot)
        options = app.console.options.update_width(view.scrollable_content_region.width)
        note_lines = app.console.render_lines(note, options, pad=False)
        expected = [
            *one_shot(app, view, first),
            "[]",
            *(repr(list(Segment.simplify(line))) for line in note_lines),
            "[]",
            *one_shot(app, view, second),
        ]
        assert shown(view) == expected


async def test_a_long_answer_arriving_at_once_shows_its_end_first_and_the_rest_after(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(RedrawPacer, "slice", 0.0)  # one block per turn of the loop
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(StreamingMarkdown)
        text = lorem_markdown(12, 1500) + "\n\nTHE-LAST-LINE"
        view.set_text(text)
        for _ in range(200):
            if view.final_in_view:
                break
            await pilot.pause()
        last = "".join(s.text for s in view.render_line(view.size.height - 1))
        assert "THE-LAST-LINE" in last
        await drawn(view, pilot)
        assert shown(view) == one_shot(app, view, text)
        assert view.scroll_y == view.max_scroll_y


async def test_a_streaming_view_keeps_the_tail_in_view_scrolling_in_jumps() -> None:
    """Each scroll rewrites the whole pane on the terminal: while text streams the view jumps
    by half its height, and between jumps only the lines that changed are drawn again."""
    app = ViewApp()
    async with app.run_test(size=(80, 12)) as pilot:
        view = app.query_one(StreamingMarkdown)
        view.paced = False
        redrawn: list[int] = []
        refresh_lines = view.refresh_lines

        def record(start: int, count: int = 1) -> None:
            redrawn.append(count)
            refresh_lines(start, count)

        view.refresh_lines = record  # type: ignore[method-assign]
        height = view.scrollable_content_region.height
        tops = [view.scroll_y]
        for token in tokenize(lorem_markdown(3, 180)):
            view.append(token)
            await pilot.pause()
            assert view.scroll_y <= view.line_count - 1 < view.scroll_y + height  # tail in view
            if view.scroll_y != tops[-1]:
                tops.append(view.scroll_y)
        assert view.line_count > 3 * height
        assert all(b - a >= height // 2 for a, b in itertools.pairwise(tops[1:]))
        assert len(tops) <= 2 * view.line_count / height + 2
        assert sorted(redrawn)[len(redrawn) // 2] <= 2  # most redraws: the growing last lines
        view.finish()
        await drawn(view, pilot)
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y  # complete: the last line on the last row
