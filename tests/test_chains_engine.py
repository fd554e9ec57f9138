"""The chain engine on mock models: every step kind, conditions, loops, failures, and the record."""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from orchestrator_tui.config import Paths
from orchestrator_tui.core.chains.engine import describe, start_chain
from orchestrator_tui.core.chains.library import ChainLibrary
from orchestrator_tui.core.chains.loader import load_chain
from orchestrator_tui.core.events import (
    ResponseEnded,
    ResponseStarted,
    ReviewReady,
    RunEvent,
    RunFinished,
    StepFinished,
    StepIteration,
    StepStarted,
)
from orchestrator_tui.services import Services, open_services

MODELS = """\
models:
  mock:judge-rising:
    api_name: judge
    options: {scores: [0.3, 0.5, 0.9]}
  mock:judge-low:
    api_name: judge
    options: {scores: [0.2]}
  mock:judge-fixed:
    api_name: judge
    options: {scores: [0.7]}
  mock:judge-dipping:
    api_name: judge
    options: {scores: [0.3, 0.7, 0.5]}
  mock:broken:
    api_name: flaky
    options: {schedule: [mid]}
  mock:parrot:
    api_name: lorem
    options: {seed: 7, tokens: 30}
  mock:slow:
    api_name: lorem
    options: {tokens_per_second: 20}
"""


@dataclass
class Outcome:
    events: list[RunEvent] = field(default_factory=list)
    session_id: str = ""

    @property
    def status(self) -> str:
        return next(e.status for e in self.events if isinstance(e, RunFinished))

    def step(self, step_id: str) -> StepFinished:
        return next(e for e in self.events if isinstance(e, StepFinished) and e.step_id == step_id)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
async def svc(paths: Paths, write_models: Callable[[str], object]) -> AsyncIterator[Services]:
    write_models(MODELS)
    services = await open_services(paths)
    try:
        yield services
    finally:
        await services.aclose()


async def run(svc: Services, text: str, **inputs: str) -> Outcome:
    library = ChainLibrary(svc.config.catalog, svc.config.paths.chain_folders())
    chain = load_chain(
        textwrap.dedent(text), "test.yaml", personas=library.personas, catalog=svc.config.catalog
    )
    started = start_chain(svc.orchestrator, chain, inputs, personas=library.personas)
    outcome = Outcome(session_id=started.session_id)
    async for event in started:
        outcome.events.append(event)
    await svc.recorder.flush()
    return outcome


async def test_generate_renders_the_prompt_and_applies_persona_and_role(svc: Services) -> None:
    out = await run(
        svc,
        """\
        inputs: {topic: ""}
        steps:
          - id: draft
            kind: generate
            model: mock:echo
            persona: critic
            role: summarize
            system: "Answer in {{ inputs.topic }}."
            temperature: 0.2
            prompt: "Tell me about {{ inputs.topic }}"
        """,
        topic="bees",
    )
    assert out.status == "completed"
    assert out.step("draft").output == "Tell me about bees"
    row = await svc.db.fetchone("SELECT params FROM requests")
    params = json.loads(row["params"])
    assert params["temperature"] == 0.2
    system = params["system"]
    assert (
        system.index("sharp, fair critic")
        < system.index("summarize")
        < system.index("Answer in bees.")
    )


async def test_parallel_keeps_going_when_one_model_fails(svc: Services) -> None:
    out = await run(
        svc,
        """\
        steps:
          - id: many
            kind: parallel
            models: [mock:echo, mock:broken, mock:echo]
            prompt: "same question"
        """,
    )
    step = out.step("many")
    assert step.status == "ok" and out.status == "completed"
    assert "mock:broken" in (step.error or "")
    assert step.output.count("same question") == 2


async def test_a_review_step_scores_its_target_and_the_verdict_is_stored(svc: Services) -> None:
    out = await run(
        svc,
        """\
        steps:
          - id: draft
            kind: generate
            model: mock:lorem
            prompt: write
          - id: check
            kind: review
            target: draft
            reviewer: mock:judge-fixed
            criteria: Be brief.
        """,
    )
    step = out.step("check")
    assert (step.status, step.score) == ("ok", 0.7)
    assert step.output.startswith("Score: 0.70")
    rows = await svc.db.fetchall("SELECT reviewer, score, interaction_id FROM reviews")
    draft_id = next(e.response_id for e in out.of(ResponseStarted) if e.step_id == "draft")
    assert [(r["reviewer"], r["score"], r["interaction_id"]) for r in rows] == [
        ("mock:judge-fixed", 0.7, draft_id)
    ]


