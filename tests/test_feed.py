"""A plugin's run-event subscriber is fed off the hot path: a slow one loses events, counted, and
never holds a stream up."""

from __future__ import annotations

import asyncio

from orchestrator_tui.config import load_config
from orchestrator_tui.core.events import RunEvent, RunFinished, TextDelta
from orchestrator_tui.core.feed import BoundedFeed
from orchestrator_tui.core.orchestrator import Orchestrator


async def test_a_stuck_subscriber_loses_events_with_a_count_and_the_run_still_ends(paths) -> None:
    never = asyncio.Event()
    seen: list[RunEvent] = []

    async def stuck(event: RunEvent) -> None:
        seen.append(event)
        await never.wait()  # a subscriber whose far end never answers

    feed = BoundedFeed("stuck", stuck, capacity=10)
    orchestrator = Orchestrator(load_config(paths).catalog, listeners=[feed])
    run = orchestrator.fan_out("a long prompt " * 50, ["mock:echo", "mock:lorem"])
    events = [event async for event in run]
    assert isinstance(events[-1], RunFinished) and events[-1].status == "completed"
    deltas = sum(isinstance(e, TextDelta) for e in events)
    assert deltas > 20
    assert seen == events[:1]  # it got the first event and is stuck on it
    assert feed.dropped == len(events) - 1 - 10  # one taken, ten queued, the rest dropped
    note = await feed.aclose(grace=0.05)
    assert note == f"run-event subscriber stuck fell behind: {len(events) - 1} event(s) dropped"
    await orchestrator.aclose()


async def test_a_subscriber_that_keeps_up_sees_every_event_in_order(paths) -> None:
    seen: list[RunEvent] = []
    feed = BoundedFeed("log", seen.append)
    orchestrator = Orchestrator(load_config(paths).catalog, listeners=[feed])
    events = [event async for event in orchestrator.fan_out("hello", ["mock:echo"])]
    assert await feed.aclose() is None
    assert seen == events
    await orchestrator.aclose()


async def test_a_failing_subscriber_is_logged_and_fed_on(paths, caplog) -> None:
    calls: list[RunEvent] = []

    def fails(event: RunEvent) -> None:
        calls.append(event)
        raise ValueError("the far end refused")

    feed = BoundedFeed("flaky", fails)
    orchestrator = Orchestrator(load_config(paths).catalog, listeners=[feed])
    events = [event async for event in orchestrator.fan_out("hello", ["mock:echo"])]
    await feed.aclose()
    assert calls == events
    assert "run-event subscriber flaky failed" in caplog.text
    await orchestrator.aclose()
