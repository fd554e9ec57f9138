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
    assert store.status(store.catalog.providers["openai"]).state == "locked"
    assert store.locked == F2
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


def test_ask_for_a_provider_the_vault_has_no_key_for_says_missing_and_how_to_add(
    vault_with_key: Path, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    result = CliRunner().invoke(cli, ["ask", "-m", "anthropic:claude-sonnet-4-5", "--json", "hi"])
    (answer,) = json.loads(result.stdout)["responses"]
    assert "locked" not in answer["error"]
    assert answer["error"].startswith("anthropic: no API key")
    assert "orch-tui keys set anthropic" in answer["error"]
    assert not wire.requests


async def test_a_key_changed_while_the_app_runs_is_used_by_the_next_request(
    memory_keyring: object, wire: WireServer, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = ["openai:gpt-4.1-mini"]
    async with opened(paths, Prompt()) as services:
        assert await services.change_key("openai", "sk-first-key-0000000001") == "keyring"
        (first,) = await services.orchestrator.fan_out("hi", model).wait()
        await services.change_key("openai", "sk-second-key-000000002")
        (second,) = await services.orchestrator.fan_out("hi", model).wait()
        assert await services.change_key("openai", None) is True
        (third,) = await services.orchestrator.fan_out("hi", model).wait()
        status = services.keys.status(services.config.catalog.providers["openai"])
    assert (first.status, second.status, third.status) == ("ok", "ok", "failed")
    assert third.error_kind == "missing_key"  # type: ignore[attr-defined]
    presented = [json.dumps(seen.headers) for seen in wire.requests]
    assert len(presented) == 2
    assert "sk-first-key" in presented[0] and "sk-second-key" in presented[1]
    assert status.state == "missing" and "orch-tui keys set openai" in status.how_to_add()


def test_one_key_status_for_every_caller(config, memory_keyring, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from orchestrator_tui.store.keys import KeyStore

    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("MISTRAL_API_KEY", "sk-from-the-environment-42")
    store = KeyStore(config.catalog)
    store.set("openai", "sk-saved-in-the-keyring-7")
    providers = config.catalog.providers
    by_name = {name: store.status(providers[name]) for name in ("openai", "mistral", "anthropic")}
    assert [(s.state, s.source, s.masked) for s in by_name.values()] == [
        ("set", "keyring", "sk-…ng-7"),
        ("set", "env:MISTRAL_API_KEY", "sk-…t-42"),
        ("missing", None, ""),
    ]
    assert not by_name["anthropic"].usable and by_name["openai"].usable
    assert store.status(providers["mock"]).state == "not needed"
