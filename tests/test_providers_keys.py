"""API keys: the key store's order, the encrypted vault, the ``keys`` commands, a real Secret Service."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends import fail
from keyring.errors import PasswordDeleteError

from orchestrator_tui.cli import cli
from orchestrator_tui.store.keyring_memory import MemoryKeyring
from orchestrator_tui.store.keys import KeyStore, KeyStoreError, keystore_for
from orchestrator_tui.store.vault import VaultKeyring, WrongPassword

FAKE_KEY = "sk-vault-test-0123456789abcdef"


class Passwords:
    """A master password source that counts how often it was asked."""

    def __init__(self, password: str = "correct horse") -> None:
        self.password = password
        self.asked = 0

    def __call__(self, creating: bool) -> str:
        self.asked += 1
        return self.password


def found(store: KeyStore, provider: str) -> tuple[str | None, str | None]:
    """The key and where the store found it, as the engine and the Keys screen see them."""
    return store.get(provider), store.status(store.catalog.providers[provider]).source


def vault(path: Path, passwords: Passwords, **options: object) -> VaultKeyring:
    return VaultKeyring(path, password=passwords, scrypt_n=2**12, **options)  # type: ignore[arg-type]


def test_the_keyring_comes_before_the_environment(config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = KeyStore(config.catalog, MemoryKeyring())
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-000000")
    assert found(store, "openai") == ("sk-from-env-000000", "env:OPENAI_API_KEY")
    store.set("openai", FAKE_KEY)
    assert found(store, "openai") == (FAKE_KEY, "keyring")
    assert store.delete("openai") is True
    assert store.delete("openai") is False
    assert store.get("openai") == "sk-from-env-000000"


def test_the_vault_keeps_keys_and_refuses_a_wrong_password(tmp_path: Path) -> None:
    path = tmp_path / "keys.vault"
    vault(path, Passwords()).set_password("orch-tui", "openai", FAKE_KEY)
    assert vault(path, Passwords()).get_password("orch-tui", "openai") == FAKE_KEY
    with pytest.raises(WrongPassword):
        vault(path, Passwords("wrong")).get_password("orch-tui", "openai")
    with pytest.raises(WrongPassword):
        vault(path, Passwords("wrong")).set_password("orch-tui", "gemini", "x")
    assert vault(path, Passwords()).get_password("orch-tui", "gemini") is None


def test_the_vault_file_is_private_and_holds_no_key_in_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "keys.vault"
    store = vault(path, Passwords())
    store.set_password("orch-tui", "anthropic", FAKE_KEY)
    store.set_password("orch-tui", "mistral", FAKE_KEY[::-1])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    for secret in (FAKE_KEY, FAKE_KEY[::-1], "correct horse"):
        assert secret.encode() not in raw
    assert not list(tmp_path.glob("*.tmp"))


def test_a_provider_the_vault_has_no_key_for_needs_no_password(tmp_path: Path) -> None:
    path = tmp_path / "keys.vault"
    vault(path, Passwords()).set_password("orch-tui", "mistral", FAKE_KEY)
    asked = Passwords()
    store = vault(path, asked)
    assert store.get_password("orch-tui", "anthropic") is None
    with pytest.raises(PasswordDeleteError):
        store.delete_password("orch-tui", "anthropic")
    assert asked.asked == 0
    assert store.get_password("orch-tui", "mistral") == FAKE_KEY
    assert asked.asked == 1


def test_the_names_in_the_clear_are_authenticated_with_the_keys(tmp_path: Path) -> None:
    path = tmp_path / "keys.vault"
    vault(path, Passwords()).set_password("orch-tui", "mistral", FAKE_KEY)
    path.write_text(path.read_text().replace('["mistral"]', '["mistral", "openai"]'))
    with pytest.raises(WrongPassword):
        vault(path, Passwords()).get_password("orch-tui", "mistral")


def test_a_tampered_vault_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.vault"
    vault(path, Passwords()).set_password("orch-tui", "openai", FAKE_KEY)
    path.write_text(path.read_text().replace('"n": 4096', '"n": 2048'))
    with pytest.raises(WrongPassword):
        vault(path, Passwords()).get_password("orch-tui", "openai")


def test_the_vault_asks_once_then_again_after_its_time_out(tmp_path: Path) -> None:
    now = [0.0]
    passwords = Passwords()
    store = vault(tmp_path / "keys.vault", passwords, unlock_seconds=60, clock=lambda: now[0])
    store.set_password("orch-tui", "openai", FAKE_KEY)
    for _ in range(5):
        assert store.get_password("orch-tui", "openai") == FAKE_KEY
    assert passwords.asked == 1
    now[0] += 61
    assert store.get_password("orch-tui", "openai") == FAKE_KEY
    assert passwords.asked == 2


def test_a_front_end_can_unlock_the_vault_before_any_run(tmp_path: Path) -> None:
    path = tmp_path / "keys.vault"
    vault(path, Passwords()).set_password("orch-tui", "openai", FAKE_KEY)
    never = Passwords("never asked")
    store = vault(path, never)
    with pytest.raises(WrongPassword):
        store.unlock("wrong")
    store.unlock("correct horse")
    assert store.get_password("orch-tui", "openai") == FAKE_KEY
    assert never.asked == 0


def test_the_vault_is_used_where_no_os_keyring_exists(config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("ORCH_TUI_VAULT_PASSWORD", "from the environment")
    store = keystore_for(config)
    assert isinstance(store.backend, VaultKeyring)
    assert store.set("openai", FAKE_KEY) == "vault"
    assert config.paths.vault_file.exists()
    assert found(store, "openai") == (FAKE_KEY, "vault")


def test_a_vault_that_keyring_detected_itself_gives_way_to_the_apps(config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Once the vault module is imported, keyring's detection on a machine with no OS keyring
    picks a VaultKeyring of its own, asking on the terminal: the app's F2 then said the vault
    was locked instead of showing its password dialog."""
    monkeypatch.delenv("ORCH_TUI_VAULT_PASSWORD", raising=False)
    keyring.set_keyring(VaultKeyring())  # what keyring.get_keyring() detects there
    asked: list[bool] = []
    store = keystore_for(config, password=lambda creating: asked.append(creating) or "pw1")
    saved: list[str] = []
    worker = threading.Thread(target=lambda: saved.append(store.set("openai", FAKE_KEY)))
    worker.start()  # the app saves keys off its event loop, as here
    worker.join()
    assert saved == ["vault"] and asked == [True]
    assert store.backend.path == config.paths.vault_file


