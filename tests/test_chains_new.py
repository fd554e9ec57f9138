"""`orch-tui chains new`: a model drafts a chain from a sentence; the checker's errors go back to
it; only a valid chain is saved."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.config import load_config
from orchestrator_tui.core.chains.library import ChainLibrary
from tests.scripted_model import scripted_model

INVALID = """name: critique-loop
description: Draft, critique, refine.
steps:
  - id: draft
    kind: generate
    prompt: "Write about {{ inputs.topic }}"
"""
VALID = """```yaml
name: critique-loop
description: Draft, critique, refine.
inputs:
  topic: What to write about
steps:
  - id: draft
    kind: generate
    model: mock:lorem
    prompt: "Write about {{ inputs.topic }}"
  - id: polish
    kind: refine
    target: draft
    reviewer: mock:judge
    threshold: 0.8
```
"""
SENTENCE = "draft with one model, have two others critique, refine until 0.8"


def run_cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def test_an_invalid_first_draft_is_repaired_with_the_checkers_errors(
    paths, write_models, tmp_path: Path
) -> None:
    target = tmp_path / "loop.yaml"
    with scripted_model([INVALID, VALID]) as model:
        write_models(model.models_yaml())
        result = run_cli("chains", "new", SENTENCE, "-m", "scripted:writer", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "valid after 2 drafts" in result.output
    first, second = model.requests
    assert SENTENCE in first["messages"][-1]["content"]
    assert "The format:" in first["messages"][0]["content"]  # the format reference goes along
    repair = second["messages"]
    assert [m["role"] for m in repair[1:]] == ["user", "assistant", "user"]
    assert repair[2]["content"] == INVALID  # the draft being repaired
    errors = repair[3]["content"]
    assert "- draft.yaml:4: steps[0].model: a generate step needs `model`" in errors
    assert "- draft.yaml:6: steps.draft.prompt: unknown input 'topic'" in errors
    assert target.read_text() == VALID.removeprefix("```yaml\n").removesuffix("```\n")
    library = ChainLibrary(load_config(paths).catalog, paths.chain_folders())
    assert library.load(str(target)).name == "critique-loop"
    with sqlite3.connect(paths.database) as db:  # each round is a recorded request
        assert db.execute("SELECT count(*) FROM requests").fetchone() == (2,)


def test_a_draft_still_invalid_after_the_rounds_is_reported_and_not_saved(
    paths, write_models
) -> None:
    with scripted_model([INVALID]) as model:
        write_models(model.models_yaml())
        result = run_cli("chains", "new", SENTENCE, "-m", "scripted:writer", "--rounds", "2")
    assert result.exit_code == 2
    assert len(model.requests) == 2
    assert "still invalid after 2 rounds; not saved" in result.output
    assert "draft.yaml:4: steps[0].model: a generate step needs `model`" in result.output
    assert not paths.chains_dir.exists() or list(paths.chains_dir.iterdir()) == []


def test_mock_drafts_a_valid_chain_offline_into_the_users_chains(paths) -> None:
    result = run_cli("chains", "new", SENTENCE, "--mock")
    assert result.exit_code == 0, result.output
    saved = paths.chains_dir / "drafted.yaml"
    assert saved.is_file() and SENTENCE in saved.read_text()
    assert run_cli("chains", "validate", "drafted").exit_code == 0
    again = run_cli("chains", "new", SENTENCE, "--mock")
    assert again.exit_code == 2 and "exists" in again.output
    sessions = json.loads(run_cli("history", "list", "--json").output)
    assert sessions and all(s["cost"] == 0 for s in sessions)  # a mock is free (it read '$?')


def test_the_command_list_says_chains_can_be_written_from_a_sentence() -> None:
    """`orch-tui --help` summed chains up as 'List, show and validate', hiding `chains new`."""
    done = CliRunner().invoke(cli, ["--help"])
    [line] = [line for line in done.output.splitlines() if line.strip().startswith("chains ")]
    assert "write one from a sentence" in line
