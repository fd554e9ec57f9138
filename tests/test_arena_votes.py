"""Votes are rows: stored with their session, filtered, exported and read back; `v` is a vote."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from history_factory import T0, make_session

from orchestrator_tui.core.arena.votes import Tally, Vote, battles, new_vote, ranking_votes
from orchestrator_tui.store import export
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.sessions import SessionStore
from orchestrator_tui.store.votes import JUDGES, VoteFilter, figures

SID = "s0000000000000000000000000000003"
A, B, C = (f"a{3:028d}{i:03d}" for i in range(3))
MODELS = ("mock:echo", "mock:lorem", "mock:judge")


def three_answers():  # type: ignore[no-untyped-def]
    return make_session(3, "Name a prime", dict(zip(MODELS, ("2", "3", "4"), strict=True)))


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = await Database.open(tmp_path / "history.sqlite3")
    store = SessionStore(db)
    await store.import_detail(three_answers())
    yield store
    await db.close()


def shown(*ids: str) -> list[tuple[str, str]]:
    model = dict(zip((A, B, C), MODELS, strict=True))
    return [(i, model[i]) for i in ids]


async def test_marking_best_is_a_vote_seen_with_names_replaced_by_the_next_mark(store) -> None:
    await store.mark_best(SID, [A, B, C], B)
    (vote,) = await store.votes(VoteFilter(include_open=True))
    assert (vote.outcome, vote.winner, vote.voter, vote.blind) == ("win", B, "user", False)
    assert vote.answers == (A, B, C) and vote.contestants == MODELS
    assert await store.votes() == []  # the board counts blind votes unless asked
    await store.mark_best(SID, [A, B, C], C)
    assert [v.winner for v in await store.votes(VoteFilter(include_open=True))] == [C]
    await store.mark_best(SID, [A, B, C], None)
    assert await store.votes(VoteFilter(include_open=True)) == []


async def test_votes_are_filtered_by_voter_category_and_period(store) -> None:
    day = 86_400.0
    votes = [
        Vote(SID, (A, B), MODELS[:2], "win", "user", A, True, "code", T0),
        Vote(SID, (B, A), MODELS[1::-1], "tie", "mock:judge", None, True, "code", T0 + day),
        Vote(SID, (A, C), MODELS[::2], "all_bad", "openai:gpt", None, True, None, T0 + 2 * day),
    ]
    assert await store.add_votes(votes) == 3

    async def outcomes(**kw: object) -> list[str]:
        return [v.outcome for v in await store.votes(VoteFilter(**kw))]  # type: ignore[arg-type]

    assert await outcomes() == ["all_bad", "tie", "win"]  # newest first
    assert await outcomes(voter="user") == ["win"]
    assert await outcomes(voter=JUDGES) == ["all_bad", "tie"]
    assert await outcomes(voter="mock:judge") == ["tie"]
    assert await outcomes(category="code") == ["tie", "win"]
    assert await outcomes(since=T0 + day / 2, until=T0 + 1.5 * day) == ["tie"]


async def test_votes_go_out_with_the_session_and_come_back(store) -> None:
    ranked = ranking_votes(SID, shown(A, B, C), [C, A, B], voter="mock:judge", category="math")
    await store.add_votes(ranked)
    await store.mark_best(SID, [A, B, C], A)
    detail = await store.detail(SID)
    assert len(detail.votes) == 3
    document = json.loads(await store.export(SID, "json"))
    assert [v["winner"] for v in document["votes"]] == [C, A, A]
    assert export.from_json(json.dumps(document)).votes == detail.votes
    lines = (await store.export(SID, "jsonl")).splitlines()
    (again,) = export.from_jsonl(lines)
    assert again.votes == detail.votes
    markdown = await store.export(SID, "markdown")
    assert "- mock:judge, blind: mock:judge beat mock:echo, mock:lorem (math)" in markdown
    assert "- mock:judge, blind: mock:echo beat mock:lorem (math)" in markdown
    assert "- user: mock:echo beat mock:lorem, mock:judge" in markdown


async def test_an_imported_session_brings_its_votes_and_older_exports_still_read(
    tmp_path: Path,
) -> None:
    detail = three_answers()
    document = json.loads(export.to_json(detail))
    del document["votes"]  # an export from before votes
    assert export.from_document(document).votes == []
    vote = new_vote(SID, shown(A, B), "win", winner=B, blind=True)
    with_vote = export.to_json(replace(detail, votes=[vote]))
    db = await Database.open(tmp_path / "other.sqlite3")
    try:
        store = SessionStore(db)
        await store.import_detail(export.from_json(with_vote))
        assert await store.votes() == [vote]
    finally:
        await db.close()


async def test_each_contestant_has_the_mean_cost_and_latency_of_its_answers(store) -> None:
    later = make_session(9, "Another", {"mock:lorem": "more"})  # lorem's only answer: $0.015
    await store.import_detail(later)
    found = await figures(store.db, VoteFilter(), ["mock:echo", "mock:lorem", "chain:council"])
    # the factory: answer i costs 0.001 * (5 + 10 * (i + 1)), latency 1 + session number
    assert found["mock:echo"].mean_cost == pytest.approx(0.015)
    assert found["mock:lorem"].mean_cost == pytest.approx((0.025 + 0.015) / 2)
    assert found["mock:lorem"].mean_latency == pytest.approx((4.0 + 10.0) / 2)
    assert "mock:judge" not in found and "chain:council" not in found
    recent = await figures(store.db, VoteFilter(since=T0 + 5 * 86_400), ["mock:lorem"])
    assert recent["mock:lorem"].mean_latency == pytest.approx(10.0)


def test_a_vote_stands_for_its_pairwise_battles() -> None:
    win = Vote("s", ("x", "y", "z"), ("a", "b", "c"), "win", winner="y")
    tie = Vote("s", ("x", "y", "z"), ("a", "b", "a"), "all_bad")
    assert list(battles([win])) == [("b", "a", 1.0, 1), ("b", "c", 1.0, 1)]
    assert list(battles([tie])) == [("a", "b", 0.5, 1), ("b", "a", 0.5, 1)]
    shown = [("x", "a"), ("y", "b"), ("z", "c")]
    ranked = ranking_votes("s", shown, ["z", "x", "y"], voter="mock:judge")
    assert [v.answers for v in ranked] == [("x", "y", "z"), ("x", "y")]  # in the order shown
    assert list(battles(ranked)) == [("c", "a", 1.0, 1), ("c", "b", 1.0, 1), ("a", "b", 1.0, 1)]
    three = Tally(("a", "b"), "win", 1, 3)
    assert list(battles([three])) == [("b", "a", 1.0, 3)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": "draw"}, "unknown vote outcome"),
        ({"outcome": "win"}, "names its winner"),
        ({"outcome": "tie", "winner": "x"}, "names its winner"),
        ({"outcome": "win", "winner": "q"}, "not among"),
        ({"outcome": "tie", "answers": ("x",), "contestants": ("a",)}, "two or more"),
    ],
)
def test_a_vote_that_makes_no_sense_is_refused(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"session_id": "s", "answers": ("x", "y"), "contestants": ("a", "b")}
    with pytest.raises(ValueError, match=message):
        Vote(**{**base, **fields})  # type: ignore[arg-type]
