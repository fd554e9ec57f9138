"""The home screen: pick models, send one prompt to all of them, watch the answers side by side.

The screen lays out and draws; ``WorkspaceSession`` decides (what is sent to whom, the queue,
retry, review, synthesis, best marks). Each run the session starts is shown by a worker here,
``PaneFeed`` moving its events to the panes. The engine itself loads with the services, after
the first paint, not with this module.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Header, Static

from orchestrator_tui.core.attachments import AttachmentError, read_attachment
from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.core.session import SYNTHESIS, ModelSettings, Refused, WorkspaceSession
from orchestrator_tui.tui import safe, slash
from orchestrator_tui.tui.blind_mode import BlindMode
from orchestrator_tui.tui.host import orch_app
from orchestrator_tui.tui.widgets.chain_panel import ChainPanel
from orchestrator_tui.tui.widgets.keys_footer import KeysFooter
from orchestrator_tui.tui.widgets.model_picker import ModelPicker
from orchestrator_tui.tui.widgets.prompt_box import PromptBox
from orchestrator_tui.tui.widgets.response_grid import ResponseGrid
from orchestrator_tui.tui.widgets.response_pane import ResponsePane

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from orchestrator_tui.core.conversation import Conversation
    from orchestrator_tui.core.session import Started
    from orchestrator_tui.services import Services
    from orchestrator_tui.store.reopen import StoredAnswer
    from orchestrator_tui.tui.app import OrchApp
    from orchestrator_tui.tui.pane_feed import PaneFeed

MOCK_MODELS = ("mock:lorem", "mock:echo")
NARROW = 100
"""Below this width the model list starts hidden (ctrl+b shows it), so answers get the room."""
FIRST_RUN = (
    "No API keys found, so two offline mock models are selected: try everything with them. "
    "Add a key on the Keys screen or with `orch-tui keys set <provider>`."
)


class WorkspaceScreen(Screen[None]):
    CSS_PATH: ClassVar[list[str | PurePath]] = [
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
        self.session = WorkspaceSession()
        self.blind = BlindMode(self)
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
        return orch_app(self)

    @property
    def services(self) -> Services:
        return self.orch.services

    @property
    def grid(self) -> ResponseGrid:
        return self.query_one(ResponseGrid)

    @property
    def running(self) -> bool:
        return self.session.running or bool(self.feeds)

    def on_mount(self) -> None:
        self.query_one(PromptBox).focus()
        self.query_one(ModelPicker).settings = self.session.settings
        self.query_one(ChainPanel).show_compare(self.session.models)
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
        wanted = services.config.settings.default_models or MOCK_MODELS
        chosen = []
        for name in wanted:
            with contextlib.suppress(OrchError):
                chosen.append(catalog.resolve(name).name)
        self.session.select(name for name in chosen if name in catalog.models)
        self.query_one(ChainPanel).show_compare(self.session.models)
        self.query_one(ModelPicker).check_keys(catalog, services.keys, self.session.models)
        reviewer = services.config.settings.reviewer
        self.blind.on = self.blind.on or services.config.settings.blind
        await self._start(lambda: self.session.open(services.orchestrator, reviewer=reviewer))
        self.show_spend()

    # -- model picker ---------------------------------------------------------------------------

    @on(ModelPicker.Loaded)
    async def _keys_known(self, event: ModelPicker.Loaded) -> None:
        models = self.session.models
        no_keys = not any(s.source for s in event.status.values() if s.needed)
        if no_keys and models and all(m.startswith("mock:") for m in models):
            self._notice(FIRST_RUN)
        await self._models_shown()

    @on(ModelPicker.Changed)
    async def _models_changed(self, event: ModelPicker.Changed) -> None:
        self.session.select(event.models)
        await self._models_shown()

    async def _models_shown(self) -> None:
        """A pane waits for each selected model, so the first answer starts drawing at once."""
        self.query_one(ChainPanel).show_compare(self.session.models)
        if not self.running:
            await self.grid.show([(model, model) for model in self.session.models])

    @on(ModelPicker.EditParams)
    async def _edit_params(self, event: ModelPicker.EditParams) -> None:
        from orchestrator_tui.tui.screens.model_params import ModelParamsScreen

        try:
            library = await self.services.chain_library()
            personas, warnings = library.personas, library.warnings
        except OrchError as exc:  # the shipped presets are broken: no personas, say why
            personas, warnings = {}, [f"no personas: {exc}"]

        def done(settings: ModelSettings | None) -> None:
            if settings is not None:
                self.session.set_settings(event.model, settings)
                self.query_one(ModelPicker).settings_changed(event.model)

        dialog = ModelParamsScreen(
            event.model, self.session.settings.get(event.model), personas, warnings
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
        await self._start(lambda: self.session.submit(text))

    async def _start(self, step: Callable[[], Started | None]) -> None:
        """Let the session act; show the run it started, or say why it refused."""
        try:
            started = step()
        except Refused as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        except OrchError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if started is not None:
            await self._show(started)

    async def _show(self, started: Started) -> None:
        """Make the panes ``started`` fills, then follow its events in a worker."""
        if started.kind == "prompt":
            self._set_attachments()
            self._notice("")
            if self.blind.on:
                await self.blind.start(list(started.keys))
            else:
                self.blind.round = None
                await self.grid.show([(model, model) for model in started.keys])
        elif started.kind == "review":
            for key in started.keys:
                pane = self.grid.pane(key)
                if pane is not None:
                    pane.reviewing(started.model or "")
        elif started.kind == "synthesis":
            await self.grid.add(SYNTHESIS, f"synthesis · {started.model}")
        elif started.kind == "retry":
            pane = self.grid.pane(started.keys[0])
            if pane is not None and pane.best:
                pane.set_best(False)
        self._drive(started)

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
        known = [m for m in models if m in self.services.config.catalog.models]
        try:
            self.session.continue_from(
                conversation,
                known,
                prompt,
                [(a.ended, a.review, a.best) for a in answers],
            )
        except Refused as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return False
        models = self.session.models
        self.query_one(ModelPicker).select(models)
        self.query_one(ChainPanel).show_compare(models)
        await self.grid.show([])
        if answers:
            await self.grid.show([(model, model) for model in models])
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
        self.session.system = argument or None
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
        self.session.attach(attachment)
        self._set_attachments()

    async def command_chain(self, argument: str) -> None:
        if "chain_editor" in self.app.SCREENS:
            self.app.push_screen("chain_editor")
        else:
            self.notify("Chains run with `orch-tui run`; this build has no chain editor screen")

    async def command_blind(self, argument: str) -> None:
        self.notify(self.blind.toggle(argument), markup=False)

    async def command_vote(self, argument: str) -> None:
        await self.blind.command(argument)

    def action_toggle_blind(self) -> None:
        """Blind mode: label the next answers A, B, C… and hide every tell until you vote."""
        self.notify(self.blind.toggle(), markup=False)

    async def command_help(self, argument: str) -> None:
        lines = [f"{name}  {text}" for name, text in slash.COMMANDS.items()]
        self.notify("\n".join(lines), title="Commands", timeout=20, markup=False)

    # -- actions --------------------------------------------------------------------------------

    def action_cancel_run(self) -> None:
        cancelled = [feed.run.cancel() for feed in self.feeds]
        if not any(cancelled) and self.grid.panes() and self.screen.maximized:
            self.minimize()

    async def action_review(self, reviewer: str = "") -> None:
        await self._start(lambda: self.session.review(reviewer))

    async def action_synthesize(self, model: str = "") -> None:
        """Merge the answers into one; the first time in a session, ask which model writes it."""
        if model or self.session.synthesizer or len(self.session.usable_answers()) < 2:
            await self._start(lambda: self.session.synthesize(model or None))
            return
        from orchestrator_tui.tui.screens.choice import ChoiceDialog

        answered = [a.model for a in self.session.usable_answers()]
        others = sorted(set(self.services.config.catalog.models) - set(answered))
        choices = [(m, f"{m}  (answered)") for m in answered] + [(m, m) for m in others]

        async def chosen(choice: str | None) -> None:
            if choice is not None:
                await self._start(lambda: self.session.synthesize(choice))

        self.app.push_screen(ChoiceDialog("Which model writes the synthesis?", choices), chosen)

    async def action_clear(self) -> None:
        try:
            self.session.clear()
        except Refused as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self._set_attachments()
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
    async def _pane_action(self, event: ResponsePane.Action) -> None:
        pane = event.pane
        key = pane.name or pane.model
        if event.action == "cancel":
            if not any(feed.cancel(pane) for feed in self.feeds):
                self.notify("This answer is not streaming", severity="warning")
        elif event.action in ("tie", "all_bad"):
            await self.blind.vote("tie" if event.action == "tie" else "all_bad")
        elif event.action == "best" and self.blind.hiding:
            await self.blind.vote("win", pane.model)
        elif event.action == "best":
            try:
                self.session.mark_best(key)
            except Refused as exc:
                self.notify(str(exc), severity="warning", markup=False)
                return
            for other in self.grid.panes():
                answer = self.session.answers.get(other.name or other.model)
                other.set_best(answer is not None and answer.best)
        elif event.action == "retry":
            await self._start(lambda: self.session.retry(key))

    # -- helpers --------------------------------------------------------------------------------

    @work(group="runs", exit_on_error=False)
    async def _drive(self, started: Started) -> None:
        """Show one run's events until it ends (partial answers stay when it is cancelled); then
        the next waiting prompt goes out."""
        from orchestrator_tui.tui.pane_feed import PaneFeed

        run = started.run
        feed = PaneFeed(run, self.grid, started.text, retry=started.kind == "retry")
        self.feeds.append(feed)
        self.orch.runs.add(run)
        try:
            await run.follow(self.session.handle, feed.handle)
        finally:
            self.orch.runs.discard(run)
            self.feeds.remove(feed)
        await self._start(lambda: self.session.finished(run))
        self.show_spend()

    @work(group="spend", exclusive=True, exit_on_error=False)
    async def show_spend(self) -> None:
        """Today's spend in the header once there is any (not during a blind round: a price
        is a tell)."""
        from orchestrator_tui.core import display
        from orchestrator_tui.core.budget import start_of_today

        if self.blind.hiding:
            self.sub_title = "blind round: vote to reveal"
            return
        services = await self.orch.wait_services()
        await services.recorder.flush()
        spent = await services.sessions.spent_since(start_of_today())
        self.sub_title = f"spent today {display.cost(spent)}" if spent else ""

    def _notice(self, text: str) -> None:
        _show_line(self.query_one("#notice", Static), text)

    def _set_attachments(self) -> None:
        attachments = self.session.attachments
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
