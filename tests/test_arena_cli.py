"""`orch-tui arena leaderboard` and `arena votes` over a real history file."""

from __future__ import annotations

import asyncio
import json

from click.testing import CliRunner
from history_factory import make_session

from orchestrator_tui.cli import cli
from orchestrator_tui.core.arena.leaderboard import standings
from orchestrator_tui.core.arena.votes import Vote, battles, new_vote
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.sessions import SessionStore
from orchestrator_tui.store.votes import VoteFilter, leaderboard

MODELS = ("mock:echo", "mock:lorem", "mock:judge")


def fill(paths, votes_per_pair: int = 6) -> list[Vote]:  # type: ignore[no-untyped-def]
    """One session of three answers; echo beats lorem beats judge (mostly), plus a few ties,
    judge votes and one vote seen with names."""

    async def go() -> list[Vote]:
        db = await Database.open(paths.database)
        store = SessionStore(db)
        detail = make_session(4, "Q", dict(zip(MODELS, ("x", "y", "z"), strict=True)))
        await store.import_detail(detail)
        a, b, c = ((i.id, i.model or "") for i in detail.interactions[1:])
        made = []
        for first, second in ((a, b), (b, c), (a, c)):
            made += [
                new_vote(detail.session.id, [first, second], "win", winner=first[0], blind=True)
            ] * votes_per_pair
            made += [
                new_vote(detail.session.id, [second, first], "win", winner=second[0], blind=True)
            ]
            made += [new_vote(detail.session.id, [first, second], "tie", blind=True)]
        made += [
            new_vote(detail.session.id, [c, a], "win", winner=c[0], voter="mock:judge", blind=True)
        ]
        made += [new_vote(detail.session.id, [c, b], "win", winner=c[0])]
        await store.add_votes(made)
        await db.close()
        return made

    return asyncio.run(go())


def test_the_leaderboard_json_has_one_object_per_model_best_first(paths) -> None:
    fill(paths)
    result = CliRunner().invoke(cli, ["arena", "leaderboard", "--json", "--resamples", "200"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["model"] for r in rows] == ["mock:echo", "mock:lorem", "mock:judge"]
    for row in rows:
        assert {"model", "rating", "ci_low", "ci_high", "votes"} <= set(row)
        assert row["ci_low"] <= row["rating"] <= row["ci_high"]
    # blind votes only: 2 x (6 + 1 + 1) + the judge's one for echo and judge; the open one is out
    assert [r["votes"] for r in rows] == [17, 16, 17]
    assert rows[0]["mean_cost"] is not None and rows[0]["mean_latency"] == 5.0


def test_the_leaderboard_counts_the_open_vote_when_asked_and_filters_by_voter(paths) -> None:
    fill(paths)
    runner = CliRunner()
    every = json.loads(runner.invoke(cli, ["arena", "leaderboard", "--json", "--all-votes"]).output)
    assert {r["model"]: r["votes"] for r in every}["mock:lorem"] == 17
    judge = json.loads(
        runner.invoke(cli, ["arena", "leaderboard", "--json", "--voter", "judges"]).output
    )
    assert [(r["model"], r["votes"], r["provisional"]) for r in judge] == [
        ("mock:judge", 1, True),
        ("mock:echo", 1, True),
    ]
    text = runner.invoke(cli, ["arena", "leaderboard", "--resamples", "50"]).output
    assert "mock:echo" in text and "95% CI" in text
    none = runner.invoke(cli, ["arena", "leaderboard", "--category", "poetry"]).output
    assert "no votes match" in none


def test_votes_lists_every_vote_newest_first(paths) -> None:
    fill(paths)
    result = CliRunner().invoke(cli, ["arena", "votes", "-n", "2"])
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert "user: mock:judge beat mock:lorem" in lines[0]  # the open vote, stored last
    data = json.loads(
        CliRunner().invoke(cli, ["arena", "votes", "--json", "--voter", "judges"]).output
    )
    assert [(v["voter"], v["contestants"]) for v in data] == [
        ("mock:judge", ["mock:judge", "mock:echo"])
    ]


def test_votes_counted_in_sql_rate_exactly_as_votes_one_by_one(paths) -> None:
    made = fill(paths)

    async def board():  # type: ignore[no-untyped-def]
        db = await Database.open(paths.database)
        try:
            return await leaderboard(db, VoteFilter(include_open=True), resamples=100, seed=5)
        finally:
            await db.close()

    from_sql = asyncio.run(board())
    direct = standings(battles(made), resamples=100, seed=5)
    assert [(r.model, r.rating, r.ci_low, r.votes) for r in from_sql] == [
        (r.model, r.rating, r.ci_low, r.votes) for r in direct
    ]
