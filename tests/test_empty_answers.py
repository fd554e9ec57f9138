"""An answer that ends without an error but blank is marked ``empty``: in the engine, the history
(filters, stats, exports), ``ask``, chains and follow-ups."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.core.chains.engine import start_chain
from orchestrator_tui.core.chains.loader import load_chain
from orchestrator_tui.core.events import StepFinished
from orchestrator_tui.core.types import Message
from orchestrator_tui.store.listing import STATUSES, SessionFilter

BLANK_MODELS = """
models:
  mock:blank: {api_name: lorem, options: {tokens: 0}}
"""


async def test_a_blank_answer_is_empty_in_the_history_its_filter_stats_and_exports(
    write_models, paths
) -> None:  # type: ignore[no-untyped-def]
    from orchestrator_tui.services import open_services

    write_models(BLANK_MODELS)
    services = await open_services(paths)
    try:
        blank = services.orchestrator.fan_out("say nothing", ["mock:blank", "mock:echo"])
        await blank.wait()
        statuses = {e.model: e.status for e in blank.results.values()}
        await services.orchestrator.fan_out("all fine", ["mock:echo"]).wait()
        await services.recorder.flush()
        store = services.sessions
        found = await store.page(SessionFilter(statuses=("empty",)))
        [stats] = [s for s in await store.stats(time.time() - 60) if s.model == "mock:blank"]
        document = json.loads(await store.export(blank.session_id, "json"))
        markdown = await store.export(blank.session_id, "markdown")
        session = await store.get(blank.session_id)
    finally:
        await services.aclose()
    assert statuses == {"mock:blank": "empty", "mock:echo": "ok"}
    assert "empty" in STATUSES
    assert [row.id for row in found.rows] == [blank.session_id]
    assert session is not None and session.status == "completed"
    assert (stats.calls, stats.ok, stats.empty) == (1, 0, 1)
    answers = {i["model"]: i["status"] for i in document["interactions"] if i["type"] == "response"}
    assert answers == {"mock:blank": "empty", "mock:echo": "ok"}
    assert "*empty" in markdown


def test_ask_and_history_show_mark_an_empty_answer(write_models) -> None:  # type: ignore[no-untyped-def]
    write_models(BLANK_MODELS)
    runner = CliRunner()
    result = runner.invoke(cli, ["ask", "-m", "mock:blank", "-m", "mock:echo", "hello"])
    assert result.exit_code == 0, result.output
    assert "mock:blank (empty)" in result.output
    assert "│ mock:blank │ empty" in result.output
    as_json = runner.invoke(cli, ["ask", "-m", "mock:blank", "--json", "hello"])
    assert json.loads(as_json.output)["responses"][0]["status"] == "empty"
    assert as_json.exit_code == 1  # no model answered with text
    listed = runner.invoke(cli, ["history", "list", "--status", "empty"])
    header, *rows = listed.output.splitlines()
    assert listed.exit_code == 0 and header.startswith("id") and len(rows) == 2
    shown = runner.invoke(cli, ["history", "show", rows[0][:8]])
    assert "### mock:blank — response\n\n*empty ·" in shown.output
    stats = runner.invoke(cli, ["history", "stats", "--json"])
    [blank] = [m for m in json.loads(stats.output)["models"] if m["model"] == "mock:blank"]
    assert (blank["calls"], blank["empty"]) == (2, 2)


async def test_a_chain_step_whose_answer_is_blank_fails_and_says_so(write_models, services) -> None:  # type: ignore[no-untyped-def]
    del services
    write_models(BLANK_MODELS)
    from orchestrator_tui.services import open_services

    opened = await open_services()
    try:
        chain = load_chain(
            "steps:\n  - {id: a, kind: generate, model: mock:blank, prompt: hi}\n",
            "blank.yaml",
            catalog=opened.config.catalog,
        )
        run = start_chain(opened.orchestrator, chain, {})
        events = [event async for event in run]
    finally:
        await opened.aclose()
    [step] = [e for e in events if isinstance(e, StepFinished)]
    assert step.status == "failed"
    assert step.error == "mock:blank: the answer was empty"


async def test_a_follow_up_does_not_send_an_empty_assistant_turn(write_models, paths) -> None:  # type: ignore[no-untyped-def]
    from orchestrator_tui.core.conversation import Conversation
    from orchestrator_tui.services import open_services

    write_models(BLANK_MODELS)
    services = await open_services(paths)
    try:
        conversation = Conversation()
        await services.orchestrator.fan_out(
            "first", ["mock:blank"], conversation=conversation
        ).wait()
        messages = conversation.messages_for("mock:blank", Message("user", "second"))
    finally:
        await services.aclose()
    assert [(m.role, m.text) for m in messages] == [("user", "second")]


def test_on_a_terminal_ask_says_the_answer_is_empty() -> None:
    import io

    from rich.console import Console

    from orchestrator_tui.cli.live import LiveAnswers
    from orchestrator_tui.core.events import ResponseFinished, ResponseStarted
    from orchestrator_tui.core.types import GenerationParams, Usage

    out = io.StringIO()
    view = LiveAnswers(Console(file=out, force_terminal=True, width=100))
    view.handle(ResponseStarted("r", "s", "a", "mock:blank", None))
    view.handle(
        ResponseFinished(
            "r",
            "s",
            "a",
            "mock:blank",
            "empty",
            "",
            Usage(),
            None,
            0.1,
            0.0,
            GenerationParams(),
            1,
        )
    )
    view.close()
    assert "(empty answer: the model said nothing)" in out.getvalue()