def test_the_vault_can_be_chosen_by_name_like_any_keyring(paths, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "orchestrator_tui.store.vault.VaultKeyring")
    chosen = keyring.core.load_env()
    assert isinstance(chosen, VaultKeyring)
    assert chosen.path == paths.vault_file


def test_an_environment_variable_wins_over_the_vault_without_asking(config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    passwords = Passwords()
    backend = vault(config.paths.vault_file, passwords)
    backend.set_password("orch-tui", "openai", FAKE_KEY)
    asked = passwords.asked
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-000000")
    assert found(KeyStore(config.catalog, backend), "openai") == (
        "sk-from-env-000000",
        "env:OPENAI_API_KEY",
    )
    assert passwords.asked == asked


def test_a_locked_vault_gives_a_message_instead_of_a_traceback(config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("ORCH_TUI_VAULT_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115 - not a terminal
    with pytest.raises(KeyStoreError, match="ORCH_TUI_VAULT_PASSWORD"):
        keystore_for(config).set("openai", FAKE_KEY)


def test_keys_list_says_when_the_vault_is_locked(config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    vault(config.paths.vault_file, Passwords()).set_password("orch-tui", "openai", FAKE_KEY)
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("ORCH_TUI_VAULT_PASSWORD", raising=False)
    listed = CliRunner().invoke(cli, ["keys", "list"])  # no terminal: the vault cannot ask
    assert listed.exit_code == 0
    assert "the key vault is locked: set ORCH_TUI_VAULT_PASSWORD" in listed.output


def test_keys_set_list_and_delete_never_show_the_key(memory_keyring) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    saved = runner.invoke(cli, ["keys", "set", "openai"], input=FAKE_KEY + "\n")
    assert saved.exit_code == 0, saved.output
    assert "saved the key for openai" in saved.output
    assert memory_keyring.get_password("orch-tui", "openai") == FAKE_KEY

    listed = runner.invoke(cli, ["keys", "list"])
    assert listed.exit_code == 0
    line = next(ln for ln in listed.output.splitlines() if "openai" in ln)
    assert "keyring" in line and "sk-…cdef" in line
    assert "orch-tui keys set anthropic" in listed.output

    deleted = runner.invoke(cli, ["keys", "delete", "openai"])
    assert deleted.exit_code == 0 and "deleted" in deleted.output
    again = runner.invoke(cli, ["keys", "delete", "openai"])
    assert again.exit_code == 1
    for result in (saved, listed, deleted, again):
        assert FAKE_KEY not in result.output


def test_keys_set_refuses_an_unknown_provider_or_an_empty_key() -> None:
    runner = CliRunner()
    unknown = runner.invoke(cli, ["keys", "set", "nope"], input="x\n")
    assert unknown.exit_code == 2 and "unknown provider 'nope'" in unknown.output
    empty = runner.invoke(cli, ["keys", "set", "openai"], input="\n")
    assert empty.exit_code == 2 and "the key is empty" in empty.output


SECRET_SERVICE_SCRIPT = textwrap.dedent(
    """
    import keyring
    from keyring.backends import SecretService
    from orchestrator_tui.config import load_config
    from orchestrator_tui.store.keys import keystore_for

    backend = SecretService.Keyring()
    keyring.set_keyring(backend)
    store = keystore_for(load_config())
    store.set("mistral", "sk-secret-service-0123456789")
    status = store.status(store.catalog.providers["mistral"])
    assert store.get("mistral") == "sk-secret-service-0123456789"
    assert status.source == store.backend_label, status
    assert type(store.backend).__name__ == "Keyring" and "SecretService" in type(store.backend).__module__
    assert store.delete("mistral") is True
    assert store.get("mistral") is None
    print("SECRET SERVICE OK")
    """
)


def test_keys_live_in_a_real_secret_service(tmp_path: Path) -> None:
    missing = [
        tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(tool)
    ]
    if missing:
        pytest.skip(
            f"no Secret Service here: {', '.join(missing)} not installed (see .ci/apt-packages)"
        )
    script = tmp_path / "check.py"
    script.write_text(SECRET_SERVICE_SCRIPT)
    inner = (
        "export $(echo -n pw | gnome-keyring-daemon --unlock --components=secrets) >/dev/null; "
        f"{sys.executable} {script}"
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "share")}
    done = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", inner],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert "SECRET SERVICE OK" in done.stdout, done.stdout + done.stderr


async def test_a_front_end_gives_the_vault_password_instead_of_a_terminal_prompt(paths) -> None:  # type: ignore[no-untyped-def]
    from orchestrator_tui.services import open_services

    keyring.set_keyring(fail.Keyring())
    passwords = Passwords()
    services = await open_services(paths, vault_password=passwords)
    try:
        services.keys.set("openai", FAKE_KEY)
        assert found(services.keys, "openai") == (FAKE_KEY, "vault")
    finally:
        await services.aclose()
    assert passwords.asked == 1
