"""`orch-tui ask`, `models` and `--version` as a user runs them, and bad input as one clear line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from orchestrator_tui import __version__
from orchestrator_tui.cli import cli


def run_cli(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_version() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_ask_compares_models_and_saves_the_session(paths) -> None:
    result = run_cli("ask", "-m", "echo", "-m", "lorem", "hello table")
    assert result.exit_code == 0, result.output
    for heading in ("model", "status", "first token", "latency", "cost"):
        assert heading in result.output
    assert "mock:echo" in result.output and "hello table" in result.output
    with sqlite3.connect(paths.database) as db:
        assert db.execute("SELECT title, status FROM sessions").fetchall() == [
            ("hello table", "completed")
        ]


def test_ask_reads_the_prompt_from_stdin_and_prints_json() -> None:
    result = run_cli("ask", "-m", "echo", "--json", input="from a pipe\n")
    assert result.exit_code == 0
    document = json.loads(result.output)
    [response] = document["responses"]
    assert response["text"] == "from a pipe\n" and response["status"] == "ok"
    assert response["output_tokens"] == 3 and response["cost"] == 0


def test_ask_exits_non_zero_when_every_model_failed(write_models) -> None:
    write_models("models:\n  mock:down: {api_name: flaky, options: {schedule: [mid]}}\n")
    result = run_cli("ask", "-m", "mock:down", "-m", "mock:down", "x")
    assert result.exit_code == 1
    assert "failed" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "-m", "nope:model", "x"], "unknown provider 'nope'"),
        (["ask", "-m", "mock:unknown", "x"], "unknown model 'mock:unknown'"),
        (["ask", "-m", "echo", "   "], "the prompt is empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args, input="")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"orch-tui: error: {result.output.split(': error: ')[1].strip()}"
    ]
    assert message in result.output and "Traceback" not in result.output


def test_unreadable_config_is_one_line_and_exit_code_2(paths) -> None:
    paths.models_file.mkdir()
    result = CliRunner().invoke(cli, ["ask", "-m", "echo", "x"])
    assert result.exit_code == 2
    assert "cannot read" in result.output and "Traceback" not in result.output


def test_malformed_config_warns_and_goes_on(write_models) -> None:
    path = write_models("models: [unclosed\n")
    result = CliRunner().invoke(cli, ["ask", "-m", "echo", "still works"])
    assert result.exit_code == 0
    assert f"warning: {path}:" in result.output and "still works" in result.output


def test_models_lists_key_status(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-shown-0000")
    result = run_cli("models", "--json")
    rows = {row["model"]: row for row in json.loads(result.output)}
    assert rows["mock:echo"]["key"] == "not needed"
    assert rows["openai:gpt-4.1-mini"]["key"] == "found (env:OPENAI_API_KEY)"
    assert rows["anthropic:claude-sonnet-4-5"]["key"] == "missing: orch-tui keys set anthropic"
    assert "sk-test" not in result.output


SDKS = ("anthropic", "google.genai", "mistralai")
CHECK = """
import sys
from orchestrator_tui.cli import main
sys.argv = ["orch-tui", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
loaded = [m for m in sys.modules if m.split(".")[0] in ("anthropic", "mistralai")
          or m.startswith("google.genai")]
print("SDKS:", loaded, file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["ask", "-m", "echo", "-m", "lorem", "hi"], []])
def test_no_provider_sdk_is_imported_for_help_or_mock_runs(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, *args], capture_output=True, text=True, timeout=120
    )
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("SDKS:")]
    assert line == ["SDKS: []"], done.stderr


def test_importing_the_package_imports_no_sdk() -> None:
    code = (
        "import sys, orchestrator_tui, orchestrator_tui.services, orchestrator_tui.core.orchestrator;"
        f"print([m for m in {SDKS!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_models_in_a_pipe_keeps_every_id_whole_under_a_header(write_models) -> None:
    long_name = "mock:a-model-with-a-name-far-too-long-for-an-eighty-column-table"
    write_models(f"models:\n  {long_name}: {{}}\n")
    lines = run_cli("models").output.splitlines()
    assert lines[0].split() == ["model", "$/M", "in", "$/M", "out", "context", "key"]
    assert any(line.startswith(long_name + " ") for line in lines)
    assert "…" not in "".join(lines)


def test_paths_says_where_config_history_and_vault_live(paths) -> None:
    shown = json.loads(run_cli("paths", "--json").output)
    assert shown["config"] == str(paths.config_dir)
    assert shown["history"] == str(paths.database)
    assert shown["vault"] == str(paths.vault_file)
    assert shown["state"] == str(paths.user_state)
    text = run_cli("paths").output
    assert f"vault     {paths.vault_file}" in text.splitlines()


def test_doctor_says_no_and_why_in_plain_words(write_models) -> None:
    names = ("anthropic", "gemini", "mistral", "openai", "deepseek", "openrouter", "ollama")
    write_models(
        "providers:\n" + "".join(f"  {n}: {{base_url: 'http://127.0.0.1:9/v1'}}\n" for n in names)
    )
    text = run_cli("doctor", "--timeout", "2").output
    (ollama,) = [line for line in text.splitlines() if "│ ollama " in line]
    assert "│ no — the connection to the" in ollama
    assert "no the connection" not in text and "orch-tui keys set PROVIDER" in text
