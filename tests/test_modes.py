"""Modes: shipped and user bundles of system prompt, parameters, models and chain."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.config import Paths
from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.modes import ModeLibrary


def run_cli(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_four_shipped_modes_load(paths: Paths) -> None:
    library = ModeLibrary(paths.chain_folders())
    assert {"research", "creative", "technical", "debug"} <= set(library.modes)
    research = library.get("research")
    assert research.chain == "research-brief" and research.system and research.temperature == 0.3
    with pytest.raises(ConfigError, match="no mode named 'nope'"):
        library.get("nope")


def test_a_broken_user_mode_names_file_line_and_field(paths: Paths) -> None:
    path = write(
        paths.config_dir / "modes" / "mine.yaml",
        "description: mine\nsystem: be brief\ntemperature: hot\nmodels: echo\ncolour: red\n",
    )
    write(paths.config_dir / "modes" / "fine.yaml", "system: fine\nmodels: [echo]\n")
    library = ModeLibrary(paths.chain_folders())
    assert "mine" not in library.modes and library.get("fine").models == ("echo",)
    (warning,) = library.warnings
    assert f"{path}:3: temperature: must be a number from 0 to 2, not 'hot'" in warning
    assert f"{path}:4: models: must be a list of model names" in warning
    assert f"{path}:5: colour: unknown field" in warning
    assert warning.startswith("the mode has 3 errors")
    listed = run_cli("modes")
    assert f"{path}:3: temperature" in listed.output and "fine" in listed.output


def test_ask_with_a_mode_uses_its_prompt_and_models_and_stores_the_mode(paths: Paths) -> None:
    write(
        paths.config_dir / "modes" / "terse.yaml",
        "system: Answer in one line.\ntemperature: 0.5\nmodels: [echo, lorem]\n",
    )
    result = run_cli("ask", "--mode", "terse", "--temperature", "0.9", "what is up", "--json")
    assert result.exit_code == 0, result.output
    assert [r["model"] for r in json.loads(result.output)["responses"]] == [
        "mock:echo",
        "mock:lorem",
    ]
    with sqlite3.connect(paths.database) as db:
        (session,) = db.execute("SELECT metadata FROM sessions").fetchall()
        (prompt,) = db.execute("SELECT metadata FROM interactions WHERE type = 'prompt'")
    stored = json.loads(session[0])
    assert stored["mode"] == "terse"
    assert stored["params"] == {
        "temperature": 0.9,
        "max_tokens": None,
        "system": "Answer in one line.",
    }
    assert json.loads(prompt[0])["mode"] == "terse"


def test_the_mode_may_come_from_the_environment_and_the_flag_wins(paths, monkeypatch) -> None:
    monkeypatch.setenv("ORCH_TUI_MODE", "debug")
    assert "* debug" in run_cli("modes").output
    run_cli("ask", "-m", "echo", "first")
    run_cli("ask", "-m", "echo", "--mode", "technical", "second")
    with sqlite3.connect(paths.database) as db:
        rows = db.execute("SELECT title, metadata FROM sessions ORDER BY created_at").fetchall()
    assert [(t, json.loads(m)["mode"]) for t, m in rows] == [
        ("first", "debug"),
        ("second", "technical"),
    ]
    assert "no mode named 'nope'" in CliRunner().invoke(cli, ["ask", "--mode", "nope", "x"]).output


def test_run_with_a_mode_runs_its_chain_and_stores_the_mode(paths: Paths) -> None:
    result = run_cli("run", "--mode", "research", "--mock", "-i", "question=why is the sky blue")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(paths.database) as db:
        chain, metadata = db.execute("SELECT chain_name, metadata FROM sessions").fetchone()
    assert chain == "research-brief" and json.loads(metadata)["mode"] == "research"
    result = CliRunner().invoke(cli, ["run", "--mode", "debug"])
    assert result.exit_code == 2 and "or a --mode with a chain" in result.output
