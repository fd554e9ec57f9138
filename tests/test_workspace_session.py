"""The workspace's session without a screen: queue, send, retry, review, synthesis, best mark.

Real engine on mock models, real recorder and SQLite file; no Textual anywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from orchestrator_tui.config import Paths
from orchestrator_tui.core.session import (
    SYNTHESIS,
    ModelSettings,
    Refused,
    Started,
    WorkspaceSession,
)
from orchestrator_tui.core.types import GenerationParams
from orchestrator_tui.services import Services


async def drive(session: WorkspaceSession, started: Started | None) -> list[Started]:
    """Feed each run's events to the session until nothing more starts; the runs, in order."""
    done = []
    while started is not None:
        async for event in started.run:
            session.handle(event)
        done.append(started)
        started = session.finished(started.run)
    return done


async def stored(services: Services, sql: str) -> list[tuple]:
    await services.recorder.flush()
    return [tuple(row) for row in await services.db.fetchall(sql)]


def opened(services: Services, *models: str) -> WorkspaceSession:
    session = WorkspaceSession()
    session.select(models or ("mock:echo", "mock:lorem"))
    assert session.open(services.orchestrator, reviewer="mock:judge") is None
    return session


def test_the_session_loads_no_textual_module() -> None:
    code = (
        "import sys, orchestrator_tui.core.session;"
        "assert not any(m.startswith('textual') for m in sys.modules), 'textual loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_prompts_typed_before_the_engine_is_there_wait_and_then_go_out(
    services: Services,
) -> None:
    session = WorkspaceSession()
    session.select(["mock:echo"])
    assert session.submit("first") is None and session.submit("second") is None
    assert session.queue == ["first", "second"]
    runs = await drive(session, session.open(services.orchestrator, reviewer="mock:judge"))
    assert [r.text for r in runs] == ["first", "second"]
    assert session.queue == []
    prompts = await stored(
        services, "SELECT content FROM interactions WHERE type = 'prompt' ORDER BY created_at"
    )
    assert prompts == [("first",), ("second",)]


async def test_a_prompt_sent_during_a_run_waits_its_turn_and_can_be_taken_back(
    services: Services,
) -> None:
    session = opened(services, "mock:echo")
    first = session.submit("one")
    assert first is not None and first.text == "one" and first.keys == ("mock:echo",)
    assert session.submit("two") is None and session.submit("three") is None
    assert session.take_back() == "three"
    runs = await drive(session, first)
    assert [r.text for r in runs] == ["one", "two"]
    history = session.conversation.histories["mock:echo"]
    assert [m.text for m in history] == ["one", "one", "two", "two"]


async def test_an_empty_prompt_and_no_models_are_refused_and_nothing_is_queued(
    services: Services,
) -> None:
    session = opened(services)
    with pytest.raises(Refused, match="empty"):
        session.submit("  \n")
    session.select([])
    with pytest.raises(Refused, match="Select at least one model"):
        session.submit("hello")
    assert session.queue == []


async def test_a_queued_prompt_that_cannot_go_out_stays_queued(services: Services) -> None:
    session = WorkspaceSession()
    session.submit("kept")
    with pytest.raises(Refused, match="Select at least one model"):
        session.open(services.orchestrator, reviewer="mock:judge")
    assert session.queue == ["kept"]
    session.select(["mock:echo"])
    runs = await drive(session, session.resume())
    assert [r.text for r in runs] == ["kept"]


async def test_each_model_gets_its_own_parameters_and_attachments_go_once(
    services: Services,
) -> None:
    from orchestrator_tui.core.attachments import Attachment

    session = opened(services)
    own = GenerationParams(max_tokens=3, system="Be brief.")
    session.set_settings("mock:echo", ModelSettings(own, own_system="Be brief."))
    session.attach(Attachment("notes.md", "the attached line"))
    await drive(session, session.submit("look"))
    echo = session.answers["mock:echo"].ended
    assert echo is not None and echo.params.max_tokens == 3
    assert echo.usage is not None and echo.usage.output_tokens == 3
    assert session.answers["mock:lorem"].ended.params.max_tokens is None  # type: ignore[union-attr]
    sent = await stored(services, "SELECT model, params FROM requests")
    assert {model: json.loads(params)["system"] for model, params in sent} == {
        "mock:echo": "Be brief.",
        "mock:lorem": None,
    }
    assert session.prompt is not None and "the attached line" in session.prompt.text
    assert session.attachments == []
    session.set_settings("mock:echo", ModelSettings())
    assert session.settings == {}


