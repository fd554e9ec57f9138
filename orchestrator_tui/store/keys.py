"""API keys: the OS keyring first, then the provider's usual environment variable.

``keyring`` is the one interface, so any backend works: Secret Service, macOS Keychain, Windows
Credential Locker, or the encrypted vault file where no OS keyring exists. A key is never written
to SQLite, logs or the screen; what a person sees is ``mask(key)`` and the source.

``KeyStore.status`` is the one answer to "has this provider a key, and from where" for every
screen and command. A lookup knows which provider it is for (``wanted_provider``), so a vault
that asks for its password can say why; a lookup made inside ``quietly()`` (a status shown in the
background) never asks.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from orchestrator_tui.config import Config
from orchestrator_tui.core.catalog import Catalog, ProviderConfig
from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.core.ports import KeysLocked

SERVICE = "orch-tui"
"""The keyring service of the default profile; another profile's keys live under ``orch-tui/NAME``."""
log = logging.getLogger(__name__)


class KeyStoreError(OrchError):
    """A key could not be saved or deleted; the message says where it tried."""


KeyState = Literal["set", "missing", "not needed", "locked"]


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """What a person may know of a provider's key: whether there is one, where from, masked."""

    provider: str
    state: KeyState
    """``set``; ``missing``; ``not needed`` (a local server); ``locked`` (maybe in the vault)."""
    source: str | None = None
    """Where the key was found (``keyring``, ``vault``, ``env:NAME``); ``None`` without one."""
    masked: str = ""
    needed: bool = True
    key_env: tuple[str, ...] = ()

    @property
    def has_key(self) -> bool:
        """A key was found, or may be in the locked vault."""
        return self.state in ("set", "locked")

    @property
    def usable(self) -> bool:
        """A request can go out: a key is there, none is needed, or the vault may give it."""
        return self.state != "missing"

    def how_to_add(self) -> str:
        env = " or ".join(self.key_env) or "no environment variable"
        return (
            f"{self.provider} needs an API key: add it on the Keys screen (F2), with "
            f"`orch-tui keys set {self.provider}`, or in {env}"
        )


_wanted: ContextVar[str | None] = ContextVar("orch_tui_key_wanted", default=None)
_quiet: ContextVar[bool] = ContextVar("orch_tui_key_quiet", default=False)
"""Context variables, so a thread started with ``asyncio.to_thread`` inherits them."""


def wanted_provider() -> str | None:
    """The provider whose key is being looked up, saved or deleted here."""
    return _wanted.get()


def quiet() -> bool:
    """Lookups here must not ask for a password (see ``quietly``)."""
    return _quiet.get()


