"""The encrypted vault file: a keyring backend for machines with no OS keyring (SSH, containers, WSL).

All keys live in one file, encrypted together with AES-256-GCM under a key derived from a master
password with scrypt; in the clear are only the format header (salt, cost, nonce) and the names of
the providers that have a key (authenticated with the keys), so a lookup for a provider the vault
has no key for answers "none" without asking for the password. The derived key is kept in memory
for ``unlock_seconds`` after the password was given (once per process), then forgotten. The file
is written atomically with mode 0600.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

PASSWORD_ENV = "ORCH_TUI_VAULT_PASSWORD"
FORMAT = "orch-tui-vault/1"
SCRYPT_N = 2**15
UNLOCK_SECONDS = 15 * 60

PasswordSource = Callable[[bool], str]
"""Asked for the master password; the argument is ``True`` when creating a new vault."""


class WrongPassword(KeyringLocked):
    """The master password does not open this vault."""


def ask_password(creating: bool) -> str:
    """The master password from ``ORCH_TUI_VAULT_PASSWORD``, else a hidden prompt on a terminal.

    Only the main thread prompts (a front end asks before its run starts, see
    ``Services.prepare_keys``): Ctrl-C cannot stop a prompt waiting in a worker thread, and the
    process would wait for that thread before it could exit.
    """
    from orchestrator_tui.store.keys import quiet, wanted_provider

    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if quiet():
        raise KeyringLocked(f"the key vault is locked: set {PASSWORD_ENV} to read it here")
    if not sys.stdin.isatty():
        raise KeyringLocked(
            f"the key vault is locked: set {PASSWORD_ENV} or run on a terminal to be asked"
        )
    if threading.current_thread() is not threading.main_thread():
        raise KeyringLocked(
            "the key vault is locked: its password is asked before a run starts, "
            f"or set {PASSWORD_ENV}"
        )
    import getpass

    provider = wanted_provider()
    why = f" (it holds the key for {provider})" if provider and not creating else ""
    password = getpass.getpass(f"Master password for the orch-tui key vault{why}: ")
    if creating and getpass.getpass("Repeat it: ") != password:
        raise KeyringLocked("the two passwords differ; the vault was not created")
    if not password:
        raise KeyringLocked("an empty master password is not allowed")
    return password


class VaultKeyring(KeyringBackend):
    priority = 0.5  # below every OS keyring; chosen explicitly
    source_label = "vault"
    after_environment = True
    """Looked up after the environment variables, so a set variable never needs the password."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        password: PasswordSource = ask_password,
        unlock_seconds: float = UNLOCK_SECONDS,
        scrypt_n: int = SCRYPT_N,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``path`` defaults to the app's vault file, so ``PYTHON_KEYRING_BACKEND`` can name this
        class to use the vault even where an OS keyring exists."""
        super().__init__()
        if path is None:
            from orchestrator_tui.config import Paths

            path = Paths.default().vault_file
        self.path = path
        self._password = password
        self._unlock_seconds = unlock_seconds
        self._scrypt_n = scrypt_n
        self._clock = clock
        self._key: bytes | None = None
        self._unlocked_at = 0.0
        self._unlocking = threading.Lock()

    # keyring's interface -------------------------------------------------------------------

    def get_password(self, service: str, username: str) -> str | None:
        if not self.path.exists() or self.holds(service, username) is False:
            return None
        return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        items = self._read() if self.path.exists() else {}
        items.setdefault(service, {})[username] = password
        self._write(items)

    def delete_password(self, service: str, username: str) -> None:
        if not self.path.exists() or self.holds(service, username) is False:
            raise PasswordDeleteError(f"no key for {username} in the vault")
        items = self._read()
        if items.get(service, {}).pop(username, None) is None:
            raise PasswordDeleteError(f"no key for {username} in the vault")
        self._write(items)

    # the file -------------------------------------------------------------------------------

    def holds(self, service: str, username: str) -> bool | None:
        """Whether the vault has a key for ``username``, read without the password; ``None``
        for a vault written before the names were kept in the clear (or unreadable)."""
        try:
            names = self._header().get("names")
        except (OSError, ValueError):
            return None
        if not isinstance(names, dict):
            return None
        return username in names.get(service, ())

    def lock(self) -> None:
        """Forget the derived key now."""
        self._key = None

    def unlock(self, password: str) -> None:
        """Open the vault with ``password`` now (a front end asks for it before any run).

        Raises ``WrongPassword``; a vault that does not exist yet is created on the first ``set``.
        """
        if not self.path.exists():
            return
        source, self._password = self._password, lambda creating: password
        try:
            self._key = None
            self._read()
        finally:
            self._password = source

    def _header(self) -> dict[str, Any]:
        header: dict[str, Any] = json.loads(self.path.read_text("utf-8"))
        return header

    def _derive(self, password: str, salt: bytes, n: int) -> bytes:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        return Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(password.encode())

    def _unlocked(self, salt: bytes, n: int, creating: bool) -> bytes:
        """The derived key; lookups from several threads at once ask for the password once."""
        with self._unlocking:
            if self._key is not None and self._clock() - self._unlocked_at < self._unlock_seconds:
                return self._key
            self._key = self._derive(self._password(creating), salt, n)
            self._unlocked_at = self._clock()
            return self._key

    def _read(self) -> dict[str, dict[str, str]]:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            header = self._header()
            salt, nonce, sealed = (_unb64(header[k]) for k in ("salt", "nonce", "data"))
            n = int(header["n"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KeyringLocked(f"the key vault {self.path} cannot be read ({exc})") from None
        key = self._unlocked(salt, n, creating=False)
        try:
            plain = AESGCM(key).decrypt(nonce, sealed, _aad(header))
        except InvalidTag:
            self._key = None
            raise WrongPassword("wrong master password for the key vault") from None
        keys: dict[str, dict[str, str]] = json.loads(plain)
        return keys

    def _write(self, items: dict[str, dict[str, str]]) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if self.path.exists():
            header = self._header()
            salt, n = _unb64(header["salt"]), int(header["n"])
            key = self._unlocked(salt, n, creating=False)
        else:
            salt, n = os.urandom(16), self._scrypt_n
            self._key = None
            key = self._unlocked(salt, n, creating=True)
        nonce = os.urandom(12)
        names = {service: sorted(keys) for service, keys in items.items() if keys}
        header = {
            "format": FORMAT,
            "kdf": "scrypt",
            "n": n,
            "r": 8,
            "p": 1,
            "salt": _b64(salt),
            "names": names,
        }
        sealed = AESGCM(key).encrypt(nonce, json.dumps(items).encode(), _aad(header))
        _write_private(
            self.path, json.dumps({**header, "nonce": _b64(nonce), "data": _b64(sealed)})
        )


def _aad(header: dict[str, Any]) -> bytes:
    """The clear header is authenticated too: changing the cost, salt or names breaks decryption
    (a vault written before the names were kept has none)."""
    fields = {
        k: header[k] for k in ("format", "kdf", "n", "r", "p", "salt", "names") if k in header
    }
    return json.dumps(fields, sort_keys=True).encode()


def _write_private(path: Path, text: str) -> None:
    """Write atomically, readable by the owner only from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
