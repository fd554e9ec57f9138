"""The history as the screen and the CLI see it: pages, filters, search, trash, fork, reopen, stats."""

from __future__ import annotations

import sqlite3

import pytest
from history_factory import DAY, T0, make_session

from orchestrator_tui.store.db import Database
from orchestrator_tui.store.listing import SessionFilter
from orchestrator_tui.store.migrations import MIGRATIONS
from orchestrator_tui.store.sessions import SessionStore, UnknownSession


@pytest.fixture
async def store(tmp_path):  # type: ignore[no-untyped-def]
    db = await Database.open(tmp_path / "history.sqlite3")
    store = SessionStore(db)
    sessions = [
        make_session(1, "How do B-trees split pages?", {"mock:echo": "Pages split in half."}),
        make_session(
            2,
            "Explain WAL checkpoints",
            {"mock:echo": "A checkpoint copies pages back.", "mock:lorem": "Checkpoint lorem."},
            scores={"mock:echo": 0.9, "mock:lorem": 0.4},
            retried=("mock:lorem",),
        ),
        make_session(3, "Write a haiku", {"mock:lorem": "Autumn pages fall."}, kind="chat"),
        make_session(
            4,
            "Debate tabs versus spaces",
            {"mock:flaky": ""},
            status="failed",
            failed=("mock:flaky",),
        ),
        make_session(5, "Summarise the pages of a book", {"mock:echo": "It has pages."}),
    ]
    for detail in sessions:
        await store.import_detail(detail)
    yield store
    await db.close()


async def test_the_history_lists_sessions_newest_first_with_their_totals(store) -> None:
    page = await store.page()
    assert [r.id[-1] for r in page.rows] == ["5", "4", "3", "2", "1"]
    second = page.rows[3]
    assert second.title == "Explain WAL checkpoints"
    assert second.models == ("mock:echo", "mock:lorem")
    assert second.input_tokens == 10 and second.output_tokens == 30
    assert second.cost == pytest.approx(0.015 + 0.025)
    assert second.best_score == 0.9
    assert page.next is None
    assert await store.count() == 5


async def test_paging_by_key_visits_every_session_once(store) -> None:
    seen, after = [], None
    while True:
        page = await store.page(after=after, limit=2)
        seen += [r.id for r in page.rows]
        if page.next is None:
            break
        after = page.next
    assert len(seen) == 5 and len(set(seen)) == 5


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (SessionFilter(kinds=("chat",)), ["3"]),
        (SessionFilter(models=("mock:lorem",)), ["3", "2"]),
        (SessionFilter(statuses=("failed",)), ["4"]),
        (SessionFilter(since=T0 + 2 * DAY, until=T0 + 4 * DAY), ["3", "2"]),
        (SessionFilter(kinds=("compare",), models=("mock:echo",), since=T0 + 2 * DAY), ["5", "2"]),
    ],
)
async def test_filters_narrow_the_history(store, flt, expected) -> None:
    page = await store.page(flt)
    assert [r.id[-1] for r in page.rows] == expected
    assert await store.count(flt) == len(expected)


async def test_deleted_sessions_leave_list_and_search_and_come_back_on_restore(store) -> None:
    sid = (await store.page()).rows[0].id
    assert await store.delete([sid]) == 1
    assert sid not in [r.id for r in (await store.page()).rows]
    assert [r.id for r in (await store.page(SessionFilter(trash=True))).rows] == [sid]
    assert all(h.session_id != sid for h in await store.search("pages"))
    assert await store.restore([sid]) == 1
    assert (await store.page()).rows[0].id == sid
    assert any(h.session_id == sid for h in await store.search("pages"))


async def test_emptying_the_trash_removes_sessions_and_everything_they_held(store) -> None:
    sid = (await store.page()).rows[0].id
    await store.delete([sid])
    assert await store.empty_trash() == 1
    with pytest.raises(UnknownSession):
        await store.detail(sid)
    db = store.db
    for table in ("interactions", "requests", "reviews"):
        row = await db.fetchone(f"SELECT COUNT(*) FROM {table} WHERE session_id = ?", (sid,))
        assert row[0] == 0
    assert await store.search("book") == []
    assert await store.count() == 4


async def test_search_puts_prompt_matches_before_answer_matches_and_marks_them(store) -> None:
    hits = await store.search("pages")
    types = [h.type for h in hits]
    assert types == sorted(types, key=lambda t: t != "prompt")  # prompts first
    assert [h.session_id[-1] for h in hits if h.type == "prompt"] == ["5", "1"]  # newest first
    assert {h.session_id[-1] for h in hits if h.type == "response"} == {"1", "2", "3", "5"}
    for hit in hits:
        assert all(hit.excerpt[a:b].lower() == "pages" for a, b in hit.highlights)
    assert "[pages]" in hits[0].snippet


async def test_search_as_you_type_matches_the_last_word_as_a_prefix(store) -> None:
    assert [h.session_id[-1] for h in await store.search("checkp")][:1] == ["2"]
    assert await store.search("checkpoint x") == await store.search("checkpoint")
    assert await store.search("zzz") == []
    assert await store.search(" ' \" * ") == []


async def test_search_respects_the_filters(store) -> None:
    hits = await store.search("pages", SessionFilter(kinds=("chat",)))
    assert {h.session_id[-1] for h in hits} == {"3"}


