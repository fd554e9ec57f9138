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
from textual.events import Key, Resize
from textual.screen import Screen
from textual.widgets import Header, Input, Static, TextArea

from orchestrator_tui.core.attachments import Attachment, AttachmentError, read_attachment
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
    from orchestrator_tui.core.types import Message
    from orchestrator_tui.services import Services
    from orchestrator_tui.store.reopen import StoredAnswer
    from orchestrator_tui.store.user_state import UserState
    from orchestrator_tui.tui.app import OrchApp
    from orchestrator_tui.tui.pane_feed import PaneFeed

MOCK_MODELS = ("mock:lorem", "mock:echo")
NEW_CHAIN = "+new"
"""The choice of no chain in the ``/chain`` list (no chain's file name starts with ``+``)."""
NARROW = 100
"""Below this width the model list starts hidden (ctrl+b shows it), so answers get the room."""
FIRST_RUN = (
    "No API keys found, so offline mock models are selected: try everything with them. "
    "Add a key on the Keys screen or with `orch-tui keys set <provider>`."
)


class WorkspaceScreen(Screen[None]):
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        Path(__file__).with_name("workspace.tcss"),
        Path(__file__).parent.parent / "widgets" / "responses.tcss",
    ]
    HELP = """Pick models on the left (space toggles, p sets one model's parameters), type a
prompt below and press Enter: every selected model answers side by side. Follow-ups continue
each model's conversation. Type / for commands."""
    ACTION_HELP: ClassVar[dict[str, str]] = {
        "cancel_run": "Stop the answers still streaming (what came so far is kept)",
        "review": "Score every answer with the reviewer model",
        "synthesize": "Merge the answers into one, written by a model you choose",
        "clear": "Start a new conversation",
        "toggle_models": "Show or hide the model list",
        "focus_prompt": "Go to the prompt box",
        "page_panes": "When not every answer fits: the next or previous page of answers",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_run", "Cancel run", id="workspace.cancel"),
        Binding("ctrl+r", "review", "Review", id="workspace.review"),
        Binding("ctrl+t", "synthesize", "Synthesize", id="workspace.synthesize"),
        Binding("ctrl+l", "clear", "New chat", id="workspace.clear", show=False),
        Binding("ctrl+b", "toggle_models", "Models", id="workspace.models"),
        Binding("ctrl+g", "focus_prompt", "Prompt", id="workspace.prompt", show=False),
        Binding("ctrl+down", "page_panes(1)", "Next answers", id="workspace.next", show=False),
        Binding("ctrl+up", "page_panes(-1)", "Earlier answers", id="workspace.back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.session = WorkspaceSession()
        self.blind = BlindMode(self)
        self.feeds: list[PaneFeed] = []
        self._narrow: bool | None = None
        self._header_parts: dict[str, str] = {}
        self._state: UserState | None = None
        """What is remembered between runs; ``None`` until read (nothing is saved before)."""

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
                yield Static("", id="queued", markup=False)
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
        prompt = self.query_one(PromptBox)
        prompt.focus()
        prompt.take_back = self._take_back
        self.query_one(ModelPicker).settings = self.session.settings
        self._load()

    def on_key(self, event: Key) -> None:
        """A character typed where no key takes it (on an answer after Tab, on the model list)
        goes into the prompt box, which takes the focus: the rest of a prompt typed there is
        neither lost nor read letter by letter as the pane's keys (r retries, x cancels)."""
        prompt = self.query_one(PromptBox)
        if (
            event.is_printable
            and event.character
            and not isinstance(self.focused, Input | TextArea)
            and event.key not in self.app.active_bindings
        ):
            event.stop()
            prompt.focus()
            prompt.insert(event.character)

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self.query_one("#sidebar").display = not narrow

    @work(group="workspace-load", exit_on_error=False)
    async def _load(self) -> None:
        """Choose the models (the config's ``default_models``, else the remembered ones, else
        the mock models), restore their settings and earlier prompts, then let any prompt
        typed meanwhile go out."""
        services = await self.orch.wait_services()
        from orchestrator_tui.store.user_state import load_state  # after the first paint

        state = await asyncio.to_thread(load_state, services.config.paths.user_state)
        catalog = services.config.catalog
        settings = services.config.settings
        if settings.mode:
            await self.command_mode(settings.mode, select=False)
        mode = self.session.mode
        wanted = (mode.models if mode else ()) or settings.default_models or state.models
        wanted = wanted or MOCK_MODELS
        chosen = []
        for name in wanted:
            with contextlib.suppress(OrchError):
                chosen.append(catalog.resolve(name).name)
        self.session.select_wanted(chosen, catalog.models)  # a discovered one joins when found
        for name, own in state.settings.items():
            if name in catalog.models:
                self.session.set_settings(name, own)
        prompt = self.query_one(PromptBox)
        typed_meanwhile = bool(prompt.earlier)
        prompt.earlier[:0] = state.prompts
        self._state = state
        if typed_meanwhile:
            self._remember()
        self.query_one(ChainPanel).show_compare(self.session.models)
        self.query_one(ModelPicker).check_keys(catalog, services.keys, self.session.models)
        reviewer = settings.reviewer
        self.blind.on = self.blind.on or settings.blind
        await self._start(lambda: self.session.open(services.orchestrator, reviewer=reviewer))
        self.show_spend()
        self._discover()

    @work(group="discovery", exclusive=True, exit_on_error=False)
    async def _discover(self) -> None:
        """Models on running local servers join the list once found (after the first paint);
        those asked for by ``default_models`` (or remembered) are selected then, unless the
        person changed the selection meanwhile."""
        from orchestrator_tui.discovery import discover

        config, keys = self.services.config, self.services.keys
        found = await discover(config.catalog, config.paths.discovery_cache)
        if found:
            catalog = config.catalog.with_models(found)
            self.session.listed_more(catalog.models)
            self.query_one(ModelPicker).check_keys(catalog, keys, self.session.models)

    # -- model picker ---------------------------------------------------------------------------

    @on(ModelPicker.Loaded)
    async def _keys_known(self, event: ModelPicker.Loaded) -> None:
        models = self.session.models
        no_keys = not any(s.has_key for s in event.status.values() if s.needed)
        if no_keys and models and all(m.startswith("mock:") for m in models):
            self._notice(FIRST_RUN)
        await self._models_shown()

    @on(ModelPicker.Changed)
    async def _models_changed(self, event: ModelPicker.Changed) -> None:
        self.session.reselect(event.models)
        self._remember()
        await self._models_shown()

    async def _models_shown(self) -> None:
        """A pane waits for each selected model, so the first answer starts drawing at once;
        their providers get ready for the first request meanwhile."""
        self.orch.warm_models(self.session.models)
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
                self._remember()

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
        """Send a prompt, or run a slash command; a line that did nothing goes back in the box."""
        self._remember()
        command = slash.parse(event.text)
        if command is None:
            if not await self.send(event.text):
                self.query_one(PromptBox).restore(event.text)
            return
        handler = getattr(self, f"command_{command.name[1:]}", None)
        if command.name not in slash.COMMANDS or handler is None:
            self.notify(
                f"Unknown command {command.name}: type /help", severity="error", markup=False
            )
            self.query_one(PromptBox).restore(event.text)
            return
        if await handler(command.argument) is False:
            self.query_one(PromptBox).restore(event.text)

    async def send(self, text: str) -> bool:
        """Fan ``text`` (with any attachments) out to the selected models as the next turn, now
        or once the run in flight (or the start-up) is over. ``False`` if refused."""
        return await self._start(lambda: self.session.submit(text))

    async def _start(self, step: Callable[[], Started | None]) -> bool:
        """Let the session act; show the run it started, or say why it refused (``False``).

        A waiting prompt that cannot go out goes back into the prompt box, so nothing is sent
        later by surprise and nothing typed is lost.
        """
        try:
            started = step()
        except OrchError as exc:
            refused = isinstance(exc, Refused)
            self.notify(str(exc), severity="warning" if refused else "error", markup=False)
            stuck = self.session.ready and not self.session.running
            while stuck and (waiting := self.session.take_back()) is not None:
                self.query_one(PromptBox).restore(waiting)
            return False
        finally:
            self._show_queue()
        if started is not None:
            await self._show(started)
        return True

    def _take_back(self) -> str | None:
        """The newest waiting prompt, out of the queue (Up in the empty prompt box)."""
        text = self.session.take_back()
        self._show_queue()
        return text

    def _show_queue(self) -> None:
        queue = self.session.queue
        line = ""
        if queue:
            last = queue[-1].strip().splitlines()[0]
            last = last if len(last) <= 30 else last[:29] + "…"
            count = "1 prompt waits" if len(queue) == 1 else f"{len(queue)} prompts wait"
            line = f"⏳ {count} (last: “{last}”) · ↑ in the empty box takes it back"
        _show_line(self.query_one("#queued", Static), line)

    @work(group="user-state", exclusive=True, exit_on_error=False)
    async def _remember(self) -> None:
        """Keep the models, their settings and the prompts for the next start (off the loop)."""
        from orchestrator_tui.store.user_state import save_state

        state = self._state
        if state is None:
            return
        state.models = list(self.session.models)
        state.settings = dict(self.session.settings)
        state.prompts = list(self.query_one(PromptBox).earlier)
        await asyncio.to_thread(save_state, self.services.config.paths.user_state, state)

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
            by = "" if self.blind.hiding else f" · {started.model}"  # a name is a tell
            await self.grid.add(SYNTHESIS, f"synthesis{by}")
        elif started.kind == "retry":
            pane = self.grid.pane(started.keys[0])
            if pane is not None and pane.best:
                pane.set_best(False)
        self._drive(started)
        self.refresh_bindings()

    async def continue_session(
        self,
        conversation: Conversation,
        models: list[str],
        prompt: Message | None = None,
        *,
        draft: str | None = None,
        answers: Sequence[StoredAnswer] = (),
    ) -> bool:
        """Carry on a stored session (reopened from the history): its conversation and models.

        ``prompt`` is its last prompt as sent (images too), for retry, review and synthesis;
        ``draft`` goes into the prompt box, to send as it is or after changing the models;
        ``answers`` are shown in the panes of their models. ``False`` if a run is in flight.
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
        await self.services.continue_budget(conversation.session_id)
        models = self.session.models
        self.query_one(ModelPicker).select(models)
        self.query_one(ChainPanel).show_compare(models)
        await self.grid.show([])
        if answers:
            await self.grid.show([(model, model) for model in models])
            for answer in answers:
                pane = self.grid.pane(answer.ended.model)
                if pane is not None:
                    pane.restore(
                        answer.ended, answer.review, answer.best, answer.earlier, answer.prompt
                    )
        stored_mode = conversation.mode
        if stored_mode != (self.session.mode.name if self.session.mode else None):
            await self.command_mode(stored_mode or "off", select=False)  # the session's own
        if conversation.histories:
            title = conversation.title or "this session"
            self._notice(f"Continuing {title!r}: the next prompt follows on from it.")
        else:
            self._notice("A new session: Enter sends the prompt to the selected models.")
        if draft is not None:
            self.query_one(PromptBox).text = draft
        return True

    # -- slash commands -------------------------------------------------------------------------

    async def command_models(self, argument: str) -> bool:
        if not argument:
            self.action_toggle_models(show=True)
            return True
        catalog = self.services.config.catalog
        try:
            names = [catalog.resolve(n).name for n in argument.replace(",", " ").split()]
        except OrchError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return False
        self.session.select(names)  # in the order typed
        self.query_one(ModelPicker).select(names)
        return True

    async def command_system(self, argument: str) -> None:
        self.session.system = argument or None
        self.notify("System prompt set" if argument else "System prompt cleared")

    async def command_clear(self, argument: str) -> None:
        await self.action_clear()

    async def command_review(self, argument: str) -> bool:
        return await self._start(lambda: self.session.review(argument))

    async def command_synthesize(self, argument: str) -> bool:
        if not argument:
            await self.action_synthesize()
            return True
        return await self._start(lambda: self.session.synthesize(argument))

    async def command_attach(self, argument: str) -> bool:
        """``/attach PATH`` adds a file to the next prompt; ``/attach off`` drops them all."""
        if not argument:
            self.notify("Give a path: /attach notes.md (or /attach off)", severity="error")
            return False
        if argument in ("off", "none"):
            dropped = self.session.detach()
            self._set_attachments()
            self.notify(f"Dropped {dropped} attachment(s)" if dropped else "Nothing was attached")
            return True
        try:
            attachment = await asyncio.to_thread(read_attachment, argument)
        except AttachmentError as exc:
            self.notify(str(exc), title="Not attached", severity="error", markup=False)
            return False
        self.attach(attachment)
        return True

    def attach(self, attachment: Attachment) -> None:
        """Send ``attachment`` with the next prompt; the line above the prompt box lists it."""
        self.session.attach(attachment)
        self._set_attachments()

    async def command_chain(self, argument: str) -> bool:
        """Open the named chain (or a .yaml path) in the chain editor; with no name, ask which."""
        try:
            library = await self.services.chain_library()
            entry = library.find(argument) if argument else None
        except OrchError as exc:
            self.notify(str(exc), title="No such chain", severity="error", markup=False)
            return False
        if entry is not None:
            self._open_chain(str(entry.path) if entry.origin == "file" else entry.name)
            return True
        from orchestrator_tui.tui.screens.choice import ChoiceDialog

        choices = [(NEW_CHAIN, "a new chain, from the blank template")] + [
            (e.name, f"{e.name}  {e.description}".rstrip()) for e in library.entries()
        ]

        def chosen(name: str | None) -> None:
            if name is not None:
                self._open_chain(None if name == NEW_CHAIN else name)

        self.app.push_screen(ChoiceDialog("Which chain?", choices), chosen)
        return True

    def _open_chain(self, name: str | None) -> None:
        from orchestrator_tui.tui.screens.chain_editor import ChainEditorScreen

        self.app.push_screen(ChainEditorScreen(name))

    async def command_mode(self, argument: str, *, select: bool = True) -> bool:
        """``/mode NAME`` uses a mode from the next prompt on; ``/mode off`` none; ``/mode`` lists.
        ``False`` for a name no mode has (the line stays in the box to be corrected).

        ``select`` picks the mode's models too (not before the picker is filled)."""
        library = await (await self.orch.wait_services()).mode_library()
        for warning in library.warnings:
            self.notify(warning, title="Modes", severity="warning", markup=False)
        current = self.session.mode
        if not argument:
            lines = [
                f"{'*' if current and name == current.name else ' '} {name}  "
                f"{library.modes[name].description}"
                for name in sorted(library.modes)
            ]
            self.notify("\n".join(lines), title="Modes (/mode NAME)", timeout=20, markup=False)
            return True
        mode = None
        if argument not in ("off", "none"):
            try:
                mode = library.get(argument)
            except OrchError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return False
        self.session.use_mode(mode)
        if mode is not None and mode.models and select:
            await self.command_models(" ".join(mode.models))
        self.orch.show_mode(mode.name if mode else None)
        self._notice(f"Mode {mode.name}: {mode.description}" if mode else "No mode")
        return True

    async def command_blind(self, argument: str) -> None:
        self.notify(self.blind.toggle(argument), markup=False)

    async def command_vote(self, argument: str) -> bool:
        return await self.blind.command(argument)

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
        status = self.query_one(ModelPicker).status

        def keyless(model: str) -> bool:  # would fail at once: last, and said so
            known = status.get(model.partition(":")[0])
            return known is not None and known.needed and not known.has_key

        others = sorted(
            set(self.services.config.catalog.models) - set(answered), key=lambda m: (keyless(m), m)
        )
        choices = [(m, f"{m}  (answered)") for m in answered]
        choices += [(m, f"{m}  (no API key)" if keyless(m) else m) for m in others]

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that can do nothing now leave the footer (F1, F2 and ctrl+q keep their place
        at 80 columns): cancel while answers stream, review and synthesis once there are
        answers, the pages of answers when they do not all fit."""
        session = self.session
        if action == "cancel_run":
            return self.running or self.maximized is not None
        if action == "review":
            return bool(session.usable_answers())
        if action == "synthesize":
            return len(session.usable_answers()) >= 2
        if action == "page_panes":
            return self.grid.paged
        return True

    def action_page_panes(self, delta: int) -> None:
        self.grid.page(delta)

    @on(ResponseGrid.Paged)
    def _paged(self, event: ResponseGrid.Paged) -> None:
        """Say in the header which answers are in view when they do not all fit."""
        self.refresh_bindings()
        paged = not (event.first == 1 and event.last == event.total)
        pages = f"answers {event.first} to {event.last} of {event.total} · ctrl+↓ ↑"
        self._header("pages", pages if paged else "")

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
        feed = PaneFeed(
            run,
            self.grid,
            started.text,
            retry=started.kind == "retry",
            follow_up=started.follow_up,
        )
        self.feeds.append(feed)
        self.orch.runs.add(run)
        try:
            await run.follow(self.session.handle, feed.handle)
        finally:
            self.orch.runs.discard(run)
            self.feeds.remove(feed)
            self.refresh_bindings()
        await self._start(lambda: self.session.finished(run))
        self.show_spend()

    @work(group="spend", exclusive=True, exit_on_error=False)
    async def show_spend(self) -> None:
        """Today's spend in the header once there is any (not during a blind round: a price
        is a tell)."""
        from orchestrator_tui.core import display
        from orchestrator_tui.core.budget import start_of_today

        if self.blind.hiding:
            self._header("spend", "blind round: vote to reveal")
            return
        services = await self.orch.wait_services()
        await services.recorder.flush()
        spent = await services.sessions.spent_since(start_of_today())
        self._header("spend", f"spent today {display.cost(spent)}" if spent else "")

    def _header(self, part: str, text: str) -> None:
        """Show ``text`` as one part of the header's second title (empty: drop it). The app's
        ``format_title`` puts the profile and mode in force before it (with no part of its own,
        the screen shows only those), so they are not repeated here."""
        self._header_parts[part] = text
        own = [t for t in self._header_parts.values() if t]
        self.sub_title = " · ".join(own) if own else None

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