async def test_a_wrong_attachment_can_be_dropped_before_it_is_sent(services: Services) -> None:
    """There was no way back from '/attach wrong-file': it went with the next prompt."""
    from orchestrator_tui.core.attachments import Attachment

    session = opened(services)
    session.attach(Attachment("secrets.env", "TOKEN=do-not-send"))
    assert session.detach() == 1 and session.attachments == []
    await drive(session, session.submit("look"))
    assert session.prompt is not None and "do-not-send" not in session.prompt.text
    assert session.detach() == 0


async def test_retry_replaces_the_answer_and_the_conversation_keeps_one(
    services: Services,
) -> None:
    session = opened(services)
    await drive(session, session.submit("tea or coffee"))
    first = session.answers["mock:echo"].response_id
    session.mark_best("mock:echo")
    await drive(session, session.retry("mock:echo"))
    answer = session.answers["mock:echo"]
    assert answer.response_id != first and not answer.best
    assert len(session.conversation.histories["mock:echo"]) == 2
    best = await stored(services, "SELECT id FROM interactions WHERE best = 1")
    assert best == []
    with pytest.raises(Refused, match="redo the synthesis"):
        session.retry(SYNTHESIS)


async def test_the_best_mark_is_stored_in_order_without_waiting_for_the_answers_rows(
    services: Services,
) -> None:
    session = opened(services)
    await drive(session, session.submit("tea or coffee"))
    # no flush in between: the recorder writes the answers, then the mark
    assert session.mark_best("mock:lorem") is True
    assert session.mark_best("mock:echo") is True
    best = await stored(services, "SELECT model FROM interactions WHERE best = 1")
    assert best == [("mock:echo",)]
    assert session.mark_best("mock:echo") is False
    assert await stored(services, "SELECT model FROM interactions WHERE best = 1") == []


async def test_review_scores_every_answer_and_a_failed_review_does_not_fail_the_session(
    services: Services,
) -> None:
    session = opened(services)
    with pytest.raises(Refused, match="Nothing to review"):
        session.review()
    await drive(session, session.submit("tea or coffee"))
    [review] = await drive(session, session.review())
    assert review.model == "mock:judge" and set(review.keys) == {"mock:echo", "mock:lorem"}
    assert all(a.review and a.review.score is not None for a in session.answers.values())
    await drive(session, session.review("mock:echo"))  # echo gives no JSON verdict
    assert all(a.review and a.review.error for a in session.answers.values())
    status = await stored(services, "SELECT status FROM sessions")
    assert status == [("completed",)]


async def test_synthesis_asks_for_its_model_once_per_session(services: Services) -> None:
    session = opened(services)
    await drive(session, session.submit("name a colour"))
    with pytest.raises(Refused, match="Choose the model"):
        session.synthesize()
    [run] = await drive(session, session.synthesize("mock:lorem"))
    assert run.keys == (SYNTHESIS,) and session.synthesizer == "mock:lorem"
    await drive(session, session.synthesize())
    assert session.answers[SYNTHESIS].model == "mock:lorem"
    session.clear()
    assert session.synthesizer is None and session.answers == {}


async def test_clear_is_refused_while_a_run_is_in_flight(services: Services) -> None:
    session = opened(services)
    started = session.submit("hello")
    with pytest.raises(Refused, match="Cancel the run"):
        session.clear()
    await drive(session, started)
    old = session.conversation.session_id
    session.clear()
    assert session.conversation.session_id != old


async def test_the_best_mark_is_also_the_persons_vote_seen_with_names(services: Services) -> None:
    session = opened(services)
    await drive(session, session.submit("tea or coffee"))
    session.mark_best("mock:lorem")
    votes = await stored(services, "SELECT contestants, outcome, voter, blind, winner FROM votes")
    lorem = session.answers["mock:lorem"].response_id
    assert votes == [('["mock:echo", "mock:lorem"]', "win", "user", 0, lorem)]
    session.mark_best("mock:echo")
    winners = await stored(services, "SELECT winner FROM votes")
    assert winners == [(session.answers["mock:echo"].response_id,)]
    session.mark_best("mock:echo")  # unmarked: no vote left
    assert await stored(services, "SELECT winner FROM votes") == []


def test_a_changed_selection_keeps_the_models_in_their_places() -> None:
    session = WorkspaceSession()
    session.select(["mock:lorem", "mock:echo"])
    session.reselect(["mock:echo", "mock:flaky", "mock:lorem"])  # the list's own order
    assert session.models == ["mock:lorem", "mock:echo", "mock:flaky"]
    session.reselect(["mock:flaky", "mock:lorem"])
    assert session.models == ["mock:lorem", "mock:flaky"]


async def test_each_prompt_run_says_whether_it_follows_on(services: Services) -> None:
    session = opened(services, "mock:echo")
    [first] = await drive(session, session.submit("first"))
    [second] = await drive(session, session.submit("second"))
    assert (first.text, first.follow_up) == ("first", False)
    assert (second.text, second.follow_up) == ("second", True)


