"""The home screen: pick models, send one prompt to all of them, watch the answers side by side.

Every run goes through ``services.orchestrator`` (so the recorder stores it) inside a worker; the
screen keeps the conversation and decides which panes exist, ``PaneFeed`` moves events to them.
The engine's types and events load with the services, after the first paint, not with this module.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Header, Static

from orchestrator_tui.core.conversation import Conversation
from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.tui import safe, slash
from orchestrator_tui.tui.attachments import (
    Attachment,
    AttachmentError,
    read_attachment,
    with_attachments,
)
from orchestrator_tui.tui.widgets.chain_panel import ChainPanel
from orchestrator_tui.tui.widgets.keys_footer import KeysFooter
from orchestrator_tui.tui.widgets.model_picker import ModelPicker
from orchestrator_tui.tui.widgets.prompt_box import PromptBox
from orchestrator_tui.tui.widgets.response_grid import ResponseGrid
from orchestrator_tui.tui.widgets.response_pane import ResponsePane

if TYPE_CHECKING:
    from collections.abc import Sequence

    from orchestrator_tui.core.modes import Mode
    from orchestrator_tui.core.run import Run
    from orchestrator_tui.services import Services
    from orchestrator_tui.store.reopen import StoredAnswer
    from orchestrator_tui.tui.app import OrchApp
    from orchestrator_tui.tui.pane_feed import PaneFeed
    from orchestrator_tui.tui.widgets.model_picker import ModelSettings

MOCK_MODELS = ("mock:lorem", "mock:echo")
NARROW = 100
"""Below this width the model list starts hidden (ctrl+b shows it), so answers get the room."""
FIRST_RUN = (
    "No API keys found, so two offline mock models are selected: try everything with them. "
    "Add a key on the Keys screen or with `orch-tui keys set <provider>`."
)


class WorkspaceScreen(Screen[None]):
    CSS_PATH: ClassVar[list[str | Path]] = [
        Path(__file__).with_name("workspace.tcss"),
        Path(__file__).parent.parent / "widgets" / "responses.tcss",
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_run", "Cancel run", id="workspace.cancel"),
        Binding("ctrl+r", "review", "Review", id="workspace.review"),
        Binding("ctrl+t", "synthesize", "Synthesize", id="workspace.synthesize"),
        Binding("ctrl+l", "clear", "New chat", id="workspace.clear"),
        Binding("ctrl+b", "toggle_models", "Models", id="workspace.models"),
        Binding("ctrl+g", "focus_prompt", "Prompt", id="workspace.prompt", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conversation = Conversation()
        self.models: list[str] = []
        self.system: str | None = None
        self.mode: Mode | None = None
        self.attachments: list[Attachment] = []
        self.prompt: str | None = None
        """The last prompt sent, as the models received it (for retry, review, synthesis)."""
        self.feeds: list[PaneFeed] = []
        self._narrow: bool | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield ModelPicker(id="picker")
                yield ChainPanel(id="chain")
            with Vertical(id="main"):
                yield Static("", id="notice", markup=False)
                yield ResponseGrid(id="grid")
                yield Static("", id="attachments", markup=False)
                yield Static("", id="hint", markup=False)
                yield PromptBox(id="prompt")
        yield KeysFooter()

    @property
    def orch(self) -> OrchApp:
        return cast("OrchApp", self.app)

    @property
    def services(self) -> Services:
        return self.orch.services

    @property
    def grid(self) -> ResponseGrid:
        return self.query_one(ResponseGrid)

    @property
    def running(self) -> bool:
        return any(not feed.run.done for feed in self.feeds)

    def on_mount(self) -> None:
        self.query_one(PromptBox).focus()
        self.query_one(ChainPanel).show_compare(self.models)
        self._load()

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self.query_one("#sidebar").display = not narrow

    @work(group="workspace-load", exit_on_error=False)
    async def _load(self) -> None:
        services = await self.orch.wait_services()
        catalog = services.config.catalog
        settings = services.config.settings
        if settings.mode:
            await self.command_mode(settings.mode, select=False)
        wanted = (self.mode.models if self.mode else ()) or settings.default_models or MOCK_MODELS
        chosen = []
        for name in wanted:
            with contextlib.suppress(OrchError):
                chosen.append(catalog.resolve(name).name)
        self.models = [name for name in chosen if name in catalog.models]
        self.query_one(ModelPicker).check_keys(catalog, services.keys, self.models)

    # -- model picker ---------------------------------------------------------------------------

    @on(ModelPicker.Loaded)
    async def _keys_known(self, event: ModelPicker.Loaded) -> None:
        no_keys = not any(s.source for s in event.status.values() if s.needed)
        if no_keys and self.models and all(m.startswith("mock:") for m in self.models):
            self._notice(FIRST_RUN)
        await self._models_shown()

    @on(ModelPicker.Changed)
    async def _models_changed(self, event: ModelPicker.Changed) -> None:
        self.models = event.models
        await self._models_shown()

    async def _models_shown(self) -> None:
        """A pane waits for each selected model, so the first answer starts drawing at once."""
        self.query_one(ChainPanel).show_compare(self.models)
        if not self.running:
            await self.grid.show([(model, model) for model in self.models])

    @on(ModelPicker.EditParams)
    async def _edit_params(self, event: ModelPicker.EditParams) -> None:
        from orchestrator_tui.tui.screens.model_params import ModelParamsScreen

        picker = self.query_one(ModelPicker)
        try:
            library = await self.services.chain_library()
            personas, warnings = library.personas, library.warnings
        except OrchError as exc:  # the shipped presets are broken: no personas, say why
            personas, warnings = {}, [f"no personas: {exc}"]

        def done(settings: ModelSettings | None) -> None:
            if settings is not None:
                picker.set_settings(event.model, settings)

        dialog = ModelParamsScreen(
            event.model, picker.settings.get(event.model), personas, warnings
        )
        self.app.push_screen(dialog, done)

    # -- prompt ---------------------------------------------------------------------------------

    @on(PromptBox.HintChanged)
    def _hint(self, event: PromptBox.HintChanged) -> None:
        hint = "   ".join(f"{name}  {slash.COMMANDS[name]}" for name in event.names[:3])
        self.query_one("#hint", Static).update(hint)
        self.query_one("#hint").display = bool(hint)

    @on(PromptBox.Submitted)
    async def _submitted(self, event: PromptBox.Submitted) -> None:
        command = slash.parse(event.text)
        if command is None:
            await self.send(event.text)
            return
        handler = getattr(self, f"command_{command.name[1:]}", None)
        if command.name not in slash.COMMANDS or handler is None:
            self.notify(
                f"Unknown command {command.name}: type /help", severity="error", markup=False
            )
            return
        await handler(command.argument)

    async def send(self, text: str) -> None:
        """Fan ``text`` (with any attachments) out to the selected models as the next turn."""
        if not self.models:
            self.notify("Select at least one model first (ctrl+b)", severity="error")
            return
        if self.running:
            self.notify(
                "A run is in flight: wait, or press Escape to cancel it", severity="warning"
            )
            return
        services = await self.orch.wait_services()
        from orchestrator_tui.core.types import GenerationParams

        params = GenerationParams(system=self.system)
        prompt = with_attachments(text, self.attachments)
        picker = self.query_one(ModelPicker)
        follow_up = bool(self.conversation.histories)
        try:
            run = services.orchestrator.fan_out(
                prompt,
                self.models,
                self.mode.params.merged(params) if self.mode else params,
                conversation=self.conversation,
                model_params=picker.params,
                images=[a.image for a in self.attachments if a.image is not None],
            )
        except (OrchError, ValueError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.prompt = prompt
        self._set_attachments([])
        self._notice("")
        await self.grid.show([(model, model) for model in self.models])
        self._drive(run, text if follow_up else None)

    async def continue_session(
        self,
        conversation: Conversation,
        models: list[str],
        prompt: str | None = None,
        *,
        draft: str | None = None,
        answers: Sequence[StoredAnswer] = (),
    ) -> bool:
        """Carry on a stored session (reopened from the history): its conversation and models.

        ``prompt`` is its last prompt, for review and synthesis; ``draft`` goes into the prompt
        box, to send as it is or after changing the models; ``answers`` are shown in the panes
        of their models. ``False`` if a run is in flight.
        """
        if self.running:
            self.notify("Cancel the run first (Escape)", severity="warning")
            return False
        known = [m for m in models if m in self.services.config.catalog.models]
        self.conversation = conversation
        self.prompt = prompt
        self.models = known or self.models
        self.query_one(ModelPicker).select(self.models)
        self.query_one(ChainPanel).show_compare(self.models)
        await self.grid.show([])
        if answers:
            await self.grid.show([(model, model) for model in self.models])
            for answer in answers:
                pane = self.grid.pane(answer.ended.model)
                if pane is not None:
                    pane.restore(answer.ended, answer.review, answer.best, answer.earlier)
        title = conversation.title or "a new session"
        self._notice(f"Continuing {title!r}: the next prompt follows on from it.")
        if draft is not None:
            self.query_one(PromptBox).text = draft
        return True

    # -- slash commands -------------------------------------------------------------------------

    async def command_models(self, argument: str) -> None:
        if not argument:
            self.action_toggle_models(show=True)
            return
        catalog = self.services.config.catalog
        try:
            names = [catalog.resolve(n).name for n in argument.replace(",", " ").split()]
        except OrchError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.query_one(ModelPicker).select(names)

    async def command_system(self, argument: str) -> None:
        self.system = argument or None
        self.notify("System prompt set" if argument else "System prompt cleared")

    async def command_clear(self, argument: str) -> None:
        await self.action_clear()

    async def command_review(self, argument: str) -> None:
        await self.action_review(argument)

    async def command_synthesize(self, argument: str) -> None:
        await self.action_synthesize(argument)

    async def command_attach(self, argument: str) -> None:
        if not argument:
            self.notify("Give a path: /attach notes.md", severity="error")
            return
        try:
            attachment = await asyncio.to_thread(read_attachment, argument)
        except AttachmentError as exc:
            self.notify(str(exc), title="Not attached", severity="error", markup=False)
            return
        self._set_attachments([*self.attachments, attachment])

    async def command_chain(self, argument: str) -> None:
        if "chain_editor" in self.app.SCREENS:
            self.app.push_screen("chain_editor")
        else:
            self.notify("Chains run with `orch-tui run`; this build has no chain editor screen")

    async def command_mode(self, argument: str, *, select: bool = True) -> None:
        """``/mode NAME`` uses a mode from the next prompt on; ``/mode off`` none; ``/mode`` lists.

        ``select`` picks the mode's models too (not before the picker is filled)."""
        library = await (await self.orch.wait_services()).mode_library()
        for warning in library.warnings:
            self.notify(warning, title="Modes", severity="warning", markup=False)
        if not argument:
            current = self.mode.name if self.mode else None
            lines = [
                f"{'*' if name == current else ' '} {name}  {library.modes[name].description}"
                for name in sorted(library.modes)
            ]
            self.notify("\n".join(lines), title="Modes (/mode NAME)", timeout=20, markup=False)
            return
        if argument in ("off", "none"):
            self.mode = None
        else:
            try:
                self.mode = library.get(argument)
            except OrchError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            if self.mode.models and select:
                await self.command_models(" ".join(self.mode.models))
        self.conversation.mode = self.mode.name if self.mode else None
        self.orch.show_mode(self.conversation.mode)
        self._notice(f"Mode {self.mode.name}: {self.mode.description}" if self.mode else "No mode")

    async def command_help(self, argument: str) -> None:
        lines = [f"{name}  {text}" for name, text in slash.COMMANDS.items()]
        self.notify("\n".join(lines), title="Commands", timeout=20, markup=False)

    # -- actions --------------------------------------------------------------------------------

    def action_cancel_run(self) -> None:
        cancelled = [feed.run.cancel() for feed in self.feeds]
        if not any(cancelled) and self.grid.panes() and self.screen.maximized:
            self.minimize()

    async def action_review(self, reviewer: str = "") -> None:
        answers = self._answers()
        if not answers or self.prompt is None:
            self.notify("Nothing to review yet: send a prompt first", severity="warning")
            return
        from orchestrator_tui.core.orchestrator import ReviewTarget  # loads the engine

        reviewer = reviewer or self.services.config.settings.reviewer
        targets = [ReviewTarget(p.response_id or "", self.prompt, p.text) for p in answers]
        try:
            run = self.services.orchestrator.review(
                targets, reviewer, conversation=self.conversation
            )
        except OrchError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        for pane in answers:
            pane.reviewing(reviewer)
        self._drive(run)

    async def action_synthesize(self, judge: str = "") -> None:
        answers = self._answers()
        if len(answers) < 2 or self.prompt is None:
            self.notify("Synthesis needs at least two finished answers", severity="warning")
            return
        judge = judge or self.services.config.settings.judge
        try:
            run = self.services.orchestrator.synthesize(
                self.prompt,
                [(p.model, p.text) for p in answers],
                judge,
                conversation=self.conversation,
            )
        except OrchError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        from orchestrator_tui.tui.pane_feed import SYNTHESIS

        await self.grid.add(SYNTHESIS, f"synthesis · {judge}")
        self._drive(run)

    async def action_clear(self) -> None:
        if self.running:
            self.notify("Cancel the run first (Escape)", severity="warning")
            return
        self.conversation = Conversation(mode=self.mode.name if self.mode else None)
        self.prompt = None
        self._set_attachments([])
        await self.grid.show([])
        await self._models_shown()
        self.notify("New conversation")

    def action_toggle_models(self, show: bool | None = None) -> None:
        sidebar = self.query_one("#sidebar")
        sidebar.display = not sidebar.display if show is None else show
        if sidebar.display:
            self.query_one(ModelPicker).query_one("SelectionList").focus()
        else:
            self.action_focus_prompt()

    def action_focus_prompt(self) -> None:
        self.query_one(PromptBox).focus()

    @on(ResponsePane.Action)
    def _pane_action(self, event: ResponsePane.Action) -> None:
        pane = event.pane
        if event.action == "cancel":
            if not any(feed.cancel(pane) for feed in self.feeds):
                self.notify("This answer is not streaming", severity="warning")
        elif event.action == "best":
            self._mark_best(pane)
        elif event.action == "retry":
            self._retry(pane)

    def _mark_best(self, pane: ResponsePane) -> None:
        """Mark ``pane``'s answer the best of those shown (again: unmark it), and store that."""
        if pane.ended is None:
            self.notify("Mark an answer once it has ended", severity="warning")
            return
        chosen = not pane.best
        for other in self.grid.panes():
            other.set_best(chosen and other is pane)
        self._best_changed()

    def _best_changed(self) -> None:
        """Store which of the answers shown now is marked best, if any."""
        answers = [p for p in self.grid.panes() if p.ended is not None and p.response_id]
        best = next((p.response_id for p in answers if p.best), None)
        ids = [p.response_id for p in answers if p.response_id]
        self._store_best(self.conversation.session_id, ids, best)

    @work(group="best-answer", exclusive=True, exit_on_error=False)
    async def _store_best(self, session_id: str, answers: list[str], best: str | None) -> None:
        await self.services.recorder.flush()  # the answers' rows are written first
        await self.services.sessions.mark_best(session_id, answers, best)

    def _retry(self, pane: ResponsePane) -> None:
        if pane.status in ("streaming", "waiting") or self.prompt is None:
            self.notify("Nothing to retry yet", severity="warning")
            return
        from orchestrator_tui.core.types import GenerationParams
        from orchestrator_tui.tui.pane_feed import SYNTHESIS

        if pane.name == SYNTHESIS:
            self.notify("Run /synthesize again to redo the synthesis", severity="warning")
            return
        history = self.conversation.histories.get(pane.model, [])
        if pane.ended is not None and pane.ended.text and len(history) >= 2:
            del history[-2:]  # the answer being replaced leaves the conversation
        if pane.best:  # the mark goes with the answer being replaced
            pane.set_best(False)
            self._best_changed()
        run = self.services.orchestrator.fan_out(
            self.prompt,
            [pane.model],
            GenerationParams(system=self.system),
            conversation=self.conversation,
            model_params=self.query_one(ModelPicker).params,
        )
        self._drive(run, retry=True)

    # -- helpers --------------------------------------------------------------------------------

    def _answers(self) -> list[ResponsePane]:
        from orchestrator_tui.tui.pane_feed import SYNTHESIS

        return [
            p
            for p in self.grid.panes()
            if p.name != SYNTHESIS and p.ended is not None and p.ended.status == "ok" and p.text
        ]

    @work(group="runs", exit_on_error=False)
    async def _drive(self, run: Run, prompt: str | None = None, *, retry: bool = False) -> None:
        """Show one run's events until it ends; partial answers stay when it is cancelled.

        ``prompt`` and ``retry`` are ``PaneFeed``'s (a follow-up shown above the new answer; an
        answer taking the place of the last one).
        """
        from orchestrator_tui.tui.pane_feed import PaneFeed

        feed = PaneFeed(run, self.grid, prompt, retry=retry)
        self.feeds.append(feed)
        self.orch.runs.add(run)
        try:
            async for event in run:
                feed.handle(event)
        finally:
            if not run.done:
                run.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await run.wait()
            self.orch.runs.discard(run)
            self.feeds.remove(feed)

    def _notice(self, text: str) -> None:
        _show_line(self.query_one("#notice", Static), text)

    def _set_attachments(self, attachments: list[Attachment]) -> None:
        self.attachments = attachments
        line = "  ".join(f"📎 {a.name} ({a.size:,} B)" for a in attachments)
        _show_line(self.query_one("#attachments", Static), line)


def _show_line(widget: Static, text: str) -> None:
    """Show ``text`` (a prompt, file names: made safe) in a one-line Static, hidden when empty;
    unchanged text costs no layout."""
    shown = safe.content(text)
    if widget.display == bool(text) and widget.content == shown:
        return
    widget.update(shown)
    widget.display = bool(text)