REFINE = """\
steps:
  - id: draft
    kind: generate
    model: mock:lorem
    prompt: "write about {{ inputs.topic }}"
  - id: polish
    kind: refine
    target: draft
    reviewer: {reviewer}
    threshold: 0.8
    max_iterations: {limit}
inputs: [topic]
"""


async def test_refine_rewrites_until_the_score_reaches_the_threshold(svc: Services) -> None:
    out = await run(svc, REFINE.format(reviewer="mock:judge-rising", limit=5), topic="tea")
    step = out.step("polish")
    assert step.status == "ok" and step.scores == (0.3, 0.5, 0.9) and step.score == 0.9
    iterations = out.of(StepIteration)
    assert [(i.iteration, i.score, i.passed) for i in iterations] == [
        (0, 0.3, False),
        (1, 0.5, False),
        (2, 0.9, True),
    ]
    rewrites = [e for e in out.of(ResponseStarted) if e.role == "refinement"]
    assert len(rewrites) == 2
    assert step.details == {"rewrites": 2, "passed": True}
    assert step.output == out.of(ResponseEnded)[-2].text  # the last rewrite, not the draft
    stored = await svc.db.fetchall(
        "SELECT type FROM interactions WHERE step_id = 'polish' ORDER BY seq"
    )
    assert [r["type"] for r in stored] == [
        "review",
        "refinement",
        "review",
        "refinement",
        "review",
    ]


async def test_refine_stops_at_max_iterations_when_the_score_never_passes(svc: Services) -> None:
    out = await run(svc, REFINE.format(reviewer="mock:judge-low", limit=2), topic="tea")
    step = out.step("polish")
    assert out.status == "completed"
    assert step.status == "ok" and step.scores == (0.2, 0.2, 0.2)
    assert [i.passed for i in out.of(StepIteration)] == [False, False, False]
    assert len([e for e in out.of(ResponseStarted) if e.role == "refinement"]) == 2


async def test_refine_that_never_passes_keeps_its_best_scored_version_not_its_last(
    svc: Services,
) -> None:
    out = await run(svc, REFINE.format(reviewer="mock:judge-dipping", limit=2), topic="tea")
    step = out.step("polish")
    assert step.status == "ok" and step.scores == (0.3, 0.7, 0.5)
    rewrites = [e for e in out.of(ResponseStarted) if e.role == "refinement"]
    ended = {e.response_id: e for e in out.of(ResponseEnded)}
    first, second = (ended[r.response_id] for r in rewrites)
    assert step.output == first.text != second.text  # iteration 1 scored 0.7, iteration 2 0.5
    assert step.score == 0.7
    assert step.details == {"rewrites": 2, "passed": False, "kept": 1}
    assert describe(step.details) == (
        "2 rewrites · threshold not reached · kept iteration 1, the best-scored"
    )
    row = await svc.db.fetchone("SELECT output, details FROM chain_steps WHERE step_id = 'polish'")
    assert row["output"] == first.text and json.loads(row["details"])["kept"] == 1


async def test_a_reviewer_answering_garbage_fails_the_step_never_passes(svc: Services) -> None:
    out = await run(svc, REFINE.format(reviewer="mock:echo", limit=2), topic="tea")
    step = out.step("polish")
    assert step.status == "failed" and step.score is None
    assert "no usable verdict" in (step.error or "")
    assert out.status == "failed"
    assert out.step("draft").status == "ok" and out.step("draft").output
    (review,) = out.of(ReviewReady)
    assert review.score is None and review.error
    row = await svc.db.fetchone("SELECT score, feedback FROM reviews")
    assert row["score"] is None and "JSON" in row["feedback"]


async def test_a_model_failing_mid_way_fails_the_run_and_keeps_earlier_outputs(
    svc: Services,
) -> None:
    out = await run(
        svc,
        """\
        steps:
          - id: first
            kind: generate
            model: mock:echo
            prompt: "the first answer stays"
          - id: second
            kind: generate
            model: mock:broken
            prompt: "{{ steps.first.output }}"
          - id: third
            kind: generate
            model: mock:echo
            prompt: never
        """,
    )
    assert out.status == "failed"
    assert out.step("first").output == "the first answer stays"
    second = out.step("second")
    assert second.status == "failed" and "mid-stream" in (second.error or "")
    assert second.output  # the partial text is kept
    assert "third" not in {e.step_id for e in out.of(StepStarted)}
    session = await svc.sessions.get(out.session_id)
    assert session is not None and session.status == "failed" and session.kind == "chain"
    rows = await svc.db.fetchall(
        "SELECT step_id, status, output FROM chain_steps WHERE session_id = ? ORDER BY position",
        (out.session_id,),
    )
    assert [(r["step_id"], r["status"]) for r in rows] == [("first", "ok"), ("second", "failed")]
    assert rows[0]["output"] == "the first answer stays"


