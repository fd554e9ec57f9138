"""`orch-tui arena compare`: a model alone against a chain over a question set, judged both ways."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.config import Paths


def questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    lines = [{"question": q} for q in ("Why is the sky blue?", "What is a prime?", "Name a tree")]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_a_council_beats_one_model_on_a_judge_that_prefers_fuller_answers(
    paths: Paths, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "arena",
            "compare",
            "mock:peer-1",
            "chain:council",
            "--mock",
            "--inputs",
            str(questions(tmp_path)),
            "--judge",
            "mock:arbiter",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    council, alone = found["contestants"]["chain:council"], found["contestants"]["mock:peer-1"]
    assert (council["wins"], council["losses"], alone["losses"]) == (3, 0, 3)
    assert council["answers"] == alone["answers"] == 3 and council["failed"] == 0
    assert found["consistency"] == 1.0
    board = json.loads(
        CliRunner()
        .invoke(cli, ["arena", "leaderboard", "--json", "--voter", "mock:arbiter"])
        .stdout
    )
    assert [row["model"] for row in board] == ["chain:council", "mock:peer-1"]
    assert board[0]["votes"] == 6  # three inputs, both orders


def test_a_line_without_a_question_for_a_model_is_a_clear_error(
    paths: Paths, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"topic": "bees", "tone": "calm"}\n')
    result = CliRunner().invoke(
        cli,
        [
            "arena",
            "compare",
            "mock:peer-1",
            "mock:peer-2",
            "--inputs",
            str(bad),
            "--judge",
            "mock:arbiter",
        ],
    )
    assert result.exit_code == 2
    assert "bad.jsonl:1" in result.output and "question" in result.output
