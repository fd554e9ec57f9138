"""The ``f`` key on a reviewed answer: the reviewer's verdict in full, scrollable.

Feedback and suggestions are a model's words, so they are shown as plain text (markup-like
brackets stay brackets, control characters are made visible), never parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from orchestrator_tui.core import display
from orchestrator_tui.core.events import ReviewReady
from orchestrator_tui.core.text import terminal_safe
from orchestrator_tui.tui import safe
from orchestrator_tui.tui.themes import score_style


class ReviewFeedbackScreen(ModalScreen[None]):
    """What the reviewer said about one answer: score, feedback and suggestions."""

    CSS_PATH = Path(__file__).with_name("review_feedback.tcss")
    ACTION_HELP: ClassVar[dict[str, str]] = {"close": "Close the review"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f", "close", "Close", id="feedback.close"),
    ]

    def __init__(self, answer: str, review: ReviewReady) -> None:
        super().__init__()
        self.answer = answer
        """The title of the pane whose answer was reviewed."""
        self.review = review

    def compose(self) -> ComposeResult:
        review = self.review
        with VerticalScroll(id="feedback-body") as body:
            body.border_title = safe.content(f"Review of {self.answer}")
            body.border_subtitle = "esc to close"
            yield Static(self._verdict(), id="feedback-verdict")
            if review.error:
                yield Static(_plain(review.error), id="feedback-error")
            else:
                yield Static(_plain(review.feedback or "(no feedback)"), id="feedback-text")
            if review.suggestions:
                yield Static(Content("Suggestions"), classes="feedback-heading")
                tips = [_plain("• " + tip) for tip in review.suggestions]
                yield Static(Content("\n").join(tips), id="feedback-suggestions")

    def _verdict(self) -> Content:
        review = self.review
        if review.score is None:
            score: tuple[str, str] = (" review failed ", "bold $background on $error")
        else:
            score = (f" ★ {display.score(review.score)} ", score_style(review.score))
        return Content.assemble(
            ("by ", "$text-muted"), (terminal_safe(review.reviewer), "bold"), "  ", score
        )

    def action_close(self) -> None:
        """Close the review."""
        self.dismiss()


def _plain(text: str) -> Content:
    return safe.content(text.strip())
