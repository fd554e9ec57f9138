"""Plugins installed for real (pip, into a folder of their own) and used through the CLI and the TUI,
each in a subprocess, so nothing they register leaks into the other tests."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.tui.test_e2e_tmux import Terminal

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "plugins"
BROKEN = {
    "pyproject.toml": """
        [build-system]
        requires = ["hatchling>=1.25"]
        build-backend = "hatchling.build"

        [project]
        name = "orch-tui-broken"
        version = "0.1.0"

        [project.entry-points."orch_tui.providers"]
        explodes = "orch_tui_broken.explodes:Provider"

        [project.entry-points."orch_tui.step_kinds"]
        no_runner = "orch_tui_broken:NoRunner"

        [project.entry-points."orch_tui.exporters"]
        markdown = "orch_tui_broken:Markdown"
        """,
    "orch_tui_broken/__init__.py": """
        class NoRunner:
            fields = ("prompt",)
            run = "not a coroutine"

        class Markdown:
            suffix = ".md"

            @staticmethod
            def render(details):
                return "a plugin's markdown"
        """,
    "orch_tui_broken/explodes.py": """
        raise RuntimeError("this plugin breaks on import")
        """,
}


@pytest.fixture(scope="module")
def plugins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two example plugins and a broken one, installed with pip into one folder (no network)."""
    root = tmp_path_factory.mktemp("plugins")
    broken = root / "broken-src"
    for name, text in BROKEN.items():
        (broken / name).parent.mkdir(parents=True, exist_ok=True)
        (broken / name).write_text(textwrap.dedent(text), encoding="utf-8")
    target = root / "site"
    sources = [EXAMPLES / "orch-tui-plaintext", EXAMPLES / "orch-tui-extras", broken]
    for source in sources:  # a copy, so pip's build never writes into the repository
        shutil.copytree(source, root / "build" / source.name)
    subprocess.run(
        [
            sys.executable,
            *("-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-build-isolation"),
            *("--target", str(target)),
            *(str(root / "build" / s.name) for s in sources),
        ],
        check=True,
    )
    return target


