"""Choose the models of the next prompt: every provider's models with key status, multi-select.

Key status comes from ``services.keys.status`` in a thread (a keyring may be slow), never asking
for the vault's password; only the source of a key is ever shown, never the key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList, Static
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from orchestrator_tui.tui import safe

if TYPE_CHECKING:
    from orchestrator_tui.core.catalog import Catalog
    from orchestrator_tui.core.session import ModelSettings
    from orchestrator_tui.store.keys import KeyStatus, KeyStore


class ModelList(SelectionList[str]):
    """The models as a list of boxes that differ in shape, not only in colour: ``✓`` for a
    chosen model, an empty box for the others (Textual draws the same ``X`` in both)."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        mark = "✓" if option.value in self.selected else " "
        segments = list(line)
        for index, segment in enumerate(segments):
            if segment.text == Checkbox.BUTTON_INNER:
                segments[index] = Segment(mark, segment.style, segment.control)
                return Strip(segments, line.cell_length)
        return line


class ModelPicker(Vertical):
    """Emits ``Changed`` with the selected model names whenever the selection changes."""

    HELP = """Every model of every provider: ✓ marks those the next prompt goes to (space or a
click toggles one). ✗ means its provider has no API key yet; ⚙ means it has its own
parameters."""
    ACTION_HELP: ClassVar[dict[str, str]] = {
        "edit_params": "Set this model's temperature, max tokens, persona or system prompt",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "edit_params", "Parameters", id="picker.params"),
    ]

    class Changed(Message):
        def __init__(self, models: list[str]) -> None:
            super().__init__()
            self.models = models

    class Loaded(Message):
        """Key status is known for every provider."""

        def __init__(self, status: dict[str, KeyStatus]) -> None:
            super().__init__()
            self.status = status

    class EditParams(Message):
        """The person wants to set ``model``'s temperature, max tokens, persona or system prompt."""

        def __init__(self, model: str) -> None:
            super().__init__()
            self.model = model

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.catalog: Catalog | None = None
        self._keys: KeyStore | None = None
        self.status: dict[str, KeyStatus] = {}
        self.settings: dict[str, ModelSettings] = {}
        """Each model's own settings, shown with a mark; the workspace's session owns the dict."""

    def compose(self) -> ComposeResult:
        yield ModelList(id="picker-list")
        yield Static("", id="picker-detail", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Models"
        changed = getattr(self.app, "keys_changed", None)
        if changed is not None:
            changed.subscribe(self, self._key_changed)

    def _key_changed(self, provider: str) -> None:
        """A key was saved or removed on Keys & settings: show each provider's status anew."""
        if self.catalog is not None and self._keys is not None:
            self._recheck(self.catalog, self._keys)

    @property
    def selected(self) -> list[str]:
        return list(self.query_one(SelectionList).selected)

    def load(self, catalog: Catalog, selected: Iterable[str], status: dict[str, KeyStatus]) -> None:
        self.catalog, self.status = catalog, status
        chosen = set(selected)
        options = [
            Selection(self._label(name), name, name in chosen, id=name)
            for name in sorted(catalog.models, key=lambda n: (n.partition(":")[0] != "mock", n))
        ]
        picker = self.query_one(SelectionList)
        with picker.prevent(SelectionList.SelectedChanged):
            picker.clear_options()
            picker.add_options(options)
        self._show_detail(picker.highlighted)
        self.post_message(self.Loaded(status))

    def select(self, models: Iterable[str]) -> None:
        picker = self.query_one(SelectionList)
        picker.deselect_all()
        for name in models:
            picker.select(name)

    def settings_changed(self, model: str) -> None:
        """Show ``model``'s settings as they are now in ``settings``."""
        picker = self.query_one(SelectionList)
        index = picker.get_option_index(model)
        picker.replace_option_prompt_at_index(index, self._label(model))
        self._show_detail(picker.highlighted)

    def _label(self, name: str) -> Content:
        assert self.catalog is not None
        status = self.status.get(name.partition(":")[0])
        mark = (" ⚙", "$accent") if name in self.settings else ""
        if status is None or not status.needed:
            key = ("", "")
        elif status.source:
            key = (" ✓", "$success")
        elif status.state == "locked":
            key = (" ?", "$warning")
        else:
            key = (" ✗", "$error")
        found = (" · discovered", "$text-muted") if self.catalog.models[name].discovered else ""
        return Content.assemble(name, key, mark, found)

    @on(SelectionList.SelectedChanged)
    def _selection_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        self.post_message(self.Changed(self.selected))

    @on(SelectionList.SelectionHighlighted)
    def _highlighted(self, event: SelectionList.SelectionHighlighted[str]) -> None:
        event.stop()
        self._show_detail(event.selection_index)

    def _show_detail(self, index: int | None) -> None:
        detail = self.query_one("#picker-detail", Static)
        if self.catalog is None or index is None:
            detail.update("")
            return
        name = str(self.query_one(SelectionList).get_option_at_index(index).value)
        model = self.catalog.models[name]
        provider = self.catalog.provider_of(model)
        status = self.status.get(provider.name)
        lines = [model.description] if model.description else []
        if status is not None and not status.usable:
            lines.append(status.how_to_add())
        elif status is not None and status.source:
            lines.append(f"key from {status.source}")
        elif status is not None and status.state == "locked":
            lines.append(f"the key of {provider.name} may be in the key vault: asked when sending")
        settings = self.settings.get(name)
        if settings:
            lines.append(_describe(settings))
        detail.update(safe.content("\n".join(lines)))  # a models.yaml's description

    def action_edit_params(self) -> None:
        picker = self.query_one(SelectionList)
        if picker.highlighted is not None:
            model = str(picker.get_option_at_index(picker.highlighted).value)
            self.post_message(self.EditParams(model))

    @work(group="key-status", exclusive=True, thread=True, exit_on_error=False)
    def check_keys(self, catalog: Catalog, keys: KeyStore, selected: list[str]) -> None:
        """Look every provider's key up off the event loop, then fill the list."""
        self._keys = keys
        status = {name: keys.status(config) for name, config in catalog.providers.items()}
        self.app.call_from_thread(self.load, catalog, selected, status)

    @work(group="key-status", exclusive=True, thread=True, exit_on_error=False)
    def _recheck(self, catalog: Catalog, keys: KeyStore) -> None:
        status = {name: keys.status(config) for name, config in catalog.providers.items()}
        self.app.call_from_thread(self._relabel, status)

    def _relabel(self, status: dict[str, KeyStatus]) -> None:
        self.status = status
        picker = self.query_one(SelectionList)
        for index in range(picker.option_count):
            name = str(picker.get_option_at_index(index).value)
            picker.replace_option_prompt_at_index(index, self._label(name))
        self._show_detail(picker.highlighted)


def _describe(settings: ModelSettings) -> str:
    params, parts = settings.params, []
    if params.temperature is not None:
        parts.append(f"temperature {params.temperature:g}")
    if params.max_tokens is not None:
        parts.append(f"max {params.max_tokens} tokens")
    if settings.persona:
        parts.append(f"persona {settings.persona}")
    if settings.own_system:
        parts.append("own system prompt")
    return "⚙ " + ", ".join(parts)
