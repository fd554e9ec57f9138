"""`orch-tui batch ...` as a user runs it: embedded batches on mock models, in-process."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from orchestrator_tui.cli import cli
from orchestrator_tui.config import Paths


def batch(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["batch", *args], input=stdin, catch_exceptions=False)


def query(paths: Paths, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(paths.database) as conn:
        return conn.execute(sql, params).fetchall()


def topics(tmp_path: Path, count: int) -> str:
    path = tmp_path / "topics.txt"
    path.write_text("".join(f"topic {n}\n" for n in range(1, count + 1)), encoding="utf-8")
    return str(path)


def export(name: str, fmt: str = "jsonl") -> list[dict]:
    out = batch("export", name, "-f", fmt).output
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(out)))
    return [json.loads(line) for line in out.splitlines()]


def test_a_conversation_batch_runs_every_topic_as_a_session_tagged_with_its_batch(
    tmp_path: Path, paths: Paths
) -> None:
    inputs = topics(tmp_path, 12)
    result = batch(
        "run", "--conversation", "a,b", "--turns", "2-4", "--mock", "--inputs", inputs,
        "--name", "tides", "--concurrency", "4",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "12 items queued" in result.output and "12/12 finished" in result.output
    sessions = query(
        paths, "SELECT batch_item, status, kind FROM sessions WHERE batch_id IS NOT NULL"
    )
    assert sorted(s[0] for s in sessions) == list(range(1, 13))
    assert {s[1:] for s in sessions} == {("completed", "chain")}
    rows = export("tides")
    assert [r["item"] for r in rows] == list(range(1, 13))
    assert rows[4]["inputs"] == {"topic": "topic 5"} and rows[4]["status"] == "done"
    for row in rows:
        assert 2 <= row["details"]["turns"] <= 4 and row["output"].startswith("**Speaker 1")
        assert row["quality"] == row["details"]["quality"] and row["output_tokens"] > 0
    status = batch("status", "tides").output
    assert "12 done · 0 failed" in status and "quality:" in status and "completed" in status


def test_bad_rows_are_reported_with_their_line_and_skipped(paths: Paths) -> None:
    rows = '{"topic": "a"}\n{broken\n{"subject": "b"}\n{"topic": "c", "id": 9}\n'
    result = CliRunner().invoke(
        cli,
        ["batch", "run", "--conversation", "a,b", "--mock", "--turns", "1", "--inputs", "-",
         "--format", "jsonl", "--name", "mixed"],
        input=rows,
    )  # fmt: skip
    assert result.exit_code == 0
    assert "line 2: not JSON" in result.stderr
    assert "line 3: missing chain input 'topic'; skipped" in result.stderr
    assert "2 items queued, 2 rows skipped" in result.stdout
    exported = export("mixed")
    assert [(r["line"], r["inputs"]) for r in exported] == [
        (1, {"topic": "a"}),
        (4, {"topic": "c", "id": "9"}),
    ]
    assert "rows skipped as malformed: 2" in batch("status", "mixed").output


def test_strict_refuses_to_start_on_a_bad_row(paths: Paths) -> None:
    result = CliRunner().invoke(
        cli,
        ["batch", "run", "--conversation", "a,b", "--mock", "--inputs", "-", "--format", "csv",
         "--strict", "--name", "strict"],
        input="topic\nfine\ntoo,many\n",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "line 3: 2 fields where the header has 1" in result.stderr
    assert query(paths, "SELECT COUNT(*) FROM batches") == [(0,)]
    assert query(paths, "SELECT COUNT(*) FROM sessions") == [(0,)]


def test_limit_stops_early_and_resume_finishes_the_rest_once(tmp_path: Path, paths: Paths) -> None:
    inputs = topics(tmp_path, 9)
    first = batch("run", "--steps", "echo", "--inputs", inputs, "--name", "half", "--limit", "4",
                  "--concurrency", "2")  # fmt: skip
    assert first.exit_code == 1 and "stopped at the limit" in first.output
    assert [r["status"] for r in export("half")].count("done") == 4
    assert batch("resume", "half").exit_code == 0
    rows = export("half")
    assert [r["status"] for r in rows] == ["done"] * 9
    assert [r["output"] for r in rows] == [f"topic {n}" for n in range(1, 10)]
    per_item = query(paths, "SELECT batch_item, COUNT(*) FROM sessions GROUP BY batch_item")
    assert per_item == [(n, 1) for n in range(1, 10)]


def test_a_cancelled_batch_starts_nothing_until_resumed(tmp_path: Path, paths: Paths) -> None:
    inputs = topics(tmp_path, 5)
    batch("run", "--steps", "echo", "--inputs", inputs, "--name", "c", "--limit", "1")
    assert "cancelled (4 items will not start)" in batch("cancel", "c").output
    assert "1 done · 0 failed · 0 in flight · 0 queued · 4 cancelled" in batch("status", "c").output
    assert batch("resume", "c").exit_code == 0
    assert [r["status"] for r in export("c", "csv")] == ["done"] * 5


def test_a_failing_item_is_failed_with_its_reason_and_retried_on_request(
    tmp_path: Path, write_models, paths: Paths
) -> None:  # type: ignore[no-untyped-def]
    write_models("models:\n  mock:down: {api_name: flaky, options: {schedule: [mid]}}\n")
    inputs = topics(tmp_path, 2)
    result = batch("run", "--steps", "mock:down", "--inputs", inputs, "--name", "f")
    assert result.exit_code == 1
    status = batch("status", "f").output
    assert "0 done · 2 failed" in status and "item 1 (line 1): step1:" in status
    assert all(r["error"] for r in export("f"))
    batch("resume", "f", "--retry-failed")
    assert query(paths, "SELECT MAX(attempts) FROM batch_items") == [(2,)]


def test_a_chain_batch_takes_each_rows_fields_as_its_inputs(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("task,id\nsay hi,1\nsay bye,2\n", encoding="utf-8")
    assert batch("run", "--steps", "echo", "--inputs", str(path), "--name", "csv").exit_code == 0
    rows = export("csv")
    assert [r["output"] for r in rows] == ["task: say hi\nid: 1", "task: say bye\nid: 2"]


def test_unknown_batches_and_names_in_use_are_one_line_errors(tmp_path: Path) -> None:
    inputs = topics(tmp_path, 1)
    result = CliRunner().invoke(cli, ["batch", "status", "nope"])
    assert result.exit_code == 2 and "no batch named 'nope'" in result.output
    batch("run", "--steps", "echo", "--inputs", inputs, "--name", "x")
    again = CliRunner().invoke(cli, ["batch", "run", "--steps", "echo", "--inputs", inputs,
                                     "--name", "x"])  # fmt: skip
    assert again.exit_code == 2 and "a batch named 'x' exists" in again.output
    listed = batch("list").output
    assert listed.startswith("x  completed  1/1 done")


def test_the_budget_stops_new_items_before_spent_plus_in_flight_would_pass_it(
    tmp_path: Path, write_models
) -> None:  # type: ignore[no-untyped-def]
    write_models(
        "models:\n  mock:paid:\n    api_name: echo\n"
        "    price: {input: 1000000, output: 1000000}\n    max_output_tokens: 10\n"
    )
    inputs = topics(tmp_path, 8)  # "topic N": 6 tokens in by the estimate, 10 out at most: $16
    result = batch("run", "--steps", "mock:paid", "--inputs", inputs, "--name", "b",
                   "--budget", "30", "--concurrency", "1")  # fmt: skip
    assert result.exit_code == 1 and "stopped at the budget" in result.output
    rows = export("b")
    spent = sum(r["cost"] for r in rows if r["status"] == "done")
    assert [r["status"] for r in rows] == ["done"] * 4 + ["queued"] * 4
    assert spent == 16  # each echo costs $4 (2 tokens in, 2 out); a fifth would be 16 + 16 > 30


def test_a_budget_over_a_model_without_an_output_bound_is_refused(
    tmp_path: Path, write_models
) -> None:  # type: ignore[no-untyped-def]
    write_models("models:\n  mock:priced: {api_name: echo, price: {input: 1, output: 1}}\n")
    inputs = topics(tmp_path, 1)
    result = CliRunner().invoke(
        cli, ["batch", "run", "--steps", "mock:priced", "--inputs", inputs, "--budget", "1"]
    )
    assert result.exit_code == 2 and "cannot bound the cost of mock:priced" in result.output


def test_budget_and_redis_list_inputs_say_what_they_need(tmp_path: Path) -> None:
    inputs = topics(tmp_path, 1)
    both = CliRunner().invoke(cli, ["batch", "run", "--steps", "echo", "--inputs", inputs,
                                    "--budget", "1", "--broker", "redis://127.0.0.1:1/0"])  # fmt: skip
    assert both.exit_code == 2 and "work in the embedded mode only" in both.output
    listed = CliRunner().invoke(cli, ["batch", "run", "--steps", "echo",
                                      "--inputs", "redis-list:topics:queue"])  # fmt: skip
    assert listed.exit_code == 2 and "a Redis list needs --broker" in listed.output


def test_a_conversations_quality_is_shown_with_its_session_in_the_history(
    tmp_path: Path,
) -> None:
    inputs = topics(tmp_path, 1)
    batch("run", "--conversation", "a,b", "--turns", "3", "--mock", "--inputs", inputs,
          "--name", "q")  # fmt: skip
    (row,) = export("q")
    shown = CliRunner().invoke(cli, ["history", "show", row["session_id"]]).output
    assert f"quality {row['quality']:.2f}" in shown


def test_a_batch_on_models_without_prices_shows_its_cost_as_unknown_not_zero(
    tmp_path: Path, write_models
) -> None:  # type: ignore[no-untyped-def]
    write_models("models:\n  mock:unpriced: {api_name: echo}\n")
    batch("run", "--steps", "mock:unpriced", "--inputs", topics(tmp_path, 2), "--name", "u")
    assert "cost: $? ·" in batch("status", "u").output
    assert [r["cost"] for r in export("u")] == [None, None]
