"""`orch-tui history ...` as a user or a script runs it, and two `orch-tui ask` at once."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner
from history_factory import T0, make_session

from orchestrator_tui.cli import cli
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.sessions import SessionStore

FIRST, SECOND = "s0000000000000000000000000000001", "s0000000000000000000000000000002"


def run_cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["history", *args], catch_exceptions=False)


@pytest.fixture
def history(paths):  # type: ignore[no-untyped-def]
    async def fill() -> None:
        db = await Database.open(paths.database)
        store = SessionStore(db)
        await store.import_detail(
            make_session(1, "Explain B-trees", {"mock:echo": "Trees of pages."}, kind="chat")
        )
        await store.import_detail(
            make_session(
                2, "Explain LSM trees", {"mock:lorem": "Logs, merged."}, scores={"mock:lorem": 0.7}
            )
        )
        await db.close()

    asyncio.run(fill())
    return paths


def test_list_prints_sessions_newest_first_and_json_for_scripts(history) -> None:
    result = run_cli("list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:6] == ["id", "created", "kind", "status", "tokens", "cost"]
    assert lines[0].rstrip().endswith("title")
    assert "Explain LSM trees" in lines[1] and "Explain B-trees" in lines[2]
    assert lines[0].index("status") == lines[1].index("completed")  # the header is aligned
    rows = json.loads(run_cli("list", "--json").output)
    assert [r["id"] for r in rows] == [SECOND, FIRST]
    assert rows[0]["best_score"] == 0.7
    chat = json.loads(run_cli("list", "--json", "--kind", "chat").output)
    assert [r["id"] for r in chat] == [FIRST]
    since = json.loads(run_cli("list", "--json", "--since", "2025-06-17").output)
    assert [r["id"] for r in since] == [SECOND]


def test_search_marks_matches_and_gives_json(history) -> None:
    result = run_cli("search", "tree")
    assert "[trees]" in result.output
    hits = json.loads(run_cli("search", "--json", "merged").output)
    assert [(h["session_id"], h["type"]) for h in hits] == [(SECOND, "response")]
    assert run_cli("search", "giraffe").output == "no matches\n"


def test_show_and_export_by_id_prefix(history, tmp_path) -> None:
    shown = run_cli("show", "s00000000000000000000000000000002")
    assert shown.exit_code == 2  # too long: no such session
    shown = run_cli("show", SECOND)
    assert shown.output.startswith("# Explain LSM trees")
    out = tmp_path / "both.jsonl"
    result = run_cli("export", FIRST, SECOND, "-f", "jsonl", "-o", str(out))
    assert result.exit_code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 4
    again = run_cli("export", FIRST, "-f", "jsonl", "-o", str(out))
    assert again.exit_code == 2 and "already exists" in again.output
    assert len(out.read_text().splitlines()) == 4


def test_delete_restore_and_empty_trash(history) -> None:
    assert "moved 1" in run_cli("delete", FIRST).output
    assert [r["id"] for r in json.loads(run_cli("list", "--json").output)] == [SECOND]
    assert [r["id"] for r in json.loads(run_cli("list", "--json", "--trash").output)] == [FIRST]
    assert "restored 1" in run_cli("restore", FIRST).output
    run_cli("delete", FIRST)
    assert "deleted 1" in run_cli("delete", "--empty-trash").output
    assert run_cli("restore", FIRST).exit_code == 2


def test_rename_fork_and_import(history, tmp_path) -> None:
    run_cli("rename", FIRST, "B-tree notes")
    assert json.loads(run_cli("list", "--json").output)[1]["title"] == "B-tree notes"
    fork = run_cli("fork", FIRST, "--at", "p0000")
    assert fork.exit_code == 0
    fork_id = fork.output.strip()
    assert json.loads(run_cli("list", "--json").output)[0]["id"] == fork_id
    exported = tmp_path / "one.json"
    run_cli("export", SECOND, "-f", "json", "-o", str(exported))
    refused = run_cli("import", str(exported))
    assert refused.exit_code == 2 and "already in the history" in refused.output


def test_stats_as_table_and_json(history) -> None:
    result = run_cli("stats", "--since", "2025-06-01", "--until", "2025-07-01")
    assert "mock:echo" in result.output and "mock:lorem" in result.output
    doc = json.loads(run_cli("stats", "--json", "--since", "2025-06-01").output)
    lorem = next(m for m in doc["models"] if m["model"] == "mock:lorem")
    assert lorem["calls"] == 1 and lorem["mean_score"] == 0.7 and lorem["success_rate"] == 1.0
    assert doc["since"] == pytest.approx(
        __import__("datetime").datetime.fromisoformat("2025-06-01").timestamp()
    )
    assert doc["since"] < T0


def test_backup_and_vacuum(history, tmp_path) -> None:
    target = tmp_path / "backup.sqlite3"
    assert run_cli("backup", str(target)).exit_code == 0
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 2
    assert run_cli("backup", str(target)).exit_code == 2
    assert "MB" in run_cli("vacuum").output


def test_bad_input_is_one_line(history) -> None:
    for args in (["show", "nope"], ["list", "--since", "someday"], ["delete"], ["show", "s"]):
        result = run_cli(*args)
        assert result.exit_code == 2, args
        assert result.output.startswith("orch-tui: error: ") and result.output.count("\n") == 1


def test_two_ask_processes_writing_at_once_both_succeed_and_lose_nothing(paths) -> None:
    paths.models_file.write_text(
        "models:\n  mock:slow: {api_name: lorem, options: {tokens_per_second: 400, tokens: 300}}\n"
    )
    env = {**os.environ, "ORCH_TUI_HOME": os.environ["ORCH_TUI_HOME"]}
    prompts = ("first writer", "second writer")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "orchestrator_tui",
                "ask",
                "--json",
                "-m",
                "mock:slow",
                "-m",
                "echo",
                prompt,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prompt in prompts
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    answers = {
        json.loads(out)["session_id"]: {r["model"]: r["text"] for r in json.loads(out)["responses"]}
        for out, _ in outputs
    }
    with sqlite3.connect(paths.database) as db:
        sessions = db.execute("SELECT id, title, status FROM sessions ORDER BY title").fetchall()
        assert [(t, s) for _, t, s in sessions] == [(p, "completed") for p in prompts]
        for session_id, texts in answers.items():
            stored = dict(
                db.execute(
                    "SELECT model, content FROM interactions WHERE session_id = ?"
                    " AND type = 'response' AND status = 'ok'",
                    (session_id,),
                ).fetchall()
            )
            assert stored == texts
            requests = db.execute(
                "SELECT COUNT(*) FROM requests WHERE session_id = ? AND status = 'ok'",
                (session_id,),
            ).fetchone()[0]
            assert requests == 2


def test_rename_says_what_it_renamed(history) -> None:
    result = run_cli("rename", FIRST, "B-tree notes")
    assert result.exit_code == 0
    assert result.output.strip() == f"renamed {FIRST[:8]}: 'Explain B-trees' → 'B-tree notes'"


def test_show_lists_the_interaction_ids_that_fork_at_takes(history) -> None:
    shown = run_cli("show", FIRST).output
    ids = [line.split()[0] for line in shown.split("--at ID):", 1)[1].strip().splitlines()]
    assert len(ids) == 2
    forked = run_cli("fork", FIRST, "--at", ids[0][:10])
    assert forked.exit_code == 0, forked.output
    assert len(json.loads(run_cli("list", "--json").output)) == 3
