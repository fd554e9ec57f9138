"""A key set by the user appears nowhere it should not: no file, no log, no output, no export.
And no test traffic leaves 127.0.0.1."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from orchestrator_tui.cli import cli
from tests.wire.engine import MODELS, ask, models_yaml
from tests.wire.guard import loopback_only  # noqa: F401 - a fixture
from tests.wire.server import threaded_server

FAKE_KEY = "sk-LEAKCHECK-7f3a9c21d84e4b6a"
USED = ("openai", "anthropic")  # the httpx adapter and an SDK (which logs its requests at DEBUG)
pytestmark = pytest.mark.usefixtures("loopback_only")


def test_a_saved_key_is_found_in_no_file_log_output_or_export(
    orch_home: Path, write_models, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    outputs = []
    with threaded_server() as server:
        write_models(models_yaml(server.url))
        for provider in USED:
            saved = runner.invoke(cli, ["keys", "set", provider], input=FAKE_KEY + "\n")
            assert saved.exit_code == 0, saved.output
            outputs.append(saved)
        models = [arg for provider in USED for arg in ("-m", MODELS[provider])]
        server.script("401", "401")  # a session that fails (and whose server echoes the key back)
        failed = runner.invoke(cli, ["ask", *models, "first"])
        assert failed.exit_code == 1
        assert failed.output.count("API key was refused") == 2
        server.script("ok", "ok")  # and one that succeeds
        worked = runner.invoke(cli, ["ask", "--json", *models, "second"])
        assert worked.exit_code == 0, worked.output
        answers = json.loads(worked.output)["responses"]
        assert [a["text"] for a in answers] == ["Hello from the wire"] * 2
        outputs += [failed, worked]
        for args in (["keys", "list"], ["models"], ["doctor", "--json"]):
            outputs.append(runner.invoke(cli, args))
        presented = [r.headers.get("authorization", "") for r in server.requests]
    assert presented.count(f"Bearer {FAKE_KEY}") >= 4  # the key was really used, by both SDKs
    database = orch_home / "data" / "history.sqlite3"
    export = orch_home / "export.sql"
    with sqlite3.connect(database) as conn:
        export.write_text("\n".join(conn.iterdump()), encoding="utf-8")
        statuses = [
            r[0] for r in conn.execute("SELECT status FROM interactions WHERE type = 'response'")
        ]
    assert sorted(statuses) == ["failed", "failed", "ok", "ok"]

    for result in outputs:
        assert FAKE_KEY not in result.output
    assert FAKE_KEY not in caplog.text
    files = [p for p in orch_home.rglob("*") if p.is_file()]
    assert database in files and export in files
    for path in files:
        assert FAKE_KEY.encode() not in path.read_bytes(), f"the key leaked into {path}"


async def test_nothing_leaves_127_0_0_1(loopback_only, write_models, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The guard under every provider test refuses any address that is not loopback."""
    write_models(
        "providers:\n"
        "  openai: {base_url: 'http://203.0.113.9/v1', max_attempts: 1}\n"
        "  anthropic: {max_attempts: 1}\n"
    )
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    by_address = await ask(MODELS["openai"])
    by_name = await ask(MODELS["anthropic"])  # the SDK's own default, api.anthropic.com
    assert by_address.ended.status == by_name.ended.status == "failed"
    assert ("203.0.113.9", 80) in loopback_only
    assert "api.anthropic.com" in loopback_only
