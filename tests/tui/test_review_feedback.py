"""The ``f`` key on a reviewed answer opens the review in full: reviewer, score, feedback, tips."""

from __future__ import annotations

from textual.widgets import Static

from orchestrator_tui.core.events import ReviewReady
from orchestrator_tui.tui.screens.review_feedback import ReviewFeedbackScreen

NASTY = "[bold]not bold[/] [/] [red stray [link=x]y \x1b[31mred\x1b[0m ]]"


def shown(screen: ReviewFeedbackScreen) -> str:
    return "\n".join(str(w.render()) for w in screen.query(Static))


async def test_f_opens_the_review_of_the_focused_answer_and_escape_closes_it(
    open_workspace,
) -> None:
    async with open_workspace() as ws:
        await ws.send("What is a monad?")
        await ws.settled()
        echo = ws.pane("mock:echo")
        echo.focus()
        await ws.pilot.press("f")
        await ws.pilot.pause()
        assert ws.app.screen is ws.screen
        assert any("/review" in note for note in ws.notes)
        await ws.send("/review")
        await ws.settled()
        review = echo.review
        assert review is not None and review.score is not None
        echo.focus()
        await ws.pilot.press("f")
        await ws.until(lambda: isinstance(ws.app.screen, ReviewFeedbackScreen), "review shown")
        text = shown(ws.app.screen)
        assert "mock:judge" in text and f"★ {review.score:.2f} " in text and "/100" not in text
        assert review.feedback.strip() in text
        await ws.pilot.press("escape")
        await ws.until(lambda: ws.app.screen is ws.screen, "review closed")
        assert ws.app.focused is echo


async def test_markup_in_a_review_is_shown_as_text_and_a_failed_one_says_why(
    open_workspace,
) -> None:
    async with open_workspace() as ws:
        await ws.send("hello")
        await ws.settled()
        echo = ws.pane("mock:echo")
        verdict = ReviewReady(
            "run",
            "session",
            echo.response_id or "",
            "mock:[b]judge[/b]",
            0.3,
            feedback=NASTY,
            suggestions=(NASTY, "[/]"),
        )
        echo.reviewed(verdict)
        echo.focus()
        await ws.pilot.press("f")
        await ws.until(lambda: isinstance(ws.app.screen, ReviewFeedbackScreen), "review shown")
        await ws.pilot.pause()
        text = shown(ws.app.screen)
        assert "[bold]not bold[/] [/] [red stray [link=x]y" in text
        assert "\x1b" not in text and "␛[31mred" in text
        assert "mock:[b]judge[/b]" in text and "• [/]" in text
        await ws.pilot.press("escape")
        await ws.until(lambda: ws.app.screen is ws.screen, "review closed")

        echo.reviewed(
            ReviewReady("run", "session", "x", "mock:judge", None, error="no JSON in [the] reply")
        )
        echo.focus()
        await ws.pilot.press("f")
        await ws.until(lambda: isinstance(ws.app.screen, ReviewFeedbackScreen), "review shown")
        text = shown(ws.app.screen)
        assert "review failed" in text and "no JSON in [the] reply" in text


async def test_a_long_review_scrolls(open_workspace) -> None:
    async with open_workspace(size=(80, 24)) as ws:
        await ws.send("hello")
        await ws.settled()
        echo = ws.pane("mock:echo")
        tips = tuple(f"suggestion number {n}" for n in range(60))
        echo.reviewed(ReviewReady("run", "session", "x", "mock:judge", 0.9, "Fine.", tips))
        echo.focus()
        await ws.pilot.press("f")
        await ws.until(lambda: isinstance(ws.app.screen, ReviewFeedbackScreen), "review shown")
        await ws.pilot.pause()
        body = ws.app.screen.query_one("#feedback-body")
        assert body.max_scroll_y > 0
        await ws.pilot.press("end")
        await ws.pilot.pause()
        assert body.scroll_y == body.max_scroll_y
