"""``orch-tui doctor``: keys, endpoints, models and live calls, against the loopback wire server."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from orchestrator_tui.cli import cli
from tests.wire.engine import KEYS, MODELS, models_yaml
from tests.wire.guard import loopback_only  # noqa: F401 - a fixture
from tests.wire.server import threaded_server

pytestmark = pytest.mark.usefixtures("loopback_only")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_doctor_reports_keys_endpoints_models_and_live_calls(write_models, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for env in KEYS.values():
        monkeypatch.setenv(env, "sk-doctor-0000000000")
    closed = f"http://127.0.0.1:{free_port()}/v1"
    with threaded_server() as server:
        write_models(
            models_yaml(server.url)
            + f"  deepseek: {{base_url: '{server.url}/v1'}}\n"
            + f"  openrouter: {{base_url: '{closed}', needs_key: false}}\n"
            + f"  ollama: {{base_url: '{server.url}/v1'}}\n"
        )
        result = CliRunner().invoke(cli, ["doctor", "--live", "--json", "--timeout", "60"])
        text = CliRunner().invoke(cli, ["doctor"]).output
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    providers = {p["provider"]: p for p in report["providers"]}
    assert providers["anthropic"]["key"] == "env:ANTHROPIC_API_KEY"
    assert providers["anthropic"]["reachable"] is True
    assert providers["anthropic"]["models"] == ["claude-wire"]
    assert providers["gemini"]["models"] == ["gemini-wire"]
    assert providers["deepseek"]["key"] == "missing"
    assert providers["deepseek"]["reachable"] is True  # it answers, even without a key
    assert providers["openrouter"]["reachable"] is False
    assert providers["ollama"]["key"] == "not needed"
    assert providers["ollama"]["models"] == ["wire-model"]
    models = {m["model"]: m for m in report["models"]}
    for name in MODELS.values():
        assert models[name]["live"] == "ok", models[name]
    assert models["deepseek:deepseek-chat"]["live"] == "no key"
    assert models["anthropic:claude-sonnet-4-5"]["context_window"] == 200_000
    assert models["anthropic:claude-sonnet-4-5"]["vision"] is True
    assert "Ollama is running" in text and "wire-model" in text


def test_doctor_writes_nothing_to_the_history(write_models, orch_home) -> None:  # type: ignore[no-untyped-def]
    write_models(
        "providers:\n"
        + "".join(
            f"  {name}: {{base_url: 'http://127.0.0.1:9/v1'}}\n"
            for name in (
                "anthropic",
                "gemini",
                "mistral",
                "openai",
                "deepseek",
                "openrouter",
                "ollama",
            )
        )
    )
    result = CliRunner().invoke(cli, ["doctor", "--live", "--timeout", "2"])
    assert result.exit_code == 0, result.output
    assert "mock:echo" in result.output
    assert not (orch_home / "data" / "history.sqlite3").exists()
