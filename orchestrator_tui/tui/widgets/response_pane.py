"""One model's answer: a header of figures and a streaming Markdown body, with pane actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from orchestrator_tui.core import display
from orchestrator_tui.core.text import terminal_safe
from orchestrator_tui.tui import safe
from orchestrator_tui.tui.themes import score_style
from orchestrator_tui.tui.widgets.streaming_markdown import StreamingMarkdown

if TYPE_CHECKING:  # the engine's events load after the first paint
    from collections.abc import Sequence

    from orchestrator_tui.core.events import AttemptFailed, ResponseEnded, ReviewReady

STATUS_ICON = {
    "waiting": ("○", "$text-muted"),
    "streaming": ("◐", "$accent"),
    "ok": ("✓", "$success"),
    "empty": ("∅", "$warning"),
    "failed": ("✗", "$error"),
    "cancelled": ("■", "$warning"),
    "budget": ("$", "$warning"),
    "skipped": ("⊘", "$text-muted"),
}
EMPTY_NOTE = "empty answer: the model said nothing"


class ResponsePane(Vertical, can_focus=True):
    """Shows one model's answer as it streams; actions work on the focused pane."""

    HELP = """One model's answer as it streams, with its time to first token, time, tokens,
cost and review score."""
    ACTION_HELP: ClassVar[dict[str, str]] = {
        "copy_answer": "Copy this answer",
        "copy_code": "Copy a code block of this answer (again: the next one)",
        "retry": "Ask this model again; the new answer replaces this one",
        "cancel": "Stop this answer (what came so far is kept)",
        "mark_best": "Mark this answer the best of those shown (again: unmark it)",
        "maximize": "Show this answer alone (again: back to all)",
        "feedback": "Read the review of this answer in full",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_answer", "Copy", id="pane.copy"),
        Binding("b", "copy_code", "Copy code", id="pane.copy_code"),
        Binding("r", "retry", "Retry", id="pane.retry"),
        Binding("x", "cancel", "Cancel", id="pane.cancel"),
        Binding("m", "maximize", "Maximize", id="pane.maximize"),
        Binding("v", "mark_best", "Best", id="pane.best"),
        Binding("f", "feedback", "Feedback", id="pane.feedback", show=False),
        Binding("t", "vote('tie')", "Tie", id="pane.vote_tie"),
        Binding("a", "vote('all_bad')", "All bad", id="pane.vote_all_bad"),
    ]

    class Action(Message):
        """A pane asks the workspace to act on its model: ``retry``, ``cancel``, ``best``, or in
        a blind round ``tie`` and ``all_bad``."""

        def __init__(self, pane: ResponsePane, action: str) -> None:
            super().__init__()
            self.pane = pane
            self.action = action

    def __init__(self, model: str, *, title: str | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        self.model = model
        self.title = title or model
        self.status = "waiting"
        self.response_id: str | None = None
        self.ended: ResponseEnded | None = None
        self.review: ReviewReady | None = None
        self.reviewer: str | None = None
        """Set while a review of this answer is on its way."""
        self.best = False
        self.blind = False
        """In a blind round: the title is a label, and nothing else says who wrote it."""
        self._note: Content | None = None
        self._code_index = 0
        self.body = StreamingMarkdown()
        self._header_view = Static(self._header(), classes="pane-header", markup=False)
        self._note_view = Static("", classes="pane-note", markup=False)

    def compose(self) -> ComposeResult:
        yield self._header_view
        yield self.body
        yield self._note_view

    @property
    def text(self) -> str:
        return self.ended.text if self.ended else self.body.text

    # -- fed by the workspace ------------------------------------------------------------------

    def start(
        self,
        response_id: str,
        prompt: str | None = None,
        *,
        retry: bool = False,
        follow_up: bool = False,
    ) -> None:
        """A new answer begins below ``prompt``; a ``follow_up`` keeps the earlier exchanges
        above, and a ``retry`` takes the place of the last answer only."""
        body = self.body
        if retry:
            body.drop_message()
        else:
            if not follow_up:
                body.reset()
            if prompt is not None:
                body.note(_prompt_line(prompt))
        self.response_id, self.ended = response_id, None
        self.review = self.reviewer = None
        self.status = "streaming"
        self._set_note(None)
        self.set_best(False)

    def compacted(self, note: str) -> None:
        """Older turns were summarized or dropped to fit the window: a marker line says so."""
        self.body.note(Text("⋯ " + terminal_safe(note), "italic"))

    def append(self, text: str) -> None:
        self.body.append(text)

    def attempt_failed(self, event: AttemptFailed) -> None:
        if event.retry_in is not None:
            why = "failed" if self.blind else event.error  # the wording names the provider
            self._set_note(safe.content(f"{why}; retrying in {event.retry_in:.1f}s", "$warning"))

    def end(self, ended: ResponseEnded) -> None:
        self.body.finish()
        self.ended, self.status = ended, ended.status
        self._show_ending()
        self._refresh_header()

    def _show_ending(self) -> None:
        ended = self.ended
        if ended is None:
            return
        if ended.status == "cancelled":
            self._set_note(Content.styled("cancelled: the partial answer is kept", "$warning"))
        elif ended.error and self.blind:  # the provider's wording would name it
            self._set_note(Content.styled("this answer failed (why: after the vote)", "$error"))
        elif ended.status == "empty":
            self._set_note(Content.styled(EMPTY_NOTE, "$warning"))
        elif ended.status == "skipped":  # never sent: a note on why, not an error
            self._set_note(safe.content(ended.error or "not sent", "$text-muted"))
        elif ended.error:
            self._set_note(safe.content(ended.error, "$error"))

    def hide_identity(self) -> None:
        """Blind round: show the label only, no figures, no provider wording."""
        self.blind = True
        self._refresh_header()
        self.refresh_bindings()

    def reveal(self, title: str) -> None:
        """The vote is in: the real name, the figures and any error in full."""
        self.blind, self.title = False, title
        self._show_ending()
        self._refresh_header()
        self.refresh_bindings()

    def reviewing(self, reviewer: str) -> None:
        self.review, self.reviewer = None, reviewer
        self._refresh_header()

    def reviewed(self, review: ReviewReady) -> None:
        self.review, self.reviewer = review, None
        if review.error:
            self._set_note(safe.content(f"review failed: {review.error}", "$error"))
        self._refresh_header()

    def restore(
        self,
        ended: ResponseEnded,
        review: ReviewReady | None,
        best: bool,
        earlier: Sequence[tuple[str, str]] = (),
        prompt: str = "",
    ) -> None:
        """Show a stored answer (a reopened session) as it ended, with its review and mark.

        ``prompt`` is the first prompt shown; ``earlier`` are the answers before this one, each
        with the prompt that followed it, shown above as live follow-ups show them (drawn when
        in view, not all at once).
        """
        self.start(ended.response_id, prompt or None)
        for answer, prompt in earlier:
            self.append(answer)
            self.body.note(_prompt_line(prompt))
        self.append(ended.text)
        self.end(ended)
        if review is not None:
            self.reviewed(review)
        self.set_best(best)

    def set_best(self, best: bool) -> None:
        self.best = best
        self.set_class(best, "-best")
        self._refresh_header()

    # -- actions --------------------------------------------------------------------------------

    def action_copy_answer(self) -> None:
        if not self.text:
            self.notify("Nothing to copy yet", severity="warning")
            return
        self.app.copy_to_clipboard(self.text)
        self.notify(f"Copied the answer of {self.title}")

    def action_copy_code(self) -> None:
        """Copy a code block; pressing again takes the next one."""
        codes = self.body.code_blocks()
        if not codes:
            self.notify("This answer has no code block", severity="warning")
            return
        index = self._code_index % len(codes)
        self._code_index += 1
        self.app.copy_to_clipboard(codes[index])
        self.notify(f"Copied code block {index + 1} of {len(codes)}")

    def action_retry(self) -> None:
        self.post_message(self.Action(self, "retry"))

    def action_cancel(self) -> None:
        self.post_message(self.Action(self, "cancel"))

    def action_mark_best(self) -> None:
        self.post_message(self.Action(self, "best"))

    def action_vote(self, outcome: str) -> None:
        self.post_message(self.Action(self, outcome))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Tie and all-bad are votes of a blind round only."""
        return self.blind if action == "vote" else True

    def action_maximize(self) -> None:
        if self.is_maximized:
            self.screen.minimize()
        else:
            self.screen.maximize(self)

    def action_feedback(self) -> None:
        """Show the review of this answer in full."""
        if self.review is None:
            waiting = "The review is on its way" if self.reviewer else "No review yet: type /review"
            self.notify(waiting, severity="warning")
            return
        from orchestrator_tui.tui.screens.review_feedback import ReviewFeedbackScreen

        self.app.push_screen(ReviewFeedbackScreen(self.title, self.review))

    # -- drawing --------------------------------------------------------------------------------

    def _set_note(self, note: Content | None) -> None:
        if note == self._note:
            return  # unchanged: spare the screen a layout
        self._note = note
        self._note_view.update(note or "")
        self._note_view.display = note is not None

    def _refresh_header(self) -> None:
        # Always two lines (see the CSS), so a new figure never re-lays out the screen.
        self._header_view.update(self._header(), layout=False)

    def _header(self) -> Content:
        """Line one: status, model, score and mark; line two: the status word and the figures."""
        icon, style = STATUS_ICON.get(self.status, ("?", ""))
        parts: list[Content | str | tuple[str, str]] = [
            (icon + " ", style),
            (terminal_safe(self.title), "bold"),
        ]
        review = self.review
        if review is not None and review.score is not None:
            parts.append("  ")
            parts.append((f" ★ {display.score(review.score)} ", score_style(review.score)))
        elif review is not None:
            parts.append(("  ★ —", "$error"))
        elif self.reviewer is not None:
            parts.append(("  ★ …", "$text-muted"))
        if self.best:
            parts.append(("  ♛ best", "bold $success"))
        parts += ["\n", (self.status, style)]
        ended = self.ended
        if ended is not None and not self.blind and ended.status != "skipped":
            figures = [
                f"ttft {display.seconds(ended.ttft)}",
                display.seconds(ended.latency),
                display.tokens(ended.usage.output_tokens),
                display.cost(ended.cost),
            ]
            parts.append(("  " + " · ".join(figures), "$text-muted"))
        return Content.assemble(*parts)


def _prompt_line(prompt: str) -> Text:
    """A follow-up's prompt above its answer: its first line."""
    lines = prompt.strip().splitlines() or [""]
    return safe.text("▸ " + lines[0], "dim italic")
