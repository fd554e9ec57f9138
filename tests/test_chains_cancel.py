"""Cancelling one answer inside a chain step: the step goes on with what it has, never fails."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from orchestrator_tui.core.chains.engine import describe, start_chain
from orchestrator_tui.core.chains.library import ChainLibrary
from orchestrator_tui.core.chains.loader import load_chain
from orchestrator_tui.core.events import (
    ResponseEnded,
    ResponseStarted,
    RunEvent,
    RunFinished,
    StepFinished,
    TextDelta,
)
from orchestrator_tui.services import Services

MODELS = """\
models:
  mock:slow:
    api_name: lorem
    options: {tokens_per_second: 20, tokens: 400}
  mock:silent:
    api_name: echo
    options: {ttft: 3600}
  mock:judge-low:
    api_name: judge
    options: {scores: [0.2]}
"""


@pytest.fixture
def models(write_models: Callable[[str], object]) -> None:
    write_models(MODELS)


@pytest.fixture
def svc(models: None, services: Services) -> Services:
    """The app's services with the models above (written before the services open)."""
    return services


class Cancelling:
    """Runs a chain and cancels the answers of ``model`` (after some text, if ``after_text``)."""

    def __init__(self, model: str, *, after_text: bool) -> None:
        self.model = model
        self.after_text = after_text
        self.events: list[RunEvent] = []
        self.cancelled: set[str] = set()

    async def run(self, svc: Services, text: str) -> None:
        library = ChainLibrary(svc.config.catalog, svc.config.paths.chain_folders())
        chain = load_chain(textwrap.dedent(text), "test.yaml", personas=library.personas)
        started = start_chain(svc.orchestrator, chain, {}, personas=library.personas)
        chosen: dict[str, int] = {}
        async for event in started:
            self.events.append(event)
            if isinstance(event, ResponseStarted) and event.model == self.model:
                chosen[event.response_id] = 0
                if not self.after_text:
                    self._cancel(started, event.response_id)
            elif isinstance(event, TextDelta) and event.response_id in chosen:
                chosen[event.response_id] += 1
                if chosen[event.response_id] == 6:  # a few words in
                    self._cancel(started, event.response_id)
        await svc.recorder.flush()

    def _cancel(self, run, response_id: str) -> None:  # type: ignore[no-untyped-def]
        if response_id not in self.cancelled:
            assert run.cancel(response_id)
            self.cancelled.add(response_id)

    @property
    def status(self) -> str:
        return next(e.status for e in self.events if isinstance(e, RunFinished))

    def step(self, step_id: str) -> StepFinished:
        return next(e for e in self.events if isinstance(e, StepFinished) and e.step_id == step_id)

    def ended(self, response_id: str) -> ResponseEnded:
        return next(
            e for e in self.events if isinstance(e, ResponseEnded) and e.response_id == response_id
        )


async def cancelling(svc: Services, model: str, text: str, *, after_text: bool) -> Cancelling:
    out = Cancelling(model, after_text=after_text)
    await out.run(svc, text)
    return out


async def test_cancelling_the_only_answer_of_a_generate_step_cancels_the_run_not_fails_it(
    svc: Services,
) -> None:
    out = await cancelling(
        svc,
        "mock:slow",
        """\
        steps:
          - {id: draft, kind: generate, model: mock:slow, prompt: "write"}
          - {id: after, kind: generate, model: mock:echo, prompt: "{{ steps.draft.output }}"}
        """,
        after_text=True,
    )
    draft = out.step("draft")
    (cancelled,) = out.cancelled
    assert out.ended(cancelled).status == "cancelled"
    assert (draft.status, draft.error) == ("cancelled", None)
    assert draft.output and draft.output == out.ended(cancelled).text  # the partial text is kept
    assert out.status == "cancelled"
    assert [e.step_id for e in out.events if isinstance(e, StepFinished)] == ["draft"]
    session = await svc.sessions.get(out.events[0].session_id)  # type: ignore[union-attr]
    assert session is not None and session.status == "cancelled"
    row = await svc.db.fetchone("SELECT status FROM chain_steps WHERE step_id = 'draft'")
    assert row["status"] == "cancelled"
    answer = await svc.db.fetchone("SELECT status FROM interactions WHERE id = ?", (cancelled,))
    assert answer["status"] == "cancelled"


async def test_a_parallel_step_goes_on_with_the_answers_left_when_one_is_cancelled(
    svc: Services,
) -> None:
    out = await cancelling(
        svc,
        "mock:slow",
        """\
        steps:
          - {id: many, kind: parallel, models: [mock:echo, mock:slow], prompt: "same question"}
          - {id: final, kind: synthesize, model: mock:echo, from: [many]}
        """,
        after_text=True,
    )
    many = out.step("many")
    (cancelled,) = out.cancelled
    partial = out.ended(cancelled).text
    assert partial
    assert (many.status, many.error) == ("ok", None)
    assert many.output == "## mock:echo\n\nsame question"
    assert many.details == {"cancelled": 1}
    assert describe(many.details) == "1 cancelled"
    assert out.step("final").status == "ok" and partial not in out.step("final").output
    assert out.status == "completed"


async def test_a_parallel_step_whose_every_answer_was_cancelled_ends_cancelled(
    svc: Services,
) -> None:
    out = await cancelling(
        svc,
        "mock:silent",
        """\
        steps:
          - {id: many, kind: parallel, models: [mock:silent, mock:silent], prompt: "hello"}
        """,
        after_text=False,
    )
    assert len(out.cancelled) == 2
    many = out.step("many")
    assert (many.status, many.output, many.error) == ("cancelled", "", None)
    assert out.status == "cancelled"


async def test_a_cancelled_rewrite_leaves_the_refine_step_with_its_last_reviewed_version(
    svc: Services,
) -> None:
    out = await cancelling(
        svc,
        "mock:slow",
        """\
        steps:
          - {id: draft, kind: generate, model: mock:echo, prompt: "first version"}
          - id: polish
            kind: refine
            target: draft
            model: mock:slow
            reviewer: mock:judge-low
            threshold: 0.9
            max_iterations: 3
        """,
        after_text=True,
    )
    polish = out.step("polish")
    (cancelled,) = out.cancelled
    assert out.ended(cancelled).text
    assert polish.status == "ok" and polish.error is None
    assert polish.output == "first version"
    assert polish.scores == (0.2,)
    assert polish.details == {"rewrites": 0, "kept": 0, "passed": False, "stopped": "cancelled"}
    assert out.status == "completed"


async def test_a_cancelled_turn_ends_the_conversation_with_the_turns_before_it(
    svc: Services,
) -> None:
    out = await cancelling(
        svc,
        "mock:slow",
        """\
        steps:
          - id: talk
            kind: conversation
            models: [mock:echo, mock:slow]
            turns: 4
            topic: "tea"
        """,
        after_text=True,
    )
    talk = out.step("talk")
    (cancelled,) = out.cancelled
    assert out.ended(cancelled).text not in talk.output
    assert talk.status == "ok"
    assert (talk.details["turns"], talk.details["stopped"]) == (1, "cancelled")
    assert out.status == "completed"


async def test_a_conversation_cancelled_at_its_first_turn_ends_cancelled(svc: Services) -> None:
    out = await cancelling(
        svc,
        "mock:silent",
        """\
        steps:
          - {id: talk, kind: conversation, models: [mock:silent, mock:echo], turns: 2, topic: "x"}
        """,
        after_text=False,
    )
    assert out.step("talk").status == "cancelled"
    assert out.status == "cancelled"