WHEN = """\
steps:
  - id: rate
    kind: review
    target: draft
    reviewer: mock:judge-fixed
  - id: fix
    kind: generate
    model: mock:echo
    when: "{condition}"
    prompt: "fixing after {{{{ steps.rate.score }}}}"
  - id: last
    kind: generate
    model: mock:echo
    prompt: "fix was {{{{ steps.fix.status }}}}"
"""
DRAFT = "steps:\n  - id: draft\n    kind: generate\n    model: mock:lorem\n    prompt: go\n"


@pytest.mark.parametrize(
    ("condition", "ran"),
    [("steps.rate.score < 0.8", True), ("steps.rate.score >= 0.8", False)],
)
async def test_when_runs_or_skips_a_step_on_earlier_results(
    svc: Services, condition: str, ran: bool
) -> None:
    text = DRAFT + WHEN.format(condition=condition).removeprefix("steps:\n")
    out = await run(svc, text)
    assert out.status == "completed"
    fix = out.step("fix")
    assert fix.status == ("ok" if ran else "skipped")
    assert out.step("last").output == f"fix was {'ok' if ran else 'skipped'}"
    if ran:
        assert fix.output == "fixing after 0.7"


async def test_a_condition_that_cannot_be_evaluated_fails_with_its_location(
    svc: Services,
) -> None:
    out = await run(
        svc,
        DRAFT
        + "  - id: next\n    kind: generate\n    model: mock:echo\n    prompt: x\n"
        + "    when: steps.draft.score > 0.5\n",
    )
    step = out.step("next")
    assert step.status == "failed" and out.status == "failed"
    assert (step.error or "").startswith("test.yaml:10: steps.next.when:")


async def test_synthesize_shows_the_judge_every_answer_with_its_label(svc: Services) -> None:
    out = await run(
        svc,
        """\
        steps:
          - id: answers
            kind: parallel
            models: [mock:echo, mock:lorem]
            prompt: "the question"
          - id: single
            kind: generate
            model: mock:echo
            prompt: "one more view"
          - id: merged
            kind: synthesize
            model: mock:echo
            from: [answers, single]
        """,
    )
    merged = out.step("merged").output
    assert "## Request\n\nthe question" in merged
    for label in ("answers: mock:echo", "answers: mock:lorem", "(single)"):
        assert label in merged
    roles = {e.step_id: e.role for e in out.of(ResponseStarted)}
    assert roles["merged"] == "synthesis"


CONVERSATION = """\
steps:
  - id: talk
    kind: conversation
    models: {models}
    topic: "{topic}"
    turns: {turns}
    judge: mock:judge-fixed
"""


async def test_a_conversation_takes_turns_up_to_the_limit_and_is_judged(svc: Services) -> None:
    text = CONVERSATION.format(models="[mock:lorem, mock:parrot]", topic="tides", turns=3)
    text = text.replace("    judge", '    stop_phrases: ["zzz"]\n    judge')
    out = await run(svc, text)
    talk = out.step("talk")
    assert talk.status == "ok" and talk.score == 0.7
    turns = [e for e in out.of(ResponseStarted) if e.role == "turn"]
    assert [t.model for t in turns] == ["mock:lorem", "mock:parrot", "mock:lorem"]
    facts = {k: v for k, v in talk.details.items() if not k.startswith("quality")}
    assert facts == {"turns": 3, "models": 2, "stopped": "turn limit", "judge_score": 0.7}
    assert set(talk.details["quality_factors"]) == {"length", "diversity", "flow", "completion"}
    quality = talk.details["quality"]
    assert describe(talk.details) == f"3 turns · 2 models · stopped: turn limit · quality {quality}"
    assert describe({"turns": 6, "models": 1}) == "6 turns · 1 model"  # a dry run's one mock
    assert "**Speaker 2 (mock:parrot)**" in talk.output


