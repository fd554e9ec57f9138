"""The answer a person marked best is stored, shown by `history show`, exported and read back."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from history_factory import make_session

from orchestrator_tui.cli import cli
from orchestrator_tui.store import export
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.migrations import BEST_ANSWER, MIGRATIONS
from orchestrator_tui.store.reopen import last_answers
from orchestrator_tui.store.sessions import SessionStore

SID = "s0000000000000000000000000000002"
ECHO, LOREM = f"a{2:028d}000", f"a{2:028d}001"


def two_answers():  # type: ignore[no-untyped-def]
    return make_session(
        2,
        "Explain WAL checkpoints",
        {"mock:echo": "A checkpoint copies pages back.", "mock:lorem": "Checkpoint lorem."},
        scores={"mock:echo": 0.9},
    )


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = await Database.open(tmp_path / "history.sqlite3")
    store = SessionStore(db)
    await store.import_detail(two_answers())
    yield store
    await db.close()


async def best_of(store: SessionStore) -> list[str]:
    return [i.id for i in (await store.detail(SID)).interactions if i.best]


async def test_marking_an_answer_best_unmarks_the_others_of_its_turn(store) -> None:
    await store.mark_best(SID, [ECHO, LOREM], ECHO)
    assert await best_of(store) == [ECHO]
    await store.mark_best(SID, [ECHO, LOREM], LOREM)
    assert await best_of(store) == [LOREM]
    await store.mark_best(SID, [ECHO, LOREM], None)
    assert await best_of(store) == []


async def test_a_mark_only_touches_the_answers_named_and_that_session(store) -> None:
    await store.mark_best(SID, [ECHO], ECHO)
    await store.mark_best("some-other-session", [ECHO, LOREM], LOREM)
    await store.mark_best(SID, [LOREM], None)
    assert await best_of(store) == [ECHO]


async def test_the_mark_is_in_exports_and_survives_a_round_trip_and_a_fork(store) -> None:
    await store.mark_best(SID, [ECHO, LOREM], LOREM)
    document = json.loads(await store.export([SID], "json"))
    assert [i["best"] for i in document["interactions"]] == [False, False, True]
    markdown = await store.export([SID], "markdown")
    assert "### mock:lorem — response ♛ best" in markdown
    assert "mock:echo — response ♛" not in markdown
    jsonl = (await store.export([SID], "jsonl")).splitlines()
    assert [json.loads(line)["best"] for line in jsonl] == [False, False, True]
    copy = export.from_json(json.dumps(document))
    assert [i.best for i in copy.interactions] == [False, False, True]
    fork = await store.detail(await store.fork(SID, LOREM))
    assert [i.best for i in fork.interactions] == [False, False, True]


def test_an_export_from_before_the_mark_still_reads() -> None:
    document = json.loads(export.to_json(two_answers()))
    for item in document["interactions"]:
        del item["best"]
    detail = export.from_document(document)
    assert [i.best for i in detail.interactions] == [False, False, False]
    del document["interactions"][0]["content"]
    with pytest.raises(export.ExportFormatError):
        export.from_document(document)


async def test_a_reopened_session_gives_each_models_last_answer_with_review_and_mark(
    store,
) -> None:
    await store.mark_best(SID, [ECHO, LOREM], ECHO)
    answers = last_answers(await store.detail(SID))
    assert [(a.ended.model, a.ended.text, a.best) for a in answers] == [
        ("mock:echo", "A checkpoint copies pages back.", True),
        ("mock:lorem", "Checkpoint lorem.", False),
    ]
    echo = answers[0]
    assert echo.ended.status == "ok" and echo.ended.response_id == ECHO
    assert echo.ended.usage.output_tokens == 10 and echo.ended.latency == 3.0
    assert echo.review is not None and echo.review.score == 0.9
    assert echo.review.suggestions == ("Be brief.",)
    assert answers[1].review is None


async def test_a_history_from_before_the_mark_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    before = MIGRATIONS.index(BEST_ANSWER)
    with sqlite3.connect(path) as conn:
        conn.executescript("".join(MIGRATIONS[:before]) + f"PRAGMA user_version = {before};")
        conn.execute(
            "INSERT INTO sessions (id, kind, status, created_at, updated_at)"
            " VALUES ('s', 'compare', 'completed', 1, 1)"
        )
        conn.execute(
            "INSERT INTO interactions (id, session_id, type, content, status, created_at)"
            " VALUES ('a', 's', 'response', 'old answer', 'ok', 1)"
        )
    db = await Database.open(path)
    try:
        store = SessionStore(db)
        assert [i.best for i in (await store.detail("s")).interactions] == [False]
        await store.mark_best("s", ["a"], "a")
        assert [i.best for i in (await store.detail("s")).interactions] == [True]
    finally:
        await db.close()


def test_history_show_carries_the_mark(paths) -> None:
    async def fill() -> None:
        db = await Database.open(paths.database)
        store = SessionStore(db)
        await store.import_detail(two_answers())
        await store.mark_best(SID, [ECHO, LOREM], ECHO)
        await db.close()

    asyncio.run(fill())
    runner = CliRunner()
    shown = runner.invoke(cli, ["history", "show", SID[:6]], catch_exceptions=False).output
    assert "### mock:echo — response ♛ best" in shown
    as_json = runner.invoke(cli, ["history", "show", "--json", SID[:6]], catch_exceptions=False)
    items = json.loads(as_json.output)["interactions"]
    assert {i["id"]: i["best"] for i in items} == {
        "p0000000000000000000000000000002": False,
        ECHO: True,
        LOREM: False,
    }
