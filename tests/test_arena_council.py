"""The council on mock models: answers, blind peer rankings (a garbage one fails alone), the
aggregate, the chairman's answer, and the rankings stored as votes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.config import Paths
from orchestrator_tui.core.arena.ranking import (
    RankingError,
    aggregate,
    parse_ranking,
    ranking_messages,
)
from orchestrator_tui.core.chains import council as council_module
from orchestrator_tui.core.chains.engine import start_chain
from orchestrator_tui.core.chains.loader import load_chain
from orchestrator_tui.core.chains.model import ChainInvalid
from orchestrator_tui.core.events import ResponseStarted, RunEvent, StepFinished, VotesCast
from orchestrator_tui.core.types import Message
from orchestrator_tui.services import Services, open_services
from orchestrator_tui.store.votes import VoteFilter, leaderboard

COUNCIL = """\
inputs: {question: ""}
steps:
  - id: council
    kind: council
    models: [mock:peer-1, mock:peer-2, mock:peer-3, mock:lorem]
    model: mock:arbiter
    aggregate: AGGREGATE
    prompt: "{{ inputs.question }}"
"""


@pytest.fixture
async def svc(paths: Paths) -> AsyncIterator[Services]:
    services = await open_services(paths)
    try:
        yield services
    finally:
        await services.aclose()


async def run_council(svc: Services, method: str) -> tuple[list[RunEvent], str]:
    chain = load_chain(
        COUNCIL.replace("AGGREGATE", method), "test.yaml", catalog=svc.config.catalog
    )
    started = start_chain(svc.orchestrator, chain, {"question": "Why is the sky blue?"})
    events = [event async for event in started]
    await svc.recorder.flush()
    return events, started.session_id


@pytest.mark.parametrize("method", ["borda", "bradley-terry"])
async def test_a_council_of_mocks_ranks_blind_and_a_garbage_ranking_fails_alone(
    svc: Services, method: str
) -> None:
    events, session_id = await run_council(svc, method)
    finished = next(e for e in events if isinstance(e, StepFinished))
    assert finished.status == "ok"
    details = finished.details
    assert details["aggregate"] == method
    # mock:lorem answers, but its "ranking" is lorem ipsum: failed, reported, never guessed at
    assert details["failed_rankings"] == [
        {
            "model": "mock:lorem",
            "error": "the reply does not end with a 'RANKING: 2 > 1 > ...' line",
        }
    ]
    assert details["rankings"] == 3
    # the peers rank by length: lorem writes ~250 words, peer-3 ~105, peer-2 ~80, peer-1 ~55
    ranking = [row["model"] for row in details["ranking"]]  # type: ignore[union-attr]
    assert ranking == ["mock:lorem", "mock:peer-3", "mock:peer-2", "mock:peer-1"]
    # stages, each a response in the run: 4 answers, 4 rankings (reviews), 1 chairman synthesis
    roles = [e.role for e in events if isinstance(e, ResponseStarted)]
    assert (roles.count("response"), roles.count("review"), roles.count("synthesis")) == (4, 4, 1)
    assert finished.output  # the chairman's answer is the step's output
    # each ranker's 3 others as 2 win votes; none from the failed ranker, none about itself
    cast = [v for e in events if isinstance(e, VotesCast) for v in e.votes]
    assert len(cast) == 3 * 2
    assert {v.voter for v in cast} == {"mock:peer-1", "mock:peer-2", "mock:peer-3"}
    assert all(v.blind and v.voter not in v.contestants for v in cast)
    stored = await svc.sessions.votes(VoteFilter(session_id=session_id))
    assert sorted(v.winner or "" for v in stored) == sorted(v.winner or "" for v in cast)


async def test_the_ranker_sees_no_names_and_the_rankings_feed_the_leaderboard(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []

    def recording(question: str, answers: list[str]) -> list[Message]:
        messages = ranking_messages(question, answers)
        shown.extend(m.text for m in messages)
        return messages

    monkeypatch.setattr(council_module, "ranking_messages", recording)
    await run_council(svc, "borda")
    assert len(shown) == 4
    assert all(
        "## Answer 3" in text and "mock:" not in text and "peer" not in text for text in shown
    )
    board = await leaderboard(svc.db, VoteFilter(), resamples=20)
    assert {row.model for row in board} == {
        "mock:peer-1",
        "mock:peer-2",
        "mock:peer-3",
        "mock:lorem",
    }


def test_the_council_preset_runs_offline_with_mock(paths: Paths) -> None:
    result = CliRunner().invoke(
        cli, ["run", "council", "--mock", "--input", "question=Why is the sky blue?"]
    )
    assert result.exit_code == 0, result.output
    votes = CliRunner().invoke(cli, ["arena", "votes", "--json"]).output
    assert {v["voter"] for v in json.loads(votes)} == {"mock:peer-1", "mock:peer-2", "mock:peer-3"}


def test_a_council_needs_three_members_and_a_known_aggregate() -> None:
    text = COUNCIL.replace("AGGREGATE", "average").replace(", mock:peer-3, mock:lorem", "")
    with pytest.raises(ChainInvalid) as caught:
        load_chain(text, "test.yaml")
    message = str(caught.value)
    assert "aggregate: one of borda, bradley-terry" in message
    assert "a council needs 3+ models" in message


@pytest.mark.parametrize(
    ("reply", "count", "order"),
    [("Fine.\nRANKING: 2 > 1 > 3", 3, (1, 0, 2)), ("**ranking: 1>2**", 2, (0, 1))],
)
def test_a_ranking_is_read_from_the_last_line(
    reply: str, count: int, order: tuple[int, ...]
) -> None:
    assert parse_ranking(reply, count) == order


@pytest.mark.parametrize(
    "reply", ["RANKING: 1 > 2", "RANKING: 1 > 1 > 2", "RANKING: 3 > 2 > 1 > 4", "1, 2, 3", ""]
)
def test_an_incomplete_or_repeated_ranking_is_a_failed_ranking(reply: str) -> None:
    with pytest.raises(RankingError):
        parse_ranking(reply, 3)


def test_borda_and_bradley_terry_agree_on_a_clear_order_and_ignore_plain_averages() -> None:
    rankings = [("a", "b", "c"), ("a", "c", "b"), ("b", "a", "c")]
    assert [name for name, _ in aggregate(rankings, "borda")] == ["a", "b", "c"]
    assert [name for name, _ in aggregate(rankings, "bradley-terry")] == ["a", "b", "c"]
    # partial rankings (each ranker leaves itself out) are shares, not raw positions
    partial = [("b", "c"), ("a", "c"), ("a", "b")]
    assert dict(aggregate(partial, "borda")) == {"a": 1.0, "b": 0.5, "c": 0.0}
