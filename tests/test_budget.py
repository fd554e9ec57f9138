"""The budget guard on priced mock models: refuse what could pass, stop what does, record it all."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.config import Paths, load_config
from orchestrator_tui.core.budget import BudgetGuard, BudgetLimits, BudgetRefused
from orchestrator_tui.core.catalog import ModelConfig
from orchestrator_tui.core.types import GenerationParams, LLMRequest, Message, ModelRef
from orchestrator_tui.store.db import Database

PRICED = """\
models:
  mock:priced:
    api_name: lorem
    price: {input: 1000, output: 1000}
  mock:long:
    api_name: lorem
    price: {input: 1000, output: 1000}
    options: {tokens: 400}
  mock:unpriced:
    api_name: echo
"""
"""$0.001 a token in and out; mock:long writes ~400 words with no output limit known."""

CHAIN = """\
name: four-steps
inputs: {topic: ""}
steps:
""" + "".join(
    f"""  - id: step{n}
    kind: generate
    model: mock:priced
    max_tokens: 30
    prompt: "Say something about {{{{ inputs.topic }}}}, part {n}"
"""
    for n in range(1, 5)
)


@pytest.fixture
def priced(write_models: Callable[[str], Path]) -> None:
    write_models(PRICED)


def rows(paths: Paths, sql: str) -> list[dict]:  # type: ignore[type-arg]
    import sqlite3

    with sqlite3.connect(paths.database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql)]


def test_a_priced_run_stops_at_the_budget_and_nothing_starts_after(
    priced: None, paths: Paths, tmp_path: Path
) -> None:
    chain = tmp_path / "four.yaml"
    chain.write_text(CHAIN)
    result = CliRunner().invoke(
        cli, ["run", str(chain), "-i", "topic=bees", "--budget", "0.1", "--json"]
    )
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["status"] == "budget"
    assert [s["status"] for s in doc["steps"]] == ["ok", "ok", "budget"]  # step4 never ran
    assert "would pass the run budget of $0.10" in doc["steps"][2]["error"]
    requests = rows(paths, "SELECT status, cost, interaction_id FROM requests ORDER BY id")
    assert [r["status"] for r in requests] == ["ok", "ok"]  # the refused one was never sent
    answers = rows(paths, "SELECT status, step_id FROM interactions WHERE type = 'response'")
    assert [(a["step_id"], a["status"]) for a in answers] == [
        ("step1", "ok"),
        ("step2", "ok"),
        ("step3", "budget"),
    ]
    spent = sum(r["cost"] for r in requests)
    assert 0 < spent <= 0.1
    shown = json.loads(
        CliRunner().invoke(cli, ["history", "show", doc["session_id"], "--json"]).output
    )
    stored = [r["cost"] for i in shown["interactions"] for r in i["requests"]]
    assert sum(stored) == pytest.approx(spent)  # the spend stored is the sum of the requests
    listed = CliRunner().invoke(cli, ["history", "list", "--status", "budget", "--json"]).output
    assert [s["id"] for s in json.loads(listed)] == [doc["session_id"]]


def test_a_stream_with_no_output_bound_is_stopped_when_it_passes(
    priced: None, paths: Paths
) -> None:
    result = CliRunner().invoke(
        cli, ["ask", "Tell me a story", "-m", "mock:long", "--budget", "0.05", "--json"]
    )
    assert result.exit_code == 1
    (answer,) = json.loads(result.stdout)["responses"]
    assert answer["status"] == "budget"
    assert "over budget — stopped at $0.05, before passing the run budget" in answer["error"]
    assert 0 < len(answer["text"]) < 1000  # the text so far is kept
    (request,) = rows(paths, "SELECT status, cost, output_tokens FROM requests")
    assert request["status"] == "budget"
    assert request["cost"] == pytest.approx(answer["cost"])
    assert answer["cost"] <= 0.05
    stats = json.loads(CliRunner().invoke(cli, ["history", "stats", "--json"]).output)
    assert stats["models"][0]["budget"] == 1


def test_a_model_with_no_known_price_is_refused_under_a_budget(priced: None, paths: Paths) -> None:
    result = CliRunner().invoke(
        cli, ["ask", "hi", "-m", "mock:unpriced", "-m", "mock:priced", "--budget", "1", "--json"]
    )
    by_model = {r["model"]: r for r in json.loads(result.stdout)["responses"]}
    refused = by_model["mock:unpriced"]
    assert refused["status"] == "budget"
    assert "mock:unpriced has no known price" in refused["error"]
    assert by_model["mock:priced"]["status"] == "ok"
    without = CliRunner().invoke(cli, ["ask", "hi", "-m", "mock:unpriced", "--json"])
    assert json.loads(without.stdout)["responses"][0]["status"] == "ok"


def test_answers_side_by_side_cannot_pass_a_limit_together() -> None:
    model = ModelConfig(ModelRef("mock", "m"), price_input=1000, price_output=1000)
    request = LLMRequest(model.ref, (Message("user", "x" * 40),), GenerationParams(max_tokens=40))
    guard = BudgetGuard(BudgetLimits(per_day=0.14), spent_today=0.02)
    first = guard.reserve("r1", "s1", model, request)  # (14 + 40) tokens: $0.054
    guard.reserve("r2", "s2", model, request)
    with pytest.raises(BudgetRefused, match=r"day budget of \$0.14"):
        guard.reserve("r3", "s3", model, request)
    guard.settle(first, 0.01)  # it cost less than it held
    guard.reserve("r3", "s3", model, request)
    assert guard.spent_today == pytest.approx(0.03)


def test_the_budget_is_read_from_config_yaml(paths: Paths) -> None:
    paths.settings_file.write_text(
        "budget: {per_run: 0.5, per_day: 3, weekly: 9, per_session: -1}\n"
    )
    config = load_config(paths)
    assert config.budget == BudgetLimits(per_run=0.5, per_day=3.0)
    assert any("unknown budget 'weekly'" in w for w in config.warnings)
    assert any("per_session must be dollars" in w for w in config.warnings)


async def test_spend_today_is_summed_from_the_history(paths: Paths) -> None:
    from orchestrator_tui.store.sessions import SessionStore

    db = await Database.open(paths.database)
    try:
        assert await SessionStore(db).spent_since(0) == 0.0
    finally:
        await db.close()


async def test_a_reopened_session_counts_what_it_spent_before_against_its_budget(
    priced: None, paths: Paths
) -> None:
    from history_factory import make_session

    from orchestrator_tui.services import open_services

    paths.settings_file.write_text("budget: {per_session: 0.08}\n")
    services = await open_services(paths)
    try:
        detail = make_session(4, "Q", {"mock:priced": "x", "mock:long": "y"})  # $0.015 + $0.025
        await services.sessions.import_detail(detail)
        await services.continue_budget(detail.session.id)
        guard = services.orchestrator.responder.budget
        assert guard is not None
        assert guard.by_session[detail.session.id] == pytest.approx(0.04)
        model = services.config.catalog.resolve("mock:priced")
        request = LLMRequest(
            model.ref, (Message("user", "x" * 40),), GenerationParams(max_tokens=40)
        )
        with pytest.raises(BudgetRefused, match="session budget"):
            guard.reserve("r", detail.session.id, model, request)  # $0.054 more would pass
        guard.reserve("r", "another-session", model, request)
    finally:
        await services.aclose()