class PlainTextServer(BaseHTTPRequestHandler):
    """Answers ``POST /generate`` with the last message reversed, in chunks, as the plugin expects."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = "parrot says: " + body["messages"][-1]["content"][::-1]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in (answer[i : i + 5] for i in range(0, len(answer), 5)):
            data = piece.encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), PlainTextServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def home(tmp_path: Path, server: str) -> Path:
    """A user whose models.yaml points the plugin's provider at the test's server."""
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    (config / "models.yaml").write_text(f"providers:\n  plaintext:\n    base_url: {server}\n")
    return tmp_path / "home"


def orch(plugins: Path, home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(plugins),
        "ORCH_TUI_HOME": str(home),
        "COLUMNS": "200",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "orchestrator_tui", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_plugins_lists_what_each_adds_and_why_the_broken_ones_were_skipped(
    plugins: Path, home: Path
) -> None:
    done = orch(plugins, home, "plugins", "--json")
    assert done.returncode == 0, done.stderr
    entries = {(e["group"], e["name"]): e for e in json.loads(done.stdout)}
    for group, name in [
        ("orch_tui.providers", "plaintext"),
        ("orch_tui.exporters", "csv"),
        ("orch_tui.step_kinds", "template"),
        ("orch_tui.scorers", "max_lines"),
        ("orch_tui.commands", "sessions-csv"),
        ("orch_tui.subscribers", "event-log"),
    ]:
        assert entries[(group, name)]["error"] is None, entries[(group, name)]
    assert "breaks on import" in entries[("orch_tui.providers", "explodes")]["error"]
    assert "no runner" in entries[("orch_tui.step_kinds", "no_runner")]["error"]
    assert "exists already" in entries[("orch_tui.exporters", "markdown")]["error"]
    listing = orch(plugins, home, "plugins").stdout
    assert "✗ orch-tui-broken: orch_tui.providers explodes — skipped: RuntimeError" in listing
    assert "✓ orch-tui-plaintext: orch_tui.providers plaintext — adds provider type" in listing


def test_a_plugin_providers_model_is_listed_and_answers_like_a_built_in(
    plugins: Path, home: Path
) -> None:
    models = orch(plugins, home, "models", "--json")
    assert models.returncode == 0, models.stderr
    assert "plaintext:parrot" in [m["model"] for m in json.loads(models.stdout)]
    log = home / "events.log"
    done = orch(
        plugins, home, "ask", "-m", "plaintext:parrot", "olleh", ORCH_TUI_EVENT_LOG=str(log)
    )
    assert done.returncode == 0, done.stderr
    assert "parrot says: hello" in done.stdout
    events = log.read_text().splitlines()
    assert events[0].startswith("RunStarted") and events[-1].startswith("RunFinished")
    with sqlite3.connect(home / "data" / "history.sqlite3") as db:
        answers = [r[0] for r in db.execute("SELECT content FROM interactions WHERE model != ''")]
    assert answers == ["parrot says: hello"]


def test_a_plugin_exporter_and_command_work_like_built_ins(plugins: Path, home: Path) -> None:
    assert orch(plugins, home, "ask", "-m", "mock:echo", "csv me").returncode == 0
    session = json.loads(orch(plugins, home, "history", "list", "--json").stdout)[0]["id"]
    exported = orch(plugins, home, "history", "export", session, "-f", "csv")
    assert exported.returncode == 0, exported.stderr
    lines = exported.stdout.splitlines()
    assert lines[0] == "session,title,interaction,type,model,status,content"
    assert any(line.startswith(session) and "csv me" in line for line in lines[1:])
    helped = orch(plugins, home, "--help").stdout
    assert "sessions-csv" in helped and "Print the history's sessions as CSV" in helped
    summary = orch(plugins, home, "sessions-csv")
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.splitlines()[1].startswith(f"{session},")


def test_a_plugin_step_kind_and_check_validate_and_run_in_a_chain(
    plugins: Path, home: Path, tmp_path: Path
) -> None:
    chain = tmp_path / "brief.yaml"
    chain.write_text(
        textwrap.dedent(
            """\
            name: brief
            inputs: {topic: what to write about}
            steps:
              - id: draft
                kind: generate
                model: mock:echo
                prompt: "Write about {{ inputs.topic }}"
              - id: check
                kind: review
                target: draft
                checks: [{kind: max_lines, lines: 50}]
              - id: brief
                kind: template
                prompt: "Topic {{ inputs.topic }}, scored {{ steps.check.score }}"
            """
        )
    )
    done = orch(plugins, home, "run", str(chain), "-i", "topic=owls", "--json")
    assert done.returncode == 0, done.stderr
    assert "Topic owls, scored 1.0" in done.stdout
    bad = (
        chain.read_text()
        .replace("lines: 50", "lines: many")
        .replace('prompt: "Topic', 'model: x\n    prompt: "Topic')
    )
    chain.write_text(bad)
    refused = orch(plugins, home, "chains", "validate", str(chain))
    assert refused.returncode == 2
    assert f"{chain}:11" in refused.stdout + refused.stderr  # the check's line
    assert "`lines` must be a whole number" in refused.stdout + refused.stderr


@pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)
def test_the_app_streams_a_plugin_providers_answer(plugins: Path, home: Path) -> None:
    (home / "config" / "config.yaml").write_text("default_models: [plaintext:parrot]\n")
    terminal = Terminal(f"orch-tui-test-{uuid.uuid4().hex[:8]}")
    try:
        terminal.launch(home, f"PYTHONPATH={plugins}", size=(100, 30))
        terminal.wait_for(lambda s: "plaintext:parrot" in s or "parrot" in s, "the plugin's model")
        terminal.type("olleh")
        terminal.key("Enter")
        terminal.wait_for(lambda s: "parrot says: hello" in s, "the plugin's answer")
    finally:
        terminal.quit(limit=20)
        terminal.tmux("kill-server")
    with sqlite3.connect(home / "data" / "history.sqlite3") as db:
        answers = [r[0] for r in db.execute("SELECT content FROM interactions WHERE model != ''")]
    assert answers == ["parrot says: hello"]
