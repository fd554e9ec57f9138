"""The history database: migrations, the recorder, search, and files it must never overwrite."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from orchestrator_tui.core.conversation import Conversation
from orchestrator_tui.core.events import TextDelta
from orchestrator_tui.core.orchestrator import ReviewTarget
from orchestrator_tui.store.db import Database, DatabaseError
from orchestrator_tui.store.migrations import MIGRATIONS
from orchestrator_tui.store.recorder import make_title


async def test_migrations_build_the_schema_from_an_empty_file(tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    db = await Database.open(path)
    await db.close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "interactions", "requests", "reviews", "interactions_fts"} <= tables
    db = await Database.open(path)  # opening again migrates nothing
    await db.close()


async def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="left untouched"):
        await Database.open(path)
    assert path.read_bytes() == before


async def test_a_database_from_a_newer_version_is_refused(tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    raw.close()
    with pytest.raises(DatabaseError, match="newer orch-tui"):
        await Database.open(path)


async def test_every_response_is_recorded_with_usage_and_requests(services) -> None:
    run = services.orchestrator.fan_out("Compare B-trees and LSM trees", ["echo", "lorem", "flaky"])
    await run.wait()
    await services.recorder.flush()
    [session] = await services.sessions.list()
    assert session.id == run.session_id
    assert session.title == "Compare B-trees and LSM trees"
    assert session.status == "completed" and session.kind == "compare"
    rows = await services.sessions.interactions(session.id)
    assert [r.type for r in rows] == ["prompt", "response", "response", "response"]
    by_model = {r.model: r for r in rows if r.model}
    assert by_model["mock:echo"].content == "Compare B-trees and LSM trees"
    assert by_model["mock:echo"].metadata["output_tokens"] == 5
    assert by_model["mock:flaky"].status == "failed" and by_model["mock:flaky"].error
    assert by_model["mock:flaky"].content  # the partial text is kept
    requests = await services.db.fetchall(
        "SELECT model, status, attempt, cost FROM requests ORDER BY model"
    )
    assert [tuple(r) for r in requests] == [
        ("mock:echo", "ok", 1, 0.0),
        ("mock:flaky", "failed", 1, None),
        ("mock:lorem", "ok", 1, 0.0),
    ]


async def test_retried_attempts_are_each_recorded(services, write_models, paths) -> None:
    from orchestrator_tui.services import open_services

    write_models(
        "providers:\n  mock: {type: mock, needs_key: false, retry_base_delay: 0.01}\n"
        "models:\n  mock:retries: {api_name: flaky, options: {schedule: [before, before, ok]}}\n"
    )
    own = await open_services(paths)
    try:
        [ended] = await own.orchestrator.fan_out("x", ["mock:retries"]).wait()
        await own.recorder.flush()
        rows = await own.db.fetchall(
            "SELECT attempt, status, error_kind FROM requests WHERE interaction_id = ?"
            " ORDER BY attempt",
            (ended.response_id,),
        )
    finally:
        await own.aclose()
    assert [tuple(r) for r in rows] == [
        (1, "failed", "server"),
        (2, "failed", "server"),
        (3, "ok", None),
    ]


async def test_reviews_and_synthesis_are_recorded_in_the_same_session(services) -> None:
    conversation = Conversation()
    orchestrator = services.orchestrator
    ended = await orchestrator.fan_out(
        "Why WAL?", ["echo", "lorem"], conversation=conversation
    ).wait()
    targets = [ReviewTarget(e.response_id, "Why WAL?", e.text) for e in ended]
    await orchestrator.review(targets, "judge", conversation=conversation).wait()
    answers = [(e.model, e.text) for e in ended]
    await orchestrator.synthesize("Why WAL?", answers, "lorem", conversation=conversation).wait()
    await services.recorder.flush()
    rows = await services.sessions.interactions(conversation.session_id)
    assert [r.type for r in rows].count("review") == 2
    assert [r.type for r in rows].count("synthesis") == 1
    reviews = await services.db.fetchall("SELECT interaction_id, score FROM reviews")
    assert {r["interaction_id"] for r in reviews} == {e.response_id for e in ended}
    assert all(0 <= r["score"] <= 1 for r in reviews)
    assert len(await services.sessions.list()) == 1


async def test_streaming_text_is_written_before_the_answer_ends(
    services, write_models, paths
) -> None:
    from orchestrator_tui.services import open_services

    write_models("models:\n  mock:slow: {api_name: lorem, options: {tokens_per_second: 100}}\n")
    own = await open_services(paths)
    own.recorder.interval = 0.05
    try:
        run = own.orchestrator.fan_out("x", ["mock:slow"])
        seen = 0
        async for event in run:
            if isinstance(event, TextDelta):
                seen += 1
                if seen == 30:
                    await asyncio.sleep(0.3)
                    row = await own.db.fetchone(
                        "SELECT content, status FROM interactions WHERE type = 'response'"
                    )
                    assert row["status"] == "streaming" and len(row["content"]) > 20
                    run.cancel()
    finally:
        await own.aclose()


async def test_search_finds_prompts_and_answers(services) -> None:
    await services.orchestrator.fan_out("zebra crossings in Amsterdam", ["echo"]).wait()
    await services.orchestrator.fan_out("penguins", ["echo"]).wait()
    await services.recorder.flush()
    hits = await services.sessions.search("amster")
    assert {h.type for h in hits} == {"prompt", "response"}
    assert "[Amsterdam]" in hits[0].snippet
    assert await services.sessions.search("giraffe") == []
    assert await services.sessions.search("  ") == []


async def test_a_session_left_active_by_a_dead_process_is_marked_interrupted(services) -> None:
    await services.orchestrator.fan_out("x", ["echo"]).wait()
    await services.recorder.flush()
    await services.db.write(
        [
            ("UPDATE sessions SET status = 'active', pid = 999999999", ()),
            ("UPDATE interactions SET status = 'streaming' WHERE type = 'response'", ()),
        ]
    )
    assert await services.sessions.recover_interrupted() == 1
    [session] = await services.sessions.list()
    assert session.status == "interrupted"
    rows = await services.sessions.interactions(session.id)
    assert rows[1].status == "interrupted" and rows[1].content == "x"


def test_titles_come_from_the_first_line_of_the_prompt() -> None:
    assert make_title("\n  Hello there\nmore") == "Hello there"
    long = "word " * 40
    assert make_title(long).endswith("…") and len(make_title(long)) <= 61


async def test_answers_are_indexed_once_when_they_stop_streaming(services, write_models, paths):
    from orchestrator_tui.services import open_services

    write_models("models:\n  mock:slow: {api_name: echo, options: {tokens_per_second: 200}}\n")
    own = await open_services(paths)
    own.recorder.interval = 0.02
    prompt = "quokka " + " ".join(f"filler{i}" for i in range(400)) + " wombat"
    try:
        run = own.orchestrator.fan_out(prompt, ["mock:slow"])
        checked, shown = False, ""
        async for event in run:
            if not isinstance(event, TextDelta):
                continue
            before, shown = shown, shown + event.text  # late tokens may come several at once
            if "filler40" in shown and "filler40" not in before:
                await asyncio.sleep(0.1)  # several flushes of the growing answer
                hits = await own.sessions.search("quokka")
                [(status,)] = await own.db.fetchall(
                    "SELECT status FROM interactions WHERE type = 'response'"
                )
                if status == "streaming":  # (a loaded machine may have finished it meanwhile)
                    assert [h.type for h in hits] == ["prompt"]  # not the half-written answer
                    checked = True
        assert checked
        await own.recorder.flush()
        hits = await own.sessions.search("wombat")
        assert sorted(h.type for h in hits) == ["prompt", "response"]
        await own.db.write(
            [("INSERT INTO interactions_fts(interactions_fts) VALUES ('integrity-check')", ())]
        )
    finally:
        await own.aclose()
