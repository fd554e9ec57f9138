"""Long conversations: past a model's context window the conversation keeps working, older turns
summarized (a recorded request) or dropped, with a marker stored with the session."""

from __future__ import annotations

import sqlite3

from orchestrator_tui.config import Paths, load_config
from orchestrator_tui.core.context_window import (
    SUMMARY_LEAD,
    ContextKeeper,
    ContextPolicy,
    answer_room,
)
from orchestrator_tui.core.conversation import Conversation
from orchestrator_tui.core.events import ContextCompacted, ResponseEnded
from orchestrator_tui.core.types import GenerationParams, Message
from orchestrator_tui.services import open_services
from orchestrator_tui.store.reopen import reopened

SMALL_WINDOW = """
models:
  mock:echo:
    context_window: 400
    max_output_tokens: 50
"""
TURN = "tell me more about the tides and the moon, " * 6  # about 66 tokens by the estimate


def test_a_request_fits_while_prompt_and_answer_room_stay_inside_the_window(config) -> None:
    model = config.catalog.resolve("echo")
    small = type(model)(ref=model.ref, context_window=100, max_output_tokens=50)
    keeper = ContextKeeper(config.catalog, None, ContextPolicy())  # type: ignore[arg-type]
    assert answer_room(small, GenerationParams()) == 25
    assert answer_room(small, GenerationParams(max_tokens=10)) == 10
    assert keeper.fits(small, [Message("user", "x" * 280)], GenerationParams())  # 74 + 25
    assert not keeper.fits(small, [Message("user", "x" * 288)], GenerationParams())  # 76 + 25
    # the provider's own count of the history wins when it is larger than the estimate
    assert not keeper.fits(small, [Message("user", "hi")], GenerationParams(), reported=90)


async def drive(paths: Paths, settings: str, turns: int) -> tuple[list, Conversation]:
    (paths.config_dir / "models.yaml").write_text(SMALL_WINDOW, encoding="utf-8")
    paths.settings_file.write_text(settings, encoding="utf-8")
    services = await open_services(config=load_config(paths))
    events: list = []
    conversation = Conversation()
    try:
        for turn in range(turns):
            run = services.orchestrator.fan_out(
                f"{turn}: {TURN}", ["mock:echo"], conversation=conversation
            )
            async for event in run:
                events.append(event)
        await services.recorder.flush()
        detail = await services.sessions.detail(conversation.session_id)
    finally:
        await services.aclose()
    return [events, detail], conversation


async def test_a_conversation_past_a_small_window_is_summarized_and_keeps_working(
    paths: Paths,
) -> None:
    settings = "context: {strategy: summarize, keep_last: 1, summarizer: mock:lorem}\n"
    (events, detail), conversation = await drive(paths, settings, 6)
    answers = [e for e in events if isinstance(e, ResponseEnded) and e.model == "mock:echo"]
    assert len(answers) == 6 and all(a.status == "ok" for a in answers)
    markers = [e for e in events if isinstance(e, ContextCompacted)]
    assert markers and markers[0].strategy == "summarize" and markers[0].kept == 1
    assert "summarized by mock:lorem to fit the context window" in markers[0].note
    history = conversation.histories["mock:echo"]
    assert history[0].text.startswith(SUMMARY_LEAD)
    # stored: the marker, and the summarizer's request like any other
    stored = [i for i in detail.interactions if i.type == "context"]
    assert [i.content for i in stored] == [m.note for m in markers]
    summaries = [i for i in detail.interactions if i.type == "summary"]
    assert len(summaries) == len(markers) and all(s.model == "mock:lorem" for s in summaries)
    with sqlite3.connect(paths.database) as db:
        requested = {row[0] for row in db.execute("SELECT model FROM requests")}
    assert requested == {"mock:echo", "mock:lorem"}
    assert stored[0].metadata["summary_id"] == summaries[0].id
    # reopened, the conversation carries on from the summary, not from every turn
    assert reopened(detail).conversation.histories["mock:echo"] == history


async def test_truncate_drops_older_turns_and_says_so(paths: Paths) -> None:
    (events, detail), conversation = await drive(paths, "context: {strategy: truncate}\n", 5)
    markers = [e for e in events if isinstance(e, ContextCompacted)]
    assert markers and "dropped to fit the context window" in markers[0].note
    assert not any(i.type == "summary" for i in detail.interactions)
    assert all(e.status == "ok" for e in events if isinstance(e, ResponseEnded))
    kept = [m.text.split(":")[0] for m in conversation.histories["mock:echo"] if m.role == "user"]
    assert kept == ["2", "3", "4"]  # keep_last (2 by default), then the newest exchange


def test_a_bad_context_setting_is_named_with_its_line(paths: Paths) -> None:
    paths.settings_file.write_text(
        "theme: orch-dark\ncontext: {strategy: forget, keep_last: 2, summarizer: nope:x}\n",
        encoding="utf-8",
    )
    config = load_config(paths)
    assert config.context == ContextPolicy(keep_last=2)
    assert any(":2: context.strategy must be summarize or truncate" in w for w in config.warnings)
    assert any(":2: context.summarizer: unknown provider 'nope'" in w for w in config.warnings)
