"""The key vault's master password, asked in a dialog: the terminal belongs to the app, so the
vault's usual hidden prompt on stdin cannot be used while it runs."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import Future
from typing import Any, ClassVar

from keyring.errors import KeyringLocked
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from orchestrator_tui.store.vault import PASSWORD_ENV

UNLOCK = f"open Keys & settings (F2) to unlock it, or start orch-tui with {PASSWORD_ENV} set"
"""How to unlock the vault later, said wherever the TUI reports it locked."""


class VaultPasswordScreen(ModalScreen[None]):
    """Asks the master password of the encrypted key vault (twice when creating the vault)."""

    CSS_PATH = "vault_password.tcss"
    ACTION_HELP: ClassVar[dict[str, str]] = {"cancel": "Leave the key vault locked"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="vault.cancel"),
    ]

    def __init__(self, creating: bool, answer: Future[str | None]) -> None:
        super().__init__()
        self.creating = creating
        self.answer = answer

    def compose(self) -> ComposeResult:
        with Vertical(id="vault-box") as box:
            box.border_title = "Key vault"
            yield Static(
                Content(
                    "This machine has no system keyring, so keys are kept in an encrypted file. "
                    + ("Choose a master password for it." if self.creating else "Its password:")
                )
            )
            yield Input(id="vault-password", password=True, placeholder="Master password")
            if self.creating:
                yield Input(id="vault-repeat", password=True, placeholder="Repeat it")
            yield Static(id="vault-error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        password = self.query_one("#vault-password", Input).value
        if self.creating and event.input.id == "vault-password":
            self.query_one("#vault-repeat", Input).focus()
            return
        problem = ""
        if not password:
            problem = "An empty master password is not allowed."
        elif self.creating and self.query_one("#vault-repeat", Input).value != password:
            problem = "The two passwords differ."
        if problem:
            self.query_one("#vault-error", Static).update(Content(problem))
            return
        self._answer(password)

    def action_cancel(self) -> None:
        """Leave the vault locked."""
        self._answer(None)

    def on_unmount(self) -> None:
        if (
            not self.answer.done()
        ):  # the app quit with the dialog open: never leave a thread waiting
            self.answer.set_result(None)

    def _answer(self, password: str | None) -> None:
        if not self.answer.done():
            self.answer.set_result(password)
        self.dismiss()


class VaultPrompt:
    """The vault's password source in the TUI (``open_services(vault_password=...)``).

    Called from a worker thread (key lookups run off the event loop), it shows the dialog and waits
    for it. It asks only after ``allow()`` (Keys & settings opening, or a key being saved), never
    for a background lookup such as the start-up SDK warm-up, and not again once declined. Called
    on the event loop itself it cannot wait, so it says where to unlock instead.
    """

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.asking = False

    def __call__(self, creating: bool) -> str:
        if os.environ.get(PASSWORD_ENV):
            return os.environ[PASSWORD_ENV]
        if not self.asking or _on_event_loop():
            raise KeyringLocked(f"the key vault is locked: {UNLOCK}")
        answer: Future[str | None] = Future()
        self.app.call_from_thread(self.app.push_screen, VaultPasswordScreen(creating, answer))
        password = answer.result()
        if not password:
            self.asking = False
            raise KeyringLocked(f"the key vault stays locked: {UNLOCK}")
        return password

    def allow(self) -> None:
        self.asking = True


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