async def test_sessions_can_be_renamed_and_named_by_id_prefix(store) -> None:
    sid = (await store.page()).rows[0].id
    await store.rename(sid, "  My   book notes ")
    assert (await store.get(sid)).title == "My book notes"
    assert await store.resolve(sid) == sid
    with pytest.raises(UnknownSession, match="several"):
        await store.resolve("s")
    with pytest.raises(UnknownSession):
        await store.rename("nope", "x")
    with pytest.raises(ValueError):
        await store.rename(sid, "   ")


async def test_a_fork_copies_the_interactions_up_to_the_chosen_one(store) -> None:
    source = await store.detail("s0000000000000000000000000000002")
    at = source.interactions[1]  # the first answer
    fork_id = await store.fork(source.session.id, at.id)
    fork = await store.detail(fork_id)
    assert [i.content for i in fork.interactions] == [i.content for i in source.interactions[:2]]
    assert not {i.id for i in fork.interactions} & {i.id for i in source.interactions}
    assert fork.interactions[1].parent_id == fork.interactions[0].id
    assert fork.session.title == "Explain WAL checkpoints (fork)"
    assert fork.session.metadata["forked_from"] == {
        "session": source.session.id,
        "interaction": at.id,
    }
    assert [r.score for r in fork.reviews] == [0.9]
    assert fork.usage_of(fork.interactions[1].id).cost == pytest.approx(0.015)
    assert len((await store.detail(source.session.id)).interactions) == 3
    assert (await store.page()).rows[0].id == fork_id


async def test_a_reopened_session_continues_each_models_own_history(services) -> None:
    from orchestrator_tui.core.conversation import Conversation

    live = Conversation()
    await services.orchestrator.fan_out(
        "first question", ["echo", "lorem"], conversation=live
    ).wait()
    await services.orchestrator.fan_out("second one", ["echo"], conversation=live).wait()
    await services.recorder.flush()
    rebuilt = (await services.sessions.reopened(live.session_id)).conversation
    assert rebuilt.histories == live.histories
    assert rebuilt.last_prompt_id == live.last_prompt_id
    assert rebuilt.session_id == live.session_id

    follow = services.orchestrator.fan_out("third", ["echo"], conversation=rebuilt)
    await follow.wait()
    await services.recorder.flush()
    detail = await services.sessions.detail(live.session_id)
    assert [i.content for i in detail.interactions if i.type == "prompt"] == [
        "first question",
        "second one",
        "third",
    ]


async def test_a_rerun_sends_the_same_prompt_to_the_same_models_in_a_new_session(services) -> None:
    from orchestrator_tui.core.conversation import Conversation

    live = Conversation()
    params = __import__("orchestrator_tui.core.types", fromlist=["GenerationParams"])
    await services.orchestrator.fan_out(
        "first", ["echo", "lorem"], params.GenerationParams(temperature=0.3), conversation=live
    ).wait()
    await services.orchestrator.fan_out("second", ["echo"], conversation=live).wait()
    await services.recorder.flush()
    detail = await services.sessions.detail(live.session_id)
    second = [i for i in detail.interactions if i.type == "prompt"][1]

    first_plan = await services.sessions.rerun_plan(live.session_id)
    assert (first_plan.prompt.text, first_plan.models) == ("first", ("mock:echo", "mock:lorem"))
    assert first_plan.params.temperature == 0.3
    assert first_plan.conversation.histories == {}

    plan = await services.sessions.rerun_plan(live.session_id, second.id)
    assert (plan.prompt.text, plan.models) == ("second", ("mock:echo",))
    assert plan.conversation.session_id != live.session_id
    assert [m.text for m in plan.conversation.histories["mock:echo"]] == ["first", "first"]


async def test_stats_give_per_model_calls_success_medians_tokens_cost_and_score(store) -> None:
    stats = {s.model: s for s in await store.stats(T0, T0 + 10 * DAY)}
    echo, lorem, flaky = stats["mock:echo"], stats["mock:lorem"], stats["mock:flaky"]
    assert (echo.calls, echo.ok, echo.success_rate) == (3, 3, 1.0)
    assert echo.median_ttft == pytest.approx(0.2)  # sessions 1, 2, 5
    assert echo.median_latency == pytest.approx(3.0)
    assert (echo.input_tokens, echo.output_tokens) == (15, 30)
    assert echo.mean_score == 0.9 and echo.reviews == 1
    assert (lorem.calls, lorem.attempts) == (2, 3)  # one answer needed a retry
    assert lorem.median_ttft == pytest.approx(0.25)  # sessions 2 and 3
    assert flaky.success_rate == 0.0 and flaky.mean_score is None
    assert sum(echo.daily_calls) == 3
    assert await store.stats(T0 + 2.5 * DAY, T0 + 3.5 * DAY) != []
    assert await store.stats(T0 - 5 * DAY, T0) == []


async def test_an_old_database_is_upgraded_and_its_sessions_become_searchable(tmp_path) -> None:
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    raw.execute(
        "INSERT INTO sessions (id, title, kind, status, created_at, updated_at)"
        " VALUES ('old', 'Old one', 'compare', 'completed', 1, 1)"
    )
    raw.execute(
        "INSERT INTO interactions (id, session_id, type, content, status, created_at)"
        " VALUES ('p', 'old', 'prompt', 'ancient question', 'ok', 1),"
        " ('r', 'old', 'response', 'ancient answer', 'ok', 2)"
    )
    raw.commit()
    raw.close()
    db = await Database.open(path)
    try:
        hits = await SessionStore(db).search("ancient")
        assert [h.type for h in hits] == ["prompt", "response"]
    finally:
        await db.close()