SLOW_LOREM = "models:\n  mock:lorem:\n    options: {tokens_per_second: 50, tokens: 5000}\n"


async def cancel_once_echo_ends(session: WorkspaceSession, prompt: str) -> None:
    """Send ``prompt`` to a fast echo and a slow lorem; cancel the run once the echo has ended."""
    started = session.submit(prompt)
    assert started is not None
    async for event in started.run:
        session.handle(event)
        echo = session.answers.get("mock:echo")
        if echo is not None and echo.ended is not None:
            started.run.cancel()
    session.finished(started.run)


@pytest.fixture
async def slow_services(
    paths: Paths, write_models: Callable[[str], Path]
) -> AsyncIterator[Services]:
    """Services whose lorem streams slowly, so a run can be cancelled while it answers."""
    from orchestrator_tui.services import open_services

    write_models(SLOW_LOREM)
    services = await open_services(paths)
    try:
        yield services
    finally:
        await services.aclose()


async def test_a_cancelled_answer_is_not_counted_as_a_failure(slow_services: Services) -> None:
    import time

    session = opened(slow_services)
    await cancel_once_echo_ends(session, "one slow, one fast")
    lorem_answer = session.answers["mock:lorem"].ended
    assert lorem_answer is not None and lorem_answer.status == "cancelled"
    await slow_services.recorder.flush()
    stats = {s.model: s for s in await slow_services.sessions.stats(0, time.time() + 1)}
    lorem = stats["mock:lorem"]
    assert (lorem.calls, lorem.ok, lorem.cancelled) == (1, 0, 1)
    assert stats["mock:echo"].success_rate == 1.0
    assert lorem.success_rate == 0.0  # nothing ran to its end: no rate to speak of


async def test_a_failed_answer_retried_succeeds_and_the_conversation_keeps_one(
    services: Services,
) -> None:
    session = opened(services, "mock:flaky", "mock:echo")
    await drive(session, session.submit("try this"))
    failed = session.answers["mock:flaky"].ended
    assert failed is not None and failed.status == "failed"
    [retry] = await drive(session, session.retry("mock:flaky"))
    assert retry.kind == "retry" and retry.keys == ("mock:flaky",)
    ended = session.answers["mock:flaky"].ended
    assert ended is not None and ended.status == "ok"
    history = session.conversation.histories["mock:flaky"]
    assert [(m.role, m.text) for m in history] == [
        ("user", "try this"),
        ("assistant", ended.text),
    ]


async def test_a_follow_up_continues_each_conversation_and_follows_its_prompt(
    services: Services,
) -> None:
    session = opened(services)
    await drive(session, session.submit("first question"))
    await drive(session, session.submit("second question"))
    history = session.conversation.histories["mock:echo"]
    assert [m.text for m in history] == ["first question"] * 2 + ["second question"] * 2
    rows = await stored(
        services,
        "SELECT id, parent_id FROM interactions WHERE type = 'prompt' ORDER BY created_at",
    )
    assert len({sid for (sid,) in await stored(services, "SELECT id FROM sessions")}) == 1
    assert rows[1][1] == rows[0][0]


async def test_answers_ended_before_a_run_is_cancelled_stay_in_the_conversation(
    slow_services: Services,
) -> None:
    session = opened(slow_services)
    await cancel_once_echo_ends(session, "first")
    assert [m.text for m in session.conversation.histories["mock:echo"]] == ["first"] * 2
    follow = session.submit("second")
    assert follow is not None and follow.follow_up
    follow.run.cancel()  # before the run's first step: it still ends, as cancelled
    await drive(session, follow)


def test_a_wanted_model_listed_later_joins_the_selection_unless_the_person_chose() -> None:
    """``default_models`` naming a model a local server lists after the first paint."""
    wanted = ["ollama:llama3", "mock:echo", "nowhere:x"]
    session = WorkspaceSession()
    session.select_wanted(wanted, {"mock:echo", "mock:lorem"})
    assert session.models == ["mock:echo"]
    assert not session.listed_more({"mock:echo", "mock:lorem"})  # nothing new: as it was
    assert session.listed_more({"mock:echo", "mock:lorem", "ollama:llama3"})
    assert session.models == ["ollama:llama3", "mock:echo"]  # in the order wanted

    chose = WorkspaceSession()
    chose.select_wanted(wanted, {"mock:echo", "mock:lorem"})
    chose.reselect(["mock:echo", "mock:lorem"])  # the person adds lorem before discovery
    assert not chose.listed_more({"mock:echo", "mock:lorem", "ollama:llama3"})
    assert chose.models == ["mock:echo", "mock:lorem"]
