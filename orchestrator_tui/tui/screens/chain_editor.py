"""The chain editor: steps as a list, a form for the selected step, the YAML beside it, in sync.

Both the form and the YAML pane edit one ``ChainDocument``; every edit re-validates the YAML as
shown, so errors name lines the user can see. Handlers compare before they write, so an update
echoing back from the other side is a no-op rather than a loop. On a narrow terminal (80 columns)
the form and the YAML share one place and F6 switches between them; the part with focus has a
bright border.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Label, ListView, Select, Static, TextArea

from orchestrator_tui.core.chains.document import LONG_FIELDS, ChainDocument
from orchestrator_tui.core.chains.kinds import step_kinds
from orchestrator_tui.core.chains.loader import load_chain
from orchestrator_tui.core.chains.mocking import mock_chain
from orchestrator_tui.core.chains.model import ChainInvalid, Issue
from orchestrator_tui.core.yamlsource import YamlError
from orchestrator_tui.tui import safe
from orchestrator_tui.tui.host import app_services
from orchestrator_tui.tui.widgets.chain_steps import StepItem, step_label

if TYPE_CHECKING:
    from orchestrator_tui.core.chains.library import ChainLibrary
    from orchestrator_tui.core.chains.model import Chain

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SOURCE = "editor"


MODEL_FIELDS = frozenset({"model", "models", "reviewer", "judge"})
NARROW = 110
"""Below this many columns the form and the YAML take turns (F6)."""


class ModelNames(Suggester):
    """Completes a model name from the catalog as it is typed; in a list (``a, b``) the last."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names = sorted(names)

    async def get_suggestion(self, value: str) -> str | None:
        stem = value.rpartition(",")[2].lstrip()
        if not stem:
            return None
        found = next((n for n in self.names if n.startswith(stem) and n != stem), None)
        return value + found[len(stem) :] if found else None


class ChainEditorScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("chain_editor.tcss")
    HELP = """Build a chain: its steps on the left (ctrl+n adds one, F3 duplicates, F4 deletes,
    alt+Up/Down move it), the selected step's form, and the YAML, kept in sync; problems are listed
    at the bottom as you type. A model field completes names as you type (Right arrow takes the
    suggestion). F5 dry-runs the chain on free mock models; F9 runs it on its own models (they may
    cost money); ctrl+s saves it to your chains. On a narrow terminal F6 switches form and YAML."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "add_step", "New step", id="chain_editor.add", priority=True, show=False),
        Binding(
            "f3", "duplicate_step", "Copy", id="chain_editor.duplicate", priority=True, show=False
        ),
        Binding("f4", "delete_step", "Delete", id="chain_editor.delete", priority=True, show=False),
        Binding("alt+up", "move_step(-1)", "Up", id="chain_editor.up", priority=True, show=False),
        Binding(
            "alt+down", "move_step(1)", "Down", id="chain_editor.down", priority=True, show=False
        ),
        Binding("f5", "run(True)", "Dry run", id="chain_editor.dry_run", priority=True),
        Binding("f9", "run(False)", "Run", id="chain_editor.run", priority=True),
        Binding("ctrl+s", "save", "Save", id="chain_editor.save", priority=True),
        Binding("f6", "switch_view", "YAML", id="chain_editor.switch", priority=True),
        Binding(
            "f7",
            "draft",
            "From a sentence",
            id="chain_editor.draft",
            priority=True,
            show=False,  # named on the form's border: the footer keeps room for F1, F2 and ^q
            tooltip="Have a model write the chain from a sentence; its draft opens here to check",
        ),
        Binding("escape", "back", "Back", id="chain_editor.back", show=False),
    ]
    STEP_KEYS = "^n new f3 dup f4 del"
    DRAFT_KEY = "f7 write a chain from a sentence"
    RUN_KEYS = "F5 dry-runs it on free mock models · F9 runs it on its own (paid) models"

    def __init__(self, chain: str | None = None) -> None:
        super().__init__()
        self.wanted = chain
        self.doc = ChainDocument.new()
        self.selected = 0
        self.issues: list[Issue] = []
        self.warnings: list[Issue] = []
        """What may run but probably should not (a refine step reviewed by its own writer)."""
        self.library: ChainLibrary | None = None
        self._shown_yaml = ""
        self._form_shape: tuple[int, str] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="editor-body"):
            with Vertical(id="editor-steps"):
                yield Select[str]([], prompt="Open a chain…", id="editor-open")
                yield Input(self.doc.name, placeholder="chain name", id="editor-name")
                yield ListView(id="editor-step-list")
            yield VerticalScroll(id="editor-form")
            with Vertical(id="editor-yaml-col"):
                yield TextArea(id="editor-yaml", soft_wrap=False, show_line_numbers=True)
        with VerticalScroll(id="editor-issues-box"):
            yield Static("", id="editor-issues", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "chain editor"
        steps = self.query_one("#editor-steps")
        steps.border_title, steps.border_subtitle = "Steps", self.STEP_KEYS
        form = self.query_one("#editor-form")
        form.border_title, form.border_subtitle = "Step", self.DRAFT_KEY
        self.query_one("#editor-yaml-col").border_title = "YAML"
        self._open_library()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The form/YAML switch only where they take turns."""
        if action == "switch_view":
            return self.has_class("-narrow")
        return True

    def action_switch_view(self) -> None:
        """Show the YAML instead of the step's form, or the form again (narrow terminals)."""
        showing_yaml = not self.has_class("-yaml")
        self.set_class(showing_yaml, "-yaml")
        if showing_yaml:
            self.query_one("#editor-yaml").focus()
        else:
            self.query_one("#editor-form").focus()

    @work(group="chain-editor-load", exclusive=True, exit_on_error=False)
    async def _open_library(self) -> None:
        services = await app_services(self)
        try:
            self.library = await services.chain_library()
        except ChainInvalid as exc:  # the shipped presets are broken: nothing to check against
            self._show_issues(exc.issues)
            return
        self._list_chains()
        if self.wanted:
            self.load(self.library.find(self.wanted).path.read_text(encoding="utf-8"))
        else:
            await self._refresh_all()

    def _list_chains(self) -> None:
        assert self.library is not None
        self.query_one("#editor-open", Select).set_options(
            (f"{e.name}  ({e.origin})", e.name) for e in self.library.entries()
        )

    def load(self, text: str) -> None:
        """Show a chain's YAML; a file that does not parse is shown as it is, with the error."""
        try:
            self.doc = ChainDocument.from_yaml(text, SOURCE)
        except YamlError as exc:
            self._set_yaml(text)
            self._show_issues([Issue(SOURCE, "", str(exc))])
            return
        self.selected = 0
        self.query_one("#editor-name", Input).value = self.doc.name
        self.call_later(self._refresh_all)

    # -- the three views ------------------------------------------------------------------------

    async def _refresh_all(self) -> None:
        self._set_yaml(self.doc.to_yaml())
        self._validate()
        await self._rebuild_list()
        await self._rebuild_form()

    async def _rebuild_list(self) -> None:
        steps = self.query_one("#editor-step-list", ListView)
        await steps.clear()
        await steps.extend(StepItem(self._label(i)) for i in range(len(self.doc.steps)))
        if self.doc.steps:
            self.selected = min(self.selected, len(self.doc.steps) - 1)
            steps.index = self.selected

    async def _rebuild_form(self) -> None:
        form = self.query_one("#editor-form", VerticalScroll)
        await form.remove_children()
        if not self.doc.steps:
            self._form_shape = None
            await form.mount(Static("No steps: ctrl+n adds one.", classes="form-empty"))
            return
        index = self.selected
        kind = str(self.doc.steps[index].get("kind"))
        self._form_shape = (index, kind)
        kinds = step_kinds()
        widgets: list[Widget] = [
            Label("kind"),
            Select[str](
                [(k, k) for k in kinds],
                value=kind if kind in kinds else Select.NULL,
                allow_blank=kind not in kinds,
                id="form-kind",
            ),
            Label("id"),
            Input(self.doc.field_text(index, "id"), id="f-id"),
        ]
        for name in self.doc.fields(index):
            text = self.doc.field_text(index, name)
            widgets.append(Label(name))
            if name in LONG_FIELDS:
                widgets.append(TextArea(text, id=f"f-{name}", classes="form-long"))
            elif name in MODEL_FIELDS:
                widgets.append(self._model_input(name, text))
            else:
                widgets.append(Input(text, id=f"f-{name}"))
        if "checks" in self.doc.steps[index] or kind in ("review", "refine"):
            widgets.append(Static("checks: edit them in the YAML", classes="form-note"))
        await form.mount_all(widgets)
        self._mark_invalid_fields()

    def _model_input(self, name: str, text: str) -> Input:
        """A model field that completes names from the catalog (→ takes the suggestion)."""
        names = list(self.library.catalog.models) if self.library is not None else []
        example = ", ".join(names[:2]) if name == "models" else (names[0] if names else "")
        return Input(
            text,
            id=f"f-{name}",
            suggester=ModelNames(names),
            placeholder=f"provider:model, e.g. {example} (→ completes)",
        )

    def _sync_form_values(self) -> None:
        """After a YAML edit: new values into the form's fields, without rebuilding it."""
        for name in ("id", *self.doc.fields(self.selected)):
            text = self.doc.field_text(self.selected, name)
            for widget in self.query(f"#f-{name}"):
                if isinstance(widget, Input) and widget.value != text:
                    widget.value = text
                elif isinstance(widget, TextArea) and widget.text != text:
                    widget.load_text(text)

    def _set_yaml(self, text: str) -> None:
        self._shown_yaml = text
        area = self.query_one("#editor-yaml", TextArea)
        if area.text != text:
            area.load_text(text)

    def _label(self, index: int) -> Content:
        step_id = str(self.doc.steps[index].get("id"))
        invalid = any(_names_step(issue, index, step_id) for issue in self.issues)
        return step_label(index + 1, self.doc.summary(index), invalid)

    def _relabel(self) -> None:
        items = list(self.query_one("#editor-step-list", ListView).query(StepItem))
        if len(items) != len(self.doc.steps):
            self.call_later(self._rebuild_list)
            return
        for index, item in enumerate(items):
            item.show(self._label(index))

    # -- validation -----------------------------------------------------------------------------

    def _validate(self) -> None:
        if self.library is None:
            return
        issues, warnings = self.doc.check(
            SOURCE, personas=self.library.personas, catalog=self.library.catalog
        )
        self._show_issues(issues, warnings)

    def _show_issues(self, issues: list[Issue], warnings: Sequence[Issue] = ()) -> None:
        """Errors first, then warnings (the chain runs despite them), each in its colour."""
        self.issues, self.warnings = issues, list(warnings)
        lines = [safe.content(f"✗ {issue}", "$text-error") for issue in issues]
        if not issues:
            lines.append(
                Content.assemble(("✓ valid", "$text-success"), (f" — {self.RUN_KEYS}", "dim"))
            )
        lines += [safe.content(f"⚠ {issue}", "$text-warning") for issue in warnings]
        self.query_one("#editor-issues", Static).update(Content("\n").join(lines))
        self._mark_invalid_fields()

    def _mark_invalid_fields(self) -> None:
        if not self.doc.steps:
            return
        index = self.selected
        step_id = str(self.doc.steps[index].get("id"))
        for widget in self.query("#editor-form Input, #editor-form TextArea"):
            name = (widget.id or "")[2:]
            bad = _names_field(self.issues, index, step_id, name)
            widget.set_class(bad, "-invalid")
            widget.set_class(
                not bad and _names_field(self.warnings, index, step_id, name), "-warned"
            )

    # -- edits ----------------------------------------------------------------------------------

    def _edited(self) -> None:
        """After any change to the document: YAML, validation, labels."""
        self._set_yaml(self.doc.to_yaml())
        self._validate()
        self._relabel()

    @on(Input.Changed, "#editor-form Input")
    def _field_changed(self, event: Input.Changed) -> None:
        self._set_field(event.input.id, event.value)

    @on(TextArea.Changed, "#editor-form TextArea")
    def _long_field_changed(self, event: TextArea.Changed) -> None:
        self._set_field(event.text_area.id, event.text_area.text)

    def _set_field(self, widget_id: str | None, text: str) -> None:
        if not self.doc.steps or not widget_id or not widget_id.startswith("f-"):
            return
        name = widget_id[2:]
        if self.doc.field_text(self.selected, name) == text:
            return
        self.doc.set_field(self.selected, name, text)
        self._edited()

    @on(Select.Changed, "#form-kind")
    async def _kind_changed(self, event: Select.Changed) -> None:
        kind = event.value
        if not self.doc.steps or not isinstance(kind, str):
            return
        if self.doc.steps[self.selected].get("kind") == kind:
            return
        self.doc.set_kind(self.selected, kind)
        self._edited()
        await self._rebuild_form()

    @on(Input.Changed, "#editor-name")
    def _name_changed(self, event: Input.Changed) -> None:
        if event.value.strip() and self.doc.data.get("name") != event.value.strip():
            self.doc.data["name"] = event.value.strip()
            self._edited()

    @on(TextArea.Changed, "#editor-yaml")
    async def _yaml_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        if text == self._shown_yaml:
            return
        self._shown_yaml = text
        try:
            doc = ChainDocument.from_yaml(text, SOURCE)
        except YamlError as exc:
            self._show_issues([Issue(SOURCE, "", str(exc))])
            return
        self.doc = doc
        self._validate()
        if not doc.steps:
            await self._rebuild_list()
            await self._rebuild_form()
            return
        self.selected = min(self.selected, len(doc.steps) - 1)
        self._relabel()
        if self._form_shape != (self.selected, str(doc.steps[self.selected].get("kind"))):
            await self._rebuild_form()
        else:
            self._sync_form_values()

    @on(ListView.Highlighted, "#editor-step-list")
    async def _step_highlighted(self, event: ListView.Highlighted) -> None:
        index = event.list_view.index
        if index is None or (index == self.selected and self._form_shape is not None):
            return
        self.selected = index
        await self._rebuild_form()

    @on(Select.Changed, "#editor-open")
    def _open_chosen(self, event: Select.Changed) -> None:
        if self.library is None or not isinstance(event.value, str):
            return
        self.load(self.library.find(event.value).path.read_text(encoding="utf-8"))

    async def _restructured(self, selected: int) -> None:
        self.selected = max(selected, 0)
        await self._refresh_all()

    async def action_add_step(self) -> None:
        after = self.selected if self.doc.steps else None
        await self._restructured(self.doc.add("generate", after))

    async def action_duplicate_step(self) -> None:
        if self.doc.steps:
            await self._restructured(self.doc.duplicate(self.selected))

    async def action_delete_step(self) -> None:
        if self.doc.steps:
            await self._restructured(self.doc.delete(self.selected))

    async def action_move_step(self, delta: int) -> None:
        if self.doc.steps:
            await self._restructured(self.doc.move(self.selected, delta))

    def action_save(self) -> None:
        if self.library is None:
            return
        name = self.doc.name.strip()
        if not NAME.match(name):
            self.notify("Name the chain first (letters, digits, - _ .)", severity="error")
            return
        folder = self.library.writable_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.yaml"
        path.write_text(self.doc.to_yaml(), encoding="utf-8")
        self._list_chains()
        hidden = next((e.shadows for e in self.library.entries() if e.name == name), None)
        note = f" (it shadows the {hidden} of that name)" if hidden else ""
        self.notify(f"Saved to {path}{note}", title="Chain saved", markup=False)

    def action_run(self, mock: bool) -> None:
        chain = self._runnable(mock)
        if chain is None:
            return
        from orchestrator_tui.tui.screens.chain_inputs import ChainInputsScreen
        from orchestrator_tui.tui.screens.chain_run import ChainRunScreen

        assert self.library is not None
        personas = self.library.personas

        def start(values: dict[str, str] | None) -> None:
            if values is not None:
                self.app.push_screen(ChainRunScreen(chain, values, personas, dry=mock))

        if chain.inputs:
            title = f"{'Dry run on mock models' if mock else 'Run on real models'} · {chain.name}"
            self.app.push_screen(ChainInputsScreen(title, chain.inputs), start)
        else:
            start({})

    def _runnable(self, mock: bool) -> Chain | None:
        if self.library is None:
            return None
        try:
            return load_chain(
                self.doc.to_yaml(),
                self.doc.name or SOURCE,
                personas=self.library.personas,
                catalog=self.library.catalog,
                transform=mock_chain if mock else None,
            )
        except ChainInvalid as exc:
            self._show_issues(exc.issues, self.warnings)  # listed once, where they wrap
            count = len(exc.issues)
            errors = f"{count} error{'s' if count != 1 else ''}" if count else "the errors"
            self.notify(f"Fix {errors} listed under the editor first.", title="Cannot run")
            return None

    async def action_draft(self) -> None:
        from orchestrator_tui.tui.screens.chain_draft import DraftDialog

        settings = (await app_services(self)).config.settings
        model = settings.default_models[0] if settings.default_models else ""

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self._draft(*answer)

        self.app.push_screen(DraftDialog(model), chosen)

    @work(group="chain-editor-draft", exclusive=True, exit_on_error=False)
    async def _draft(self, description: str, model: str) -> None:
        """Draft with ``model`` (each round recorded), then show the last draft to check."""
        from orchestrator_tui.config.paths import chain_reference
        from orchestrator_tui.core.chains.drafting import draft_with
        from orchestrator_tui.core.errors import OrchError

        services = await app_services(self)
        if self.library is None:
            return
        self.notify(f"{model} is drafting the chain…", title="From a sentence", markup=False)
        try:
            drafted = await draft_with(
                services.orchestrator, self.library, model, description, chain_reference()
            )
        except OrchError as exc:
            self.notify(str(exc), title="Not drafted", severity="error", markup=False)
            return
        self.load(drafted.text)
        title = "From a sentence"
        if drafted.chain is not None:
            rounds = drafted.rounds
            self.notify(f"Valid after {rounds} draft(s): check it, then ctrl+s", title=title)
        else:
            note = f"Still invalid after {drafted.rounds} drafts: see the errors"
            self.notify(note, title=title, severity="warning")

    def action_back(self) -> None:
        self.app.pop_screen()


def _names_step(issue: Issue, index: int, step_id: str) -> bool:
    return issue.field.startswith((f"steps[{index}]", f"steps.{step_id}."))


def _names_field(issues: list[Issue], index: int, step_id: str, name: str) -> bool:
    return any(_names_step(i, index, step_id) and i.field.endswith(f".{name}") for i in issues)
