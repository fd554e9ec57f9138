"""Forking a session that came from a chain: the step records travel with the answers they describe."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from orchestrator_tui.config import Paths
from orchestrator_tui.core.chains.engine import start_chain
from orchestrator_tui.core.chains.loader import load_chain
from orchestrator_tui.services import Services
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.detail import SessionDetail
from orchestrator_tui.store.sessions import SessionStore

CHAIN = """\
steps:
  - {id: draft, kind: generate, model: mock:echo, prompt: "a first version"}
  - {id: never, kind: generate, model: mock:echo, prompt: x, when: "steps.draft.status == 'failed'"}
  - id: polish
    kind: refine
    target: draft
    model: mock:echo
    reviewer: mock:judge-rising
    threshold: 0.8
    max_iterations: 3
"""


@pytest.fixture
def models(write_models: Callable[[str], object]) -> None:
    write_models("models:\n  mock:judge-rising: {api_name: judge, options: {scores: [0.3, 0.9]}}\n")


@pytest.fixture
def svc(models: None, services: Services) -> Services:
    """The app's services with the judge above (written before the services open)."""
    return services


async def chain_session(svc: Services) -> SessionDetail:
    run = start_chain(svc.orchestrator, load_chain(CHAIN, "c.yaml"), {})
    await run.wait()
    await svc.recorder.flush()
    detail = await svc.sessions.detail(run.session_id)
    assert [s.status for s in detail.chain_steps] == ["ok", "skipped", "ok"]
    return detail


async def test_a_fork_of_a_whole_chain_session_has_every_step_record(svc: Services) -> None:
    source = await chain_session(svc)
    fork = await svc.sessions.detail(
        await svc.sessions.fork(source.session.id, source.interactions[-1].id)
    )
    fields = [
        (s.step_id, s.kind, s.position, s.status, s.score, s.scores, s.output, s.error, s.details)
        for s in fork.chain_steps
    ]
    assert fields == [
        (s.step_id, s.kind, s.position, s.status, s.score, s.scores, s.output, s.error, s.details)
        for s in source.chain_steps
    ]
    assert fork.chain_steps[2].details == {"rewrites": 1, "passed": True}
    assert fork.chain_steps[2].scores == (0.3, 0.9)
    assert {s.run_id for s in fork.chain_steps}.isdisjoint({s.run_id for s in source.chain_steps})
    assert len({s.run_id for s in fork.chain_steps}) == 1
    # The original keeps its own records.
    again = await svc.sessions.detail(source.session.id)
    assert again.chain_steps == source.chain_steps


async def test_a_fork_inside_a_chain_keeps_only_the_steps_that_had_ended_by_then(
    svc: Services,
) -> None:
    source = await chain_session(svc)
    draft = next(i for i in source.interactions if i.step_id == "draft")
    fork = await svc.sessions.detail(await svc.sessions.fork(source.session.id, draft.id))
    assert [i.step_id for i in fork.interactions] == [None, "draft"]
    assert [(s.step_id, s.status) for s in fork.chain_steps] == [
        ("draft", "ok"),
        ("never", "skipped"),
    ]
    assert fork.chain_steps[0].output == draft.content

    review = next(i for i in source.interactions if i.step_id == "polish")  # the refine's first
    cut = await svc.sessions.detail(await svc.sessions.fork(source.session.id, review.id))
    assert "polish" not in {s.step_id for s in cut.chain_steps}  # cut through: no false record


async def test_a_session_forked_twice_and_its_fork_forked_again_all_keep_their_steps(
    svc: Services, paths: Paths
) -> None:
    source = await chain_session(svc)
    last = source.interactions[-1].id
    first = await svc.sessions.fork(source.session.id, last)
    second = await svc.sessions.fork(source.session.id, last)
    fork_of_fork = await svc.sessions.fork(
        first, (await svc.sessions.detail(first)).interactions[-1].id
    )
    await svc.recorder.flush()

    # Read back from the file itself, through a second connection.
    db = await Database.open(paths.database)
    try:
        store = SessionStore(db)
        for session_id in (first, second, fork_of_fork):
            detail = await store.detail(session_id)
            assert [s.step_id for s in detail.chain_steps] == ["draft", "never", "polish"]
    finally:
        await db.close()
    with sqlite3.connect(paths.database) as raw:
        counts = raw.execute(
            "SELECT session_id, COUNT(*) FROM chain_steps GROUP BY session_id"
        ).fetchall()
    assert sorted(n for _, n in counts) == [3, 3, 3, 3]