async def test_a_conversation_stops_early_on_a_closing_phrase(svc: Services) -> None:
    text = CONVERSATION.format(models="[mock:echo, mock:lorem]", topic="say goodbye", turns=6)
    out = await run(svc, text)
    assert len([e for e in out.of(ResponseStarted) if e.role == "turn"]) == 1


async def test_a_conversation_stops_early_when_a_turn_repeats(svc: Services) -> None:
    text = CONVERSATION.format(models="[mock:parrot, mock:parrot]", topic="t", turns=6)
    out = await run(svc, text)
    assert len([e for e in out.of(ResponseStarted) if e.role == "turn"]) == 2
    assert out.step("talk").status == "ok"
    assert out.step("talk").details["stopped"] == "repetition"


async def test_a_garbage_dialogue_judge_fails_the_step_but_keeps_the_transcript(
    svc: Services,
) -> None:
    text = CONVERSATION.format(models="[mock:lorem, mock:parrot]", topic="t", turns=2)
    out = await run(svc, text.replace("judge: mock:judge-fixed", "judge: mock:echo"))
    talk = out.step("talk")
    assert (talk.status, out.status) == ("failed", "failed")
    assert "no usable verdict" in (talk.error or "")
    assert "**Speaker 1 (mock:lorem)**" in talk.output and "**Speaker 2" in talk.output


async def test_a_heuristic_check_gates_a_refine_loop_without_a_model(svc: Services) -> None:
    out = await run(
        svc,
        """\
        steps:
          - id: draft
            kind: generate
            model: mock:echo
            prompt: "short text about pandas"
          - id: gate
            kind: refine
            target: draft
            checks:
              - {kind: keywords, words: [pandas]}
              - {kind: length, max_words: 10}
              - {kind: regex, pattern: "^short"}
        """,
    )
    gate = out.step("gate")
    assert (gate.status, gate.scores) == ("ok", (1.0,))
    assert sorted(r.reviewer for r in out.of(ReviewReady)) == ["keywords", "length", "regex"]


async def test_cancelling_a_chain_ends_the_running_step_as_cancelled(svc: Services) -> None:
    library = ChainLibrary(svc.config.catalog, svc.config.paths.chain_folders())
    chain = load_chain(
        "steps: [{id: slow, kind: generate, model: mock:slow, prompt: go}]", "c.yaml"
    )
    started = start_chain(svc.orchestrator, chain, {}, personas=library.personas)
    events: list[RunEvent] = []
    async for event in started:
        events.append(event)
        if isinstance(event, ResponseStarted):
            await asyncio.sleep(0.05)
            started.cancel()
    await svc.recorder.flush()
    assert started.status == "cancelled"
    finished = [e for e in events if isinstance(e, StepFinished)]
    assert [f.status for f in finished] == ["cancelled"]
    row = await svc.db.fetchone("SELECT status FROM chain_steps")
    assert row["status"] == "cancelled"


async def test_a_chain_run_is_stored_as_a_chain_session(svc: Services) -> None:
    out = await run(svc, REFINE.format(reviewer="mock:judge-rising", limit=3), topic="tea")
    session = await svc.sessions.get(out.session_id)
    assert session is not None
    assert (session.kind, session.status, session.chain_name) == ("chain", "completed", "test")
    assert session.title == "test: tea"
    rows = await svc.sessions.interactions(out.session_id)
    assert rows[0].type == "prompt" and "topic: tea" in rows[0].content
    assert {r.step_id for r in rows[1:]} == {"draft", "polish"}
    steps = await svc.db.fetchall(
        "SELECT step_id, scores, details FROM chain_steps ORDER BY position"
    )
    assert json.loads(steps[1]["scores"]) == [0.3, 0.5, 0.9]
    assert json.loads(steps[1]["details"]) == {"rewrites": 2, "passed": True}


async def test_a_step_left_running_by_a_dead_process_is_marked_interrupted(svc: Services) -> None:
    out = await run(svc, DRAFT)
    await svc.db.write(
        [
            ("UPDATE sessions SET status = 'active', pid = 999999999", ()),
            ("UPDATE chain_steps SET status = 'running', finished_at = NULL", ()),
        ]
    )
    assert await svc.sessions.recover_interrupted() == 1
    row = await svc.db.fetchone(
        "SELECT status FROM chain_steps WHERE session_id = ?", (out.session_id,)
    )
    assert row["status"] == "interrupted"
