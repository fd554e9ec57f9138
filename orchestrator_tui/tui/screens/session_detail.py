"""One past session in full: prompts, every model's answer with usage and cost, reviews with scores,
chain steps with their refine iterations. Pick any piece to copy it, fork there, or rerun it.

Text goes in through ``safe`` (never parsed as markup, control characters shown as symbols: a
session may be imported from anywhere) in one widget per interaction, so a session of hundreds of
interactions opens at once.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, ListItem, ListView, Static

from orchestrator_tui.core import display
from orchestrator_tui.store.attached_images import attachments_of
from orchestrator_tui.store.detail import SessionDetail
from orchestrator_tui.store.rows import InteractionRow
from orchestrator_tui.tui import safe
from orchestrator_tui.tui.history_actions import HistoryActions
from orchestrator_tui.tui.host import app_services


def describe(detail: SessionDetail) -> Content:
    """The head of the view: title, what kind of session, when, models, totals, step scores."""
    s = detail.session
    when = datetime.fromtimestamp(s.created_at).strftime("%Y-%m-%d %H:%M")
    facts = [s.kind, s.status, when, f"{len(detail.interactions)} interactions"]
    if s.chain_name:
        facts.insert(1, f"chain {s.chain_name}")
    totals = [
        display.tokens(detail.input_tokens + detail.output_tokens),
        display.cost(detail.cost),
    ]
    lines = [
        safe.content(s.title or "(untitled)", "bold"),
        safe.content(" · ".join(facts)),
        safe.content(f"models: {', '.join(detail.models) or '—'} · " + " · ".join(totals)),
    ]
    for step in detail.chain_steps:
        lines.append(safe.content(f"step {step.step_id} ({step.kind}): {step.outcome}"))
    return Content("\n").join(lines)


def render_item(detail: SessionDetail, item: InteractionRow) -> Content:
    """One interaction: a heading line with its facts, then its text, then its reviews."""
    if item.type == "prompt":
        head = Content.styled("▍ Prompt", "bold $accent")
    else:
        facts = [item.type, item.status]
        if item.step_id:
            facts.insert(0, f"step {item.step_id}")
        usage = detail.usage_of(item.id)
        if usage is not None:
            facts += [
                display.tokens((usage.input_tokens or 0) + (usage.output_tokens or 0)),
                display.cost(usage.cost),
                f"first token {display.seconds(usage.ttft)}",
                display.seconds(usage.latency),
            ]
            if usage.attempt > 1:
                facts.append(f"{usage.attempt} attempts")
        style = "bold $error" if item.status in ("failed", "interrupted") else "bold $primary"
        best = ("  ♛ best", "bold $success") if item.best else ""
        head = Content.assemble(
            safe.content(f"▍ {item.model or '?'}", style),
            safe.content("  " + " · ".join(facts)),
            best,
        )
    parts = [head, safe.content(item.content or "(no text)")]
    for image in attachments_of(item):
        what = f"{image.get('path')} ({image.get('media_type')}, {image.get('bytes', 0):,} bytes)"
        parts.append(safe.content(f"attached: {what}", "italic $secondary"))
    if item.error:
        label = display.reason_label(item.status)
        parts.append(
            safe.content(f"{label}: {item.error}", "$error" if label == "error" else "$text-muted")
        )
    for review in detail.reviews_for(item.id):
        score = "failed" if review.score is None else display.score(review.score)
        line = f"review by {review.reviewer}: {score} — {review.feedback}"
        parts.append(safe.content(line, "italic $secondary"))
    return Content("\n").join(parts)


class SessionDetailScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("history.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("c", "copy", "Copy", id="detail.copy"),
        Binding("f", "fork", "Fork here", id="detail.fork"),
        Binding("o", "reopen", "Reopen", id="detail.reopen"),
        Binding("r", "rerun", "Rerun prompt", id="detail.rerun"),
        Binding("R", "rerun_other", "Rerun with…", id="detail.rerun_other", show=False),
        Binding("n", "rename", "Rename", id="detail.rename"),
        Binding("e", "export", "Export", id="detail.export"),
        Binding("d", "delete", "Delete", id="detail.delete"),
    ]

    def __init__(self, session_id: str, *, focus: str | None = None) -> None:
        super().__init__()
        self.session_id = session_id
        self.focus_id = focus
        self.detail: SessionDetail | None = None
        self.actions = HistoryActions(self, self._load)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="detail-head")
        yield ListView(id="detail-items")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(group="detail-load", exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        store = (await app_services(self)).sessions
        detail = await store.detail(self.session_id)
        if detail.session.deleted_at is not None and self.detail is not None:
            self.app.pop_screen()  # just moved to the trash: back to the list
            return
        self.detail = detail
        self.query_one("#detail-head", Static).update(describe(detail))
        items = self.query_one("#detail-items", ListView)
        await items.clear()
        await items.extend(
            ListItem(Static(render_item(detail, item)), classes=item.type)
            for item in detail.interactions
        )
        ids = [item.id for item in detail.interactions]
        items.index = ids.index(self.focus_id) if self.focus_id in ids else 0
        items.focus()

    def current(self) -> InteractionRow | None:
        index = self.query_one("#detail-items", ListView).index
        if self.detail is None or index is None or index >= len(self.detail.interactions):
            return None
        return self.detail.interactions[index]

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_copy(self) -> None:
        item = self.current()
        if item is not None:
            self.app.copy_to_clipboard(item.content)
            self.notify(f"Copied {len(item.content):,} characters")

    async def action_fork(self) -> None:
        item = self.current()
        if item is not None:
            self.session_id = await self.actions.fork(self.session_id, item.id)
            self.focus_id = None
            self._load()

    async def action_reopen(self) -> None:
        await self.actions.reopen(self.session_id)

    async def action_rerun(self, other_models: bool = False) -> None:
        """Rerun the prompt under the cursor, or the one the answer under the cursor replied to."""
        item = self.current()
        prompt_id = None
        if item is not None and self.detail is not None:
            prompt_id = item.id if item.type == "prompt" else self._prompt_before(item)
        await self.actions.rerun(self.session_id, prompt_id, other_models=other_models)

    async def action_rerun_other(self) -> None:
        await self.action_rerun(other_models=True)

    def _prompt_before(self, item: InteractionRow) -> str | None:
        assert self.detail is not None
        index = self.detail.interactions.index(item)
        earlier = [i for i in self.detail.interactions[: index + 1] if i.type == "prompt"]
        return earlier[-1].id if earlier else None

    def action_rename(self) -> None:
        if self.detail is not None:
            self.actions.rename(self.session_id, self.detail.session.title)

    def action_export(self) -> None:
        self.actions.export(self.session_id)

    def action_delete(self) -> None:
        if self.detail is not None:
            self.actions.delete(self.session_id, self.detail.session.title)

    @on(ListView.Selected)
    def _selected(self) -> None:
        self.action_copy()
