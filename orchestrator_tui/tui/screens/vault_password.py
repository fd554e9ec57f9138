"""The key vault's master password, asked in a dialog: the terminal belongs to the app, so the
vault's usual hidden prompt on stdin cannot be used while it runs."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, ClassVar

from keyring.errors import KeyringLocked
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from orchestrator_tui.store.keys import quiet, wanted_provider
from orchestrator_tui.store.vault import PASSWORD_ENV

UNLOCK = f"open Keys & settings (F2) to unlock it, or start orch-tui with {PASSWORD_ENV} set"
"""How to unlock the vault later, said wherever the TUI reports it locked."""


class PasswordEntry(Input):
    """A masked field that takes Enter in its own queue of keys: it empties itself there and
    says what it held, so what is typed right after Enter (the password repeated, in one burst)
    lands in it whole, never mixed with the first entry."""

    class Entered(Message):
        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            value, self.value = self.value, ""
            self.post_message(self.Entered(value))
            return
        await super()._on_key(event)


class VaultPasswordScreen(ModalScreen[None]):
    """Asks the master password of the encrypted key vault (twice when creating the vault)."""

    CSS_PATH = "vault_password.tcss"
    ACTION_HELP: ClassVar[dict[str, str]] = {"cancel": "Leave the key vault locked"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="vault.cancel"),
    ]

    def __init__(
        self, creating: bool, answer: Future[str | None], provider: str | None = None
    ) -> None:
        super().__init__()
        self.creating = creating
        self.answer = answer
        self.provider = provider
        """The provider whose key is wanted, to say why the password is asked."""
        self._first: str | None = None
        """When creating: the password entered once, waiting to be repeated."""

    def compose(self) -> ComposeResult:
        with Vertical(id="vault-box") as box:
            box.border_title = "Key vault"
            yield Static(Content(self.reason()), id="vault-reason")
            yield PasswordEntry(id="vault-password", password=True, placeholder="Master password")
            yield Static(id="vault-error")

    def reason(self) -> str:
        machine = "This machine has no system keyring, so keys are kept in an encrypted file."
        if self.creating:
            why = f" to save the key for {self.provider}" if self.provider else ""
            return f"{machine} Choose a master password for it{why}."
        why = f"The key for {self.provider} is in it. " if self.provider else ""
        return f"{machine} {why}Its password:"

    @on(PasswordEntry.Entered)
    def _entered(self, event: PasswordEntry.Entered) -> None:
        entry = self.query_one(PasswordEntry)
        if not event.value:
            self._say("An empty master password is not allowed.")
            return
        if self.creating and self._first is None:
            self._first = event.value
            entry.placeholder = "Repeat it"
            self._say("")
            return
        if self.creating and event.value != self._first:
            self._first = None
            entry.placeholder = "Master password"
            self._say("The two passwords differ: choose it again.")
            return
        self._answer(event.value)

    def _say(self, problem: str) -> None:
        self.query_one("#vault-error", Static).update(Content(problem))

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

    Called from a worker thread (key lookups run off the event loop) when a run needs a key, a key
    is saved or Keys & settings opens, it shows the dialog, naming the provider, and waits for it.
    The vault keeps the password's key for its unlock period, so this asks once per period. It
    never asks for a lookup made ``quietly()`` (a key status shown in passing, the start-up warm-up)
    nor on the event loop, which cannot wait; and after a refusal it does not ask again for the
    lookups that were waiting for that answer (until ``allow()``, or ``DECLINE_QUIET`` seconds).
    """

    DECLINE_QUIET = 2.0

    def __init__(self, app: App[Any], clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self._clock = clock
        self._declined_at: float | None = None

    def __call__(self, creating: bool) -> str:
        if os.environ.get(PASSWORD_ENV):
            return os.environ[PASSWORD_ENV]
        if quiet() or _on_event_loop():
            raise KeyringLocked(f"the key vault is locked: {UNLOCK}")
        declined = self._declined_at
        if declined is not None and self._clock() - declined < self.DECLINE_QUIET:
            raise KeyringLocked(f"the key vault stays locked: {UNLOCK}")
        answer: Future[str | None] = Future()
        screen = VaultPasswordScreen(creating, answer, wanted_provider())
        self.app.call_from_thread(self.app.push_screen, screen)
        password = answer.result()
        if not password:
            self._declined_at = self._clock()
            raise KeyringLocked(f"the key vault stays locked: {UNLOCK}")
        self._declined_at = None
        return password

    def allow(self) -> None:
        """The person asked for something that needs the vault: asking again is welcome."""
        self._declined_at = None


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
