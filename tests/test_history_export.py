"""Exports: what leaves the history holds every interaction, score and usage, and reads back."""

from __future__ import annotations

import asyncio
import json

import pytest
from history_factory import make_session

from orchestrator_tui.core.orchestrator import ReviewTarget
from orchestrator_tui.store import export
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.sessions import SessionStore


@pytest.fixture
async def recorded(services):  # type: ignore[no-untyped-def]
    """A real session: two models (one retried after a failure), a follow-up, and reviews."""
    from orchestrator_tui.core.conversation import Conversation

    conversation = Conversation()
    run = services.orchestrator.fan_out(
        "Compare B-trees and LSM trees", ["echo", "flaky"], conversation=conversation
    )
    await run.wait()
    ended = await services.orchestrator.fan_out(
        "Which is better for writes?", ["echo", "lorem"], conversation=conversation
    ).wait()
    targets = [ReviewTarget(e.response_id, "Which is better for writes?", e.text) for e in ended]
    await services.orchestrator.review(targets, "judge", conversation=conversation).wait()
    await services.recorder.flush()
    return await services.sessions.detail(conversation.session_id)


def test_the_recorded_session_has_what_the_exports_must_keep(recorded) -> None:
    assert len(recorded.reviews) == 2 and all(r.score is not None for r in recorded.reviews)
    assert any(r.attempt > 1 or r.status == "failed" for r in recorded.requests)
    assert recorded.output_tokens > 0


def test_json_export_reads_back_to_the_same_session(recorded) -> None:
    text = export.to_json(recorded)
    back = export.from_json(text)
    assert export.to_document(back) == export.to_document(recorded)
    doc = json.loads(text)
    assert len(doc["interactions"]) == len(recorded.interactions)
    scores = [r["score"] for i in doc["interactions"] for r in i["reviews"]]
    assert sorted(scores) == sorted(r.score for r in recorded.reviews)
    usage = [r["output_tokens"] for i in doc["interactions"] for r in i["requests"]]
    assert sum(u or 0 for u in usage) == recorded.output_tokens


def test_jsonl_has_one_self_contained_line_per_interaction(recorded) -> None:
    lines = list(export.to_jsonl(recorded))
    assert len(lines) == len(recorded.interactions)
    rows = [json.loads(line) for line in lines]
    answers = [r for r in rows if r["type"] == "response"]
    assert {r["prompt"] for r in answers} == {
        "Compare B-trees and LSM trees",
        "Which is better for writes?",
    }
    assert all(r["session"]["id"] == recorded.session.id for r in rows)
    [back] = export.from_jsonl(lines)
    assert export.to_document(back) == export.to_document(recorded)


async def test_an_export_imported_into_another_history_exports_identically(
    recorded, tmp_path
) -> None:
    db = await Database.open(tmp_path / "other.sqlite3")
    try:
        other = SessionStore(db)
        await other.import_detail(export.from_json(export.to_json(recorded)))
        again = await other.detail(recorded.session.id)
        assert export.to_document(again) == export.to_document(recorded)
        assert [h.type for h in await other.search("LSM")][:1] == ["prompt"]
    finally:
        await db.close()


def test_markdown_shows_prompts_answers_scores_and_usage(recorded) -> None:
    text = export.to_markdown(recorded)
    assert text.startswith("# Compare B-trees and LSM trees\n")
    assert text.count("## Prompt") == 2
    assert "### mock:lorem — response" in text
    for review in recorded.reviews:
        assert f"Review by mock:judge: {review.score:.2f}" in text
    assert "tokens" in text and "first token" in text


def test_exports_of_several_sessions_in_one_jsonl_file_come_apart() -> None:
    one = make_session(1, "alpha", {"mock:echo": "a"}, scores={"mock:echo": 0.5})
    two = make_session(2, "beta", {"mock:lorem": "b", "mock:echo": "c"}, retried=("mock:lorem",))
    lines = [*export.to_jsonl(one), *export.to_jsonl(two)]
    back = export.from_jsonl(lines)
    assert [export.to_document(d) for d in back] == [
        export.to_document(one),
        export.to_document(two),
    ]


@pytest.mark.parametrize(
    "text",
    ["not json", '{"format": "something else"}', '{"format": "orch-tui.session", "version": 99}'],
)
def test_a_file_that_is_not_an_export_is_refused_clearly(text) -> None:
    with pytest.raises(export.ExportFormatError):
        export.from_json(text)


def test_a_chain_sessions_steps_and_refine_scores_survive_export_and_import(
    paths, tmp_path
) -> None:
    from click.testing import CliRunner

    from orchestrator_tui.cli import cli

    result = CliRunner().invoke(
        cli, ["run", "draft-review-refine", "--mock", "--json", "--input", "topic=B-trees"]
    )
    assert result.exit_code == 0, result.output
    asyncio.run(_check_chain_session(paths.database, tmp_path / "other.sqlite3"))


async def _check_chain_session(path, other_path) -> None:  # type: ignore[no-untyped-def]
    db = await Database.open(path)
    try:
        store = SessionStore(db)
        [row] = (await store.page()).rows
        detail = await store.detail(row.id)
        assert row.kind == "chain" and detail.chain_steps
        refine = [s for s in detail.chain_steps if s.kind == "refine"]
        assert refine and refine[0].scores and "score" in refine[0].outcome
        assert refine[0].details  # rewrites, passed
        text = export.to_markdown(detail)
        assert f"step **{refine[0].step_id}** (refine)" in text
        doc = export.to_document(detail)
        assert export.to_document(export.from_json(export.to_json(detail))) == doc
        assert export.to_document(export.from_jsonl(list(export.to_jsonl(detail)))[0]) == doc
        other_db = await Database.open(other_path)
        try:
            other = SessionStore(other_db)
            await other.import_detail(export.from_json(export.to_json(detail)))
            assert export.to_document(await other.detail(row.id)) == doc
        finally:
            await other_db.close()
    finally:
        await db.close()
