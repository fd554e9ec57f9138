"""Keys & settings: which providers have a key and where it comes from; set, replace or remove one;
pick the theme and the profile.

A key is never shown: the table has its masked form and the input is a password field, cleared as
soon as the key is saved. Keyring calls can block (Secret Service over D-Bus), so they run in a
thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from orchestrator_tui.config import Config
from orchestrator_tui.store.keys import KeyStatus, KeyStore, KeyStoreError
from orchestrator_tui.tui.host import orch_app
from orchestrator_tui.tui.tables import row_table
from orchestrator_tui.tui.widgets.profile_picker import ProfilePicker

KEY_COLUMNS = (("Provider", 14), ("Status", 10), ("Source", 54), ("Key", 12))


def _source_text(status: KeyStatus) -> str:
    if status.source:
        return status.source
    if status.state == "locked":
        return "may be in the key vault (locked)"
    if status.state == "missing":
        where = " or ".join(status.key_env)
        return f"add one here, or set {where}" if where else "add one here"
    return ""


class SettingsScreen(Screen[None]):
    """API keys for each provider, the colour theme and the profile."""

    TITLE = "Keys & settings"
    CSS_PATH = "settings.tcss"
    HELP = """Select a provider, type or paste its key into the masked field and press Enter
    (or ctrl+s) to save it in the keyring; ctrl+r removes the saved key. A key from an environment
    variable is used when the keyring has none. The theme applies at once and is saved. Enter on a
    profile opens the app again in it; a name typed under the profiles creates one."""
    ACTION_HELP: ClassVar[dict[str, str]] = {
        "save_key": "Save the typed key for the selected provider",
        "remove_key": "Remove the saved key of the selected provider",
        "close": "Go back to the previous screen",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save_key", "Save key", id="settings.save_key"),
        Binding("ctrl+r", "remove_key", "Remove key", id="settings.remove_key"),
        Binding("escape", "close", "Back", id="settings.close"),
    ]

    statuses: dict[str, KeyStatus]

    def __init__(self) -> None:
        super().__init__()
        self.statuses = {}
        self._opened = True
        """Shown anew (not uncovered by a dialog): only then may a locked vault ask again."""

    def compose(self) -> ComposeResult:
        with Vertical(id="keys-panel") as keys_panel:
            keys_panel.border_title = "API keys"
            yield row_table("keys", KEY_COLUMNS, zebra=True)
            with Horizontal(id="key-entry"):
                yield Input(id="key-input", password=True, placeholder="Select a provider")
                yield Button("Save", id="save-key", variant="primary")
                yield Button("Remove", id="remove-key", variant="error")
            yield Static(id="key-message")
        with Horizontal(id="choices"):
            with Vertical(id="theme-panel") as theme_panel:
                theme_panel.border_title = "Theme"
                yield OptionList(id="themes")
            yield ProfilePicker(id="profile-panel")
        yield Footer()

    def on_screen_resume(self) -> None:
        self._fill_themes()  # the user's themes load after the first paint
        self.refresh_keys(allow_vault=self._opened)
        if self._opened:
            self._show_profiles()
        self._opened = False

    def on_screen_suspend(self) -> None:
        self._opened = self not in self.app.screen_stack  # left, rather than covered by a dialog

    async def _keys(self, *, allow_vault: bool) -> tuple[KeyStore, Config]:
        """The key store; with ``allow_vault`` a locked key vault may ask for its password."""
        app = orch_app(self)
        services = await app.wait_services()
        if allow_vault and app.vault_prompt is not None:
            app.vault_prompt.allow()
        return services.keys, services.config

    @property
    def selected_provider(self) -> str | None:
        table = self.query_one("#keys", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @work(group="keys", exclusive=True)
    async def refresh_keys(self, allow_vault: bool = True) -> None:
        try:
            keys, config = await self._keys(allow_vault=allow_vault)
        except RuntimeError as exc:  # the history could not be opened: said, not a crash
            self._say(str(exc), "error")
            return
        providers = list(config.catalog.providers.values())
        keys.locked = None  # set again by this lookup if the vault stays locked
        statuses = await asyncio.to_thread(
            lambda: [keys.status(provider, ask=allow_vault) for provider in providers]
        )
        if keys.locked:
            self._say(f"Keys in the vault are not shown: {keys.locked}.", "warning")
        self.statuses = {s.provider: s for s in statuses}
        table = self.query_one("#keys", DataTable)
        selected = self.selected_provider
        table.clear()
        for status in statuses:
            table.add_row(
                status.provider,
                Content.styled(status.state, _STATUS_STYLES[status.state]),
                Content(_source_text(status)),
                Content(status.masked),
                key=status.provider,
            )
        if selected in self.statuses:
            table.move_cursor(row=table.get_row_index(selected))
        self._describe_selection()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Remove is offered only where there is a key (one from the environment gets told how)."""
        if action == "remove_key":
            status = self.statuses.get(self.selected_provider or "")
            return True if status is not None and status.state in ("set", "locked") else None
        return True

    @on(DataTable.RowHighlighted, "#keys")
    def _describe_selection(self) -> None:
        self.refresh_bindings()
        self.query_one("#remove-key", Button).disabled = not self.check_action("remove_key", ())
        provider = self.selected_provider
        field = self.query_one("#key-input", Input)
        status = self.statuses.get(provider or "")
        if status is None:
            return
        if status.state == "not needed":
            field.placeholder = f"{status.provider} needs no key"
        else:
            verb = "Replace the" if status.state == "set" else "Paste the"
            field.placeholder = f"{verb} API key for {status.provider}, then Enter"

    @on(Input.Submitted, "#key-input")
    @on(Button.Pressed, "#save-key")
    def action_save_key(self) -> None:
        """Save the typed key for the selected provider in the keyring."""
        field = self.query_one("#key-input", Input)
        provider, key = self.selected_provider, field.value
        field.clear()
        if provider is None:
            return
        if not key.strip():
            self._say(f"Type or paste a key for {provider} first.", "warning")
            return
        self._change_key(provider, key)

    @on(Button.Pressed, "#remove-key")
    def action_remove_key(self) -> None:
        """Remove the saved key of the selected provider from the keyring."""
        provider = self.selected_provider
        if provider is not None:
            self._change_key(provider, None)

    def action_close(self) -> None:
        """Go back to the previous screen."""
        self.dismiss()

    @work(group="keys-write", exclusive=False)
    async def _change_key(self, provider: str, key: str | None) -> None:
        """Through ``Services.change_key``: the next request of the provider uses the new key."""
        await self._keys(allow_vault=True)
        services = orch_app(self).services
        try:
            outcome = await services.change_key(provider, key)
            if key is not None:
                self._say(f"Saved the key for {provider} in the {outcome}.", "ok")
            elif outcome:
                self._say(f"Removed the saved key for {provider}.", "ok")
            else:
                self._say(self._nothing_to_remove(provider), "warning")
        except KeyStoreError as exc:
            self._say(f"{provider}: {exc}", "error")
        else:
            orch_app(self).keys_changed.publish(provider)
        self.refresh_keys(allow_vault=False)

    def _nothing_to_remove(self, provider: str) -> str:
        status = self.statuses.get(provider)
        if status is not None and status.source and status.source.startswith("env:"):
            name = status.source.removeprefix("env:")
            return f"{provider}'s key comes from ${name}; unset it in your shell to remove it."
        return f"No saved key for {provider}."

    def _say(self, message: str, level: str) -> None:
        line = self.query_one("#key-message", Static)
        line.update(Content(message))
        line.set_classes(f"-{level}")

    @work(group="profiles", exclusive=True)
    async def _show_profiles(self) -> None:
        paths = await orch_app(self).wait_paths()
        if paths is not None:
            self.query_one(ProfilePicker).show(paths)

    @on(ProfilePicker.Chosen)
    def _switch_profile(self, event: ProfilePicker.Chosen) -> None:
        orch_app(self).switch_profile(event.profile)

    def _fill_themes(self) -> None:
        themes = self.query_one("#themes", OptionList)
        themes.clear_options()
        names = sorted(self.app.available_themes, key=lambda n: (not n.startswith("orch-"), n))
        themes.add_options(Option(name, id=name) for name in names)
        themes.highlighted = names.index(self.app.theme) if self.app.theme in names else 0

    @on(OptionList.OptionSelected, "#themes")
    def _choose_theme(self, event: OptionList.OptionSelected) -> None:
        self.app.theme = str(event.option.id)


_STATUS_STYLES = {
    "set": "$text-success",
    "missing": "$text-warning",
    "locked": "$text-warning",
    "not needed": "$foreground-muted",
}