@contextlib.contextmanager
def quietly() -> Iterator[None]:
    """Lookups in this block (and threads it starts) never ask for the vault's password: a status
    shown in passing, a warm-up before anything was asked for."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


@contextlib.contextmanager
def _for_provider(provider: str) -> Iterator[None]:
    token = _wanted.set(provider)
    try:
        yield
    finally:
        _wanted.reset(token)


class KeyStore:
    """Key lookup for the engine (``core.ports.KeyLookup``) and key management for the UI."""

    def __init__(
        self,
        catalog: Catalog,
        backend: Any | None = None,
        *,
        fallback: Callable[[], Any] | None = None,
        service: str = SERVICE,
    ) -> None:
        """``fallback`` makes the backend used when the system has no keyring (the vault);
        ``service`` is the keyring's name for this profile's keys."""
        self.catalog = catalog
        self.service = service
        self._backend = backend
        self._fallback = fallback
        self.locked: str | None = None
        """Why the keyring could not be read (a locked vault), to tell the person; else ``None``."""

    @property
    def backend(self) -> Any:
        """The keyring backend in use (chosen on first use: importing keyring probes the system)."""
        if self._backend is None:
            import keyring
            from keyring.backends import fail

            from orchestrator_tui.store.vault import VaultKeyring

            found = keyring.get_keyring()
            # keyring's own detection lists every backend class imported so far, so where there
            # is no OS keyring it may pick a VaultKeyring of its making: that one knows neither
            # this profile's vault file nor the front end's way of asking for the password (the
            # app's F2 said "asked before a run starts" and never showed its dialog).
            if isinstance(found, fail.Keyring | VaultKeyring) and self._fallback is not None:
                found = self._fallback()
            self._backend = found
        return self._backend

    @property
    def backend_label(self) -> str:
        return getattr(self.backend, "source_label", "keyring")

    def get(self, provider: str, env_names: tuple[str, ...] = ()) -> str | None:
        """The engine's lookup (``core.ports.KeyLookup``); raises ``KeysLocked`` when the key
        was found nowhere else and the keyring that may hold it is locked."""
        found = self._find(provider, env_names)
        return found[0] if found else None

    def status(self, config: ProviderConfig, *, ask: bool = False) -> KeyStatus:
        """The provider's key status; without ``ask`` a locked vault is reported, not opened."""
        with contextlib.nullcontext() if ask else quietly():
            try:
                found = self._find(config.name, config.key_env)
            except KeysLocked as exc:
                self.locked = str(exc)
                return KeyStatus(config.name, "locked", None, "", config.needs_key, config.key_env)
        if found is not None:
            key, source = found
            return KeyStatus(
                config.name, "set", source, mask(key), config.needs_key, config.key_env
            )
        state: KeyState = "missing" if config.needs_key else "not needed"
        return KeyStatus(config.name, state, None, "", config.needs_key, config.key_env)

    def _find(self, provider: str, env_names: tuple[str, ...]) -> tuple[str, str] | None:
        """An OS keyring comes before the environment; the vault after it (no password asked then)."""
        late = getattr(self.backend, "after_environment", False)
        locked: KeysLocked | None = None
        if not late:
            try:
                if key := self._from_keyring(provider):
                    return key, self.backend_label
            except KeysLocked as exc:
                locked = exc
        for name in env_names or self._env_names(provider):
            value = os.environ.get(name)
            if value:
                return value, f"env:{name}"
        if late and (key := self._from_keyring(provider)):
            return key, self.backend_label
        if locked is not None:
            raise locked
        return None

    def set(self, provider: str, key: str) -> str:
        """Save ``key`` for ``provider`` in the keyring; returns where it went."""
        import keyring.errors

        key = key.strip()
        if not key:
            raise KeyStoreError("the key is empty")
        try:
            with _for_provider(provider):
                self.backend.set_password(self.service, provider, key)
        except keyring.errors.KeyringLocked as exc:
            raise KeyStoreError(str(exc)) from None
        except keyring.errors.KeyringError as exc:
            raise KeyStoreError(
                f"no keyring to save the key in ({type(exc).__name__}); set the environment "
                f"variable instead, or use the encrypted vault"
            ) from None
        return self.backend_label

    def delete(self, provider: str) -> bool:
        """Remove the saved key; ``False`` when there was none in the keyring."""
        import keyring.errors

        try:
            with _for_provider(provider):
                self.backend.delete_password(self.service, provider)
        except keyring.errors.PasswordDeleteError:
            return False
        except keyring.errors.KeyringLocked as exc:
            raise KeyStoreError(str(exc)) from None
        except keyring.errors.KeyringError as exc:
            raise KeyStoreError(f"cannot reach the keyring ({type(exc).__name__})") from None
        return True

    def _from_keyring(self, provider: str) -> str | None:
        import keyring.errors

        try:
            with _for_provider(provider):
                key: str | None = self.backend.get_password(self.service, provider)
            return key
        except keyring.errors.KeyringLocked as exc:
            raise KeysLocked(str(exc)) from None
        except keyring.errors.KeyringError as exc:
            log.debug("keyring unavailable: %s", type(exc).__name__)
            return None

    def _env_names(self, provider: str) -> tuple[str, ...]:
        config = self.catalog.providers.get(provider)
        return config.key_env if config else ()


def keystore_for(config: Config, *, password: Callable[[bool], str] | None = None) -> KeyStore:
    """The key store of the app: the OS keyring, or the encrypted vault file where there is none.

    ``password`` gives the vault's master password (default: ask on the terminal).
    """

    def vault() -> Any:
        from orchestrator_tui.store.vault import VaultKeyring, ask_password

        return VaultKeyring(config.paths.vault_file, password=password or ask_password)

    return KeyStore(config.catalog, fallback=vault, service=service_name(config.paths.profile))


def service_name(profile: str | None) -> str:
    """Each profile's keys apart in the keyring, so "work" never sees "personal"'s."""
    return f"{SERVICE}/{profile}" if profile else SERVICE


def mask(key: str) -> str:
    """What a person may see of a key: enough to tell two apart, never enough to use."""
    if len(key) <= 12:
        return "•" * 8
    return f"{key[:3]}…{key[-4:]}"
