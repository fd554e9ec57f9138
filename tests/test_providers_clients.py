"""How the providers' clients are built: no SDK at start-up, and the engine owns the timeouts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SDKS = ("anthropic", "google.genai", "mistralai")


@pytest.mark.parametrize("args", [["keys", "list"], ["doctor", "--help"], ["ask", "--help"]])
def test_keys_and_doctor_start_without_loading_any_sdk(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from orchestrator_tui.cli import main\n"
        f"sys.argv = ['orch-tui', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('SDKS:', [m for m in {SDKS!r} if m in sys.modules], file=sys.stderr)\n"
    )
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }  # not the real one
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert "SDKS: []" in done.stderr, done.stderr


def test_the_sdk_clients_keep_only_the_connect_timeout_the_engine_times_the_rest() -> None:
    from orchestrator_tui.core.catalog import ProviderConfig
    from orchestrator_tui.providers.common import sdk_http_client

    client = sdk_http_client(ProviderConfig("p", "mistral", settings={"connect_timeout": 2.5}))
    request = client.build_request("POST", "http://127.0.0.1/v1/x", timeout=300)
    assert request.extensions["timeout"] == {
        "connect": 2.5,
        "read": None,
        "write": None,
        "pool": None,
    }
