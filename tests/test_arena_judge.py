"""A judge compares stored answers pairwise in both orders; its bias shows as inconsistency."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner
from history_factory import make_session

from orchestrator_tui.cli import cli
from orchestrator_tui.core.arena.judge import (
    Comparison,
    Contender,
    JudgementError,
    pairs_to_judge,
    parse_pair_verdict,
)
from orchestrator_tui.core.arena.votes import new_vote
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.sessions import SessionStore
from orchestrator_tui.store.votes import VoteFilter

SHORT, MEDIUM, LONG = (
    "Two.",
    "Two, the only even prime.",
    "Two: the only even prime, and the smallest.",
)


def fill(paths, *, with_arbiter: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
    """Three sessions of three answers each (peer-3 always longest); the person voted in one."""

    async def go() -> list[str]:
        db = await Database.open(paths.database)
        store = SessionStore(db)
        ids = []
        for number in range(5, 8):
            answers = {"mock:peer-1": SHORT, "mock:peer-2": MEDIUM, "mock:peer-3": LONG}
            if with_arbiter:
                answers["mock:arbiter"] = LONG + " Really."
            detail = make_session(number, "Which prime is even?", answers)
            await store.import_detail(detail)
            ids.append(detail.session.id)
            if number == 5:
                shown = [(i.id, i.model or "") for i in detail.interactions[1:4]]
                await store.add_votes(
                    [new_vote(detail.session.id, shown, "win", winner=shown[2][0], blind=True)]
                )
        await db.close()
        return ids

    return asyncio.run(go())


def run_judge(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["arena", "judge", "--json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_fair_judge_is_consistent_and_agrees_with_the_person(paths) -> None:
    fill(paths)
    found = run_judge("--judge", "mock:arbiter")
    assert found["sessions"] == 3
    assert found["judgements"] == 3 * 6  # three pairs, both orders, in each session
    assert found["failed"] == 0
    assert (found["pairs"], found["consistent"], found["inconsistent"]) == (9, 9, False)
    assert found["first_shown_won"] == 9 and found["decided"] == 18  # half went to the first shown
    assert (found["compared_with_user"], found["agreed_with_user"]) == (2, 2)

    async def judged() -> list:  # type: ignore[type-arg]
        db = await Database.open(paths.database)
        try:
            return await SessionStore(db).votes(VoteFilter(voter="mock:arbiter"))
        finally:
            await db.close()

    votes = asyncio.run(judged())
    assert len(votes) == 18 and all(v.blind and v.winning_contestant for v in votes)
    board = json.loads(
        CliRunner().invoke(cli, ["arena", "leaderboard", "--json", "--voter", "judges"]).stdout
    )
    assert [row["model"] for row in board] == ["mock:peer-3", "mock:peer-2", "mock:peer-1"]


def test_a_judge_with_a_position_bias_is_reported_inconsistent(paths) -> None:
    fill(paths)
    found = run_judge("--judge", "mock:arbiter-biased")
    assert found["pairs"] == 9 and found["consistent"] == 0
    assert found["inconsistent"] is True
    assert found["first_shown_won"] == found["decided"] == 18
    text = CliRunner().invoke(cli, ["arena", "judge", "--judge", "mock:arbiter-biased"]).output
    assert "INCONSISTENT" in text and "first shown won 18 of 18" in text


def test_a_judge_never_judges_its_own_models_answers(paths) -> None:
    ids = fill(paths, with_arbiter=True)
    found = run_judge("--judge", "mock:arbiter", "--sessions", ids[0])
    assert found["sessions"] == 1 and found["judgements"] == 6  # peer pairs only
    comparison = Comparison(
        "s",
        "q",
        (Contender("1", "m:a", "x"), Contender("2", "m:j", "y"), Contender("3", "m:a", "z")),
    )
    assert pairs_to_judge(comparison, "m:j") == []  # the other two share a model: nothing to learn


def test_a_reply_without_a_verdict_line_is_a_failed_judgement_and_no_vote(paths) -> None:
    fill(paths)
    found = run_judge("--judge", "mock:judge")  # answers with a JSON review, not a verdict
    assert found["failed"] == found["judgements"] == 18
    assert found["consistency"] is None
    listed = CliRunner().invoke(cli, ["arena", "votes", "--voter", "judges"]).output
    assert "no votes yet" in listed


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        ("A is clearer.\n\nVERDICT: A", "A"),
        ("Both fine.\nverdict: tie\n", "TIE"),
        ("**VERDICT: B**", "B"),
    ],
)
def test_the_verdict_is_read_from_the_last_line(reply: str, verdict: str) -> None:
    assert parse_pair_verdict(reply) == verdict


@pytest.mark.parametrize(
    "reply",
    ["", "VERDICT: A\nThen again, B is better.", "I prefer A.", "VERDICT: C", "VERDICT: A or B"],
)
def test_anything_else_is_no_verdict(reply: str) -> None:
    with pytest.raises(JudgementError):
        parse_pair_verdict(reply)
