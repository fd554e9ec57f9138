"""The worker's engine side over an in-memory queue: locks, retries, dead letters, takeover.

The behaviour across processes is proven on a real redis-server (test_broker_redis.py); here the
worker's own decisions are checked fast and one by one.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from orchestrator_tui.cli.batch_setup import build_chain
from orchestrator_tui.config import Config
from orchestrator_tui.core.batch.model import BatchItem, ItemOutcome, Turn
from orchestrator_tui.core.batch.ports import Delivery
from orchestrator_tui.core.batch.spec import BatchSpec
from orchestrator_tui.core.batch.worker import BatchWorker, WorkerOptions
from orchestrator_tui.core.orchestrator import Orchestrator

CONVERSATION = BatchSpec(conversation=("mock:lorem", "mock:echo"), turns=(4, 4)).as_dict()


class MemoryQueue:
    """One delivery per item; what the worker did is kept for the test to read."""

    def __init__(self, deliveries: list[Delivery], *, prior: list[Turn] | None = None) -> None:
        self.waiting = list(deliveries)
        self.attempts: dict[str, int] = {}
        self.holder: dict[str, str] = {}
        self.prior = prior or []
        self.saved: list[int] = []
        self.completed: list[ItemOutcome] = []
        self.retried: list[str] = []
        self.dead_letters: list[str] = []
        self.cut_short: list[ItemOutcome] = []
        self.keep_lock = True

    async def take(self, consumer: str, count: int, wait: float) -> list[Delivery]:
        taken, self.waiting = self.waiting[:count], self.waiting[count:]
        if not taken:
            await asyncio.sleep(0.01)
        return taken

    async def lock(self, delivery: Delivery, token: str) -> int | None:
        key = delivery.item.key
        self.holder[key] = token
        self.attempts[key] = self.attempts.get(key, 0) + 1
        return self.attempts[key]

    async def renew(self, delivery: Delivery, consumer: str, token: str) -> bool:
        with contextlib.suppress(asyncio.CancelledError):  # as a client library may swallow it
            await asyncio.sleep(0)
        return self.keep_lock

    async def turns(self, delivery: Delivery) -> list[Turn]:
        return list(self.prior)

    async def save_turn(self, delivery, consumer, token, turn, number) -> None:  # type: ignore[no-untyped-def]
        self.saved.append(number)

    async def complete(self, delivery: Delivery, token: str, outcome: ItemOutcome) -> bool:
        if not self.keep_lock:
            return False
        self.completed.append(outcome)
        return True

    async def retry(self, delivery: Delivery, token: str) -> None:
        self.retried.append(delivery.item.key)
        self.waiting.append(delivery)

    async def dead(self, delivery: Delivery, token: str, outcome: ItemOutcome) -> None:
        self.dead_letters.append(delivery.item.key)

    async def interrupted(self, delivery: Delivery, outcome: ItemOutcome) -> None:
        self.cut_short.append(outcome)

    async def aclose(self) -> None:
        return None


def delivery(n: int, spec: dict, topic: str = "tides") -> Delivery:  # type: ignore[type-arg]
    return Delivery(f"ref-{n}", BatchItem("b", n, n, {"topic": topic, "task": topic}), spec)


def worker(config: Config, queue: MemoryQueue, **options: object) -> BatchWorker:
    settings = {"concurrency": 4, "renew_every": 0.01, "exit_when_idle": 0.2, **options}
    return BatchWorker(
        queue,
        Orchestrator(config.catalog),
        lambda spec: build_chain(config, spec),
        WorkerOptions("w1", **settings),  # type: ignore[arg-type]
    )


async def test_every_item_is_completed_once_and_its_turns_saved(config: Config) -> None:
    queue = MemoryQueue([delivery(n, CONVERSATION) for n in range(1, 4)])
    stats = await worker(config, queue).run()
    assert (stats.done, stats.retried, stats.dead, stats.discarded) == (3, 0, 0, 0)
    assert all(o.status == "done" and o.details["turns"] >= 1 for o in queue.completed)
    assert sorted(queue.saved)[:3] == [1, 1, 1]


async def test_a_taken_over_conversation_goes_on_from_its_last_completed_turn(
    config: Config,
) -> None:
    prior = [
        Turn("r1", "conversation", "turn", "mock:lorem", "ok", "Tides follow the moon.", 5, 5),
        Turn("r2", "conversation", "turn", "mock:echo", "ok", "The moon pulls the sea.", 5, 5),
    ]
    queue = MemoryQueue([delivery(1, CONVERSATION)], prior=prior)
    await worker(config, queue).run()
    (outcome,) = queue.completed
    assert [t.response_id for t in outcome.turns[:2]] == ["r1", "r2"]
    assert queue.saved[0] == 3  # the first turn this attempt ran is the third
    assert outcome.output.startswith("**Speaker 1 (mock:lorem)**: Tides follow the moon.")


async def test_a_failing_item_is_retried_then_dead_lettered(config: Config, write_models) -> None:  # type: ignore[no-untyped-def]
    write_models("models:\n  mock:down: {api_name: flaky, options: {schedule: [mid]}}\n")
    spec = BatchSpec(steps="mock:down").as_dict()
    queue = MemoryQueue([delivery(1, spec)])
    from orchestrator_tui.config import load_config

    stats = await worker(load_config(config.paths), queue, max_attempts=3).run()
    assert queue.retried == ["b:1", "b:1"] and queue.dead_letters == ["b:1"]
    assert (stats.done, stats.retried, stats.dead) == (0, 2, 1)


async def test_a_worker_that_lost_its_lock_stops_and_publishes_nothing(config: Config) -> None:
    slow = BatchSpec(conversation=("mock:lorem", "mock:lorem"), turns=(50, 50)).as_dict()
    queue = MemoryQueue([delivery(1, slow)])
    queue.keep_lock = False
    stats = await worker(config, queue).run()
    assert queue.completed == [] and stats.discarded == 1
    (attempt,) = queue.cut_short  # kept for the history as an interrupted attempt
    assert attempt.status == "interrupted" and attempt.session_id


@pytest.mark.parametrize("bad", ["not: [valid", "steps: []"])
async def test_a_chain_arriving_broken_fails_the_item_instead_of_the_worker(
    config: Config, bad: str
) -> None:
    spec = BatchSpec(chain="remote", chain_text=bad).as_dict()
    queue = MemoryQueue([delivery(1, spec)])
    stats = await worker(config, queue, max_attempts=1).run()
    assert queue.dead_letters == ["b:1"] and stats.dead == 1
