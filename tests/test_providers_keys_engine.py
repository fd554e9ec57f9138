"""The engine's key lookup with the real vault backend: off the event loop, and a locked vault
reported as locked (naming the provider and how to unlock), never as a missing key."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends import fail
from keyring.errors import KeyringLocked

from orchestrator_tui.cli import cli
from orchestrator_tui.config import Paths, load_config
from orchestrator_tui.core.ports import KeysLocked
from orchestrator_tui.services import Services, open_services
from orchestrator_tui.store.keys import keystore_for
from orchestrator_tui.store.vault import PASSWORD_ENV, VaultKeyring
from tests.wire.engine import models_yaml
from tests.wire.guard import loopback_only  # noqa: F401 - a fixture
from tests.wire.server import WireServer

pytestmark = pytest.mark.usefixtures("loopback_only")
KEY = "sk-vault-engine-0123456789abcdef"
PASSWORD = "correct horse"
F2 = "the key vault is locked: unlock it in Keys & settings (F2)"


class Prompt:
    """A master password source like the TUI's: it can only ask from a thread (a dialog), never
    on the event loop itself; ``declined`` leaves the vault locked."""

    def __init__(self, declined: bool = False) -> None:
        self.declined = declined
        self.asked_on_loop = 0
        self.asked_off_loop = 0

    def __call__(self, creating: bool) -> str:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self.asked_off_loop += 1
            if self.declined:
                raise KeyringLocked(F2) from None
            return PASSWORD
        self.asked_on_loop += 1
        raise KeyringLocked(F2)


@pytest.fixture
def vault_with_key(paths: Paths, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No OS keyring, so the vault file in the temporary home is the key store; it holds the key."""
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    path = paths.vault_file
    VaultKeyring(path, password=lambda creating: PASSWORD, scrypt_n=2**12).set_password(
        "orch-tui", "openai", KEY
    )
    return path


@contextlib.asynccontextmanager
async def opened(paths: Paths, prompt: Prompt) -> AsyncIterator[Services]:
    """The app's services, with ``prompt`` as the vault's password source (as the TUI wires it)."""
    services = await open_services(paths, vault_password=prompt)
    try:
        yield services
    finally:
        await services.aclose()


@pytest.fixture
async def wire(write_models) -> AsyncIterator[WireServer]:  # type: ignore[no-untyped-def]
    server = await WireServer().start()
    write_models(models_yaml(server.url))
    try:
        yield server
    finally:
        await server.stop()


async def test_the_engine_reads_a_vault_key_off_the_event_loop(
    vault_with_key: Path, wire: WireServer, paths: Paths
) -> None:
    prompt = Prompt()
    async with opened(paths, prompt) as services:
        run = services.orchestrator.fan_out("hi", ["openai:gpt-4.1-mini", "openai:gpt-4.1"])
        ended = await run.wait()
    assert [e.status for e in ended] == ["ok", "ok"], [e.error for e in ended]
    assert (prompt.asked_on_loop, prompt.asked_off_loop) == (0, 1)
    assert all(KEY in json.dumps(seen.headers) for seen in wire.requests)


async def test_a_locked_vault_fails_the_answer_as_locked_naming_provider_and_how_to_unlock(
    vault_with_key: Path, wire: WireServer, paths: Paths
) -> None:
    prompt = Prompt(declined=True)
    async with opened(paths, prompt) as services:
        (ended,) = await services.orchestrator.fan_out("hi", ["openai:gpt-4.1-mini"]).wait()
        await services.recorder.flush()
        stored = await services.db.fetchone("SELECT error_kind, error FROM requests")
    assert ended.status == "failed"
    assert ended.error_kind == "key_locked"  # type: ignore[attr-defined]
    assert ended.error == f"openai: cannot read the API key — {F2}"
    assert "no API key" not in (ended.error or "")
    assert (stored["error_kind"], stored["error"]) == ("key_locked", ended.error)
    assert prompt.asked_on_loop == 0 and not wire.requests


async def test_after_unlocking_the_next_answer_gets_the_key(
    vault_with_key: Path, wire: WireServer, paths: Paths
) -> None:
    prompt = Prompt(declined=True)
    async with opened(paths, prompt) as services:
        (first,) = await services.orchestrator.fan_out("hi", ["openai:gpt-4.1-mini"]).wait()
        services.keys.backend.unlock(PASSWORD)  # what the Keys screen does with the password
        (second,) = await services.orchestrator.fan_out("hi", ["openai:gpt-4.1-mini"]).wait()
    assert (first.status, second.status) == ("failed", "ok")


def test_ask_from_a_script_says_the_vault_is_locked_and_how_to_give_the_password(
    vault_with_key: Path, wire: WireServer
) -> None:
    result = CliRunner().invoke(cli, ["ask", "-m", "openai:gpt-4.1-mini", "--json", "hi"])
    assert result.exit_code == 1
    (answer,) = json.loads(result.stdout)["responses"]
    assert answer["error"] == (
        "openai: cannot read the API key — the key vault is locked: set ORCH_TUI_VAULT_PASSWORD"
        " or run on a terminal to be asked"
    )


def test_the_key_store_tells_locked_from_missing(vault_with_key: Path) -> None:
    store = keystore_for(load_config(), password=Prompt(declined=True))
    with pytest.raises(KeysLocked, match="F2"):
        store.get("openai")
    assert store.lookup("openai") is None and store.locked == F2
    open_store = keystore_for(load_config(), password=Prompt())
    assert open_store.get("openai") == KEY
    assert open_store.get("mistral") is None  # not in the vault: missing, not locked


async def test_the_terminal_prompt_never_waits_in_a_worker_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C cannot stop a prompt in a worker thread; only the main thread (before a run) asks."""
    import getpass
    import sys

    from orchestrator_tui.store.vault import ask_password

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": PASSWORD)
    assert ask_password(False) == PASSWORD  # the main thread asks
    with pytest.raises(KeyringLocked, match="asked before a run starts, or set ORCH_TUI_VAULT"):
        await asyncio.to_thread(ask_password, False)
