"""The Redis Streams broker (``redis.asyncio``): streams, one consumer group, locks, state.

Keys (all under ``orch:``):
- ``conversation.new``: items to run, read by the group ``workers`` (``XREADGROUP``/``XACK``);
  items of a worker that died are taken over with ``XAUTOCLAIM`` once idle for ``claim_idle``.
- ``conversation.turn``: progress, one entry per completed turn, trimmed to about ``TURN_MAXLEN``.
- ``conversation.completed``: results (transcript, usage, scores, status); each producer reads
  its batch's with a group of its own and deletes what it has stored.
- ``conversation.dead``: items that failed ``max_attempts`` times.
- ``lock:<item>``: the worker holding the item (a token, expiring unless renewed).
- ``state:<item>``: attempts, completed turns and whether it is done, expiring after ``state_ttl``.
- ``batch:<id>``: set while the batch is published; gone after the server restarted empty.

Every step that must not be half done (publish a result and acknowledge, retry, dead-letter)
is one Lua script that first checks the caller still holds the item's lock.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import (
    AuthenticationError,
    AuthenticationWrongNumberOfArgsError,
    ResponseError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from orchestrator_tui.broker.urls import redacted
from orchestrator_tui.core.batch.model import (
    BatchItem,
    ItemOutcome,
    Turn,
    outcome_from_dict,
    outcome_to_dict,
)
from orchestrator_tui.core.batch.ports import Activity, BrokerUnavailable, Collected, Delivery

PREFIX = "orch:"
NEW = PREFIX + "conversation.new"
TURN = PREFIX + "conversation.turn"
COMPLETED = PREFIX + "conversation.completed"
DEAD = PREFIX + "conversation.dead"
WORKERS = "workers"
TURN_MAXLEN = 10_000


@dataclass(frozen=True, slots=True)
class RedisSettings:
    lock_ttl: float = 10.0
    """Seconds a lock lives without renewal (workers renew several times per lock)."""
    claim_idle: float = 15.0
    """Seconds an item goes unrenewed before another worker takes it over."""
    state_ttl: float = 24 * 3600.0


_LOCK = """
if redis.call('HGET', KEYS[2], 'status') == 'done' then
  redis.call('XACK', KEYS[3], ARGV[4], ARGV[5])
  redis.call('XDEL', KEYS[3], ARGV[5])
  return -1
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local n = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
redis.call('EXPIRE', KEYS[2], ARGV[3])
return n
"""

_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('XCLAIM', KEYS[2], ARGV[3], ARGV[4], 0, ARGV[5], 'JUSTID')
return 1
"""

_SAVE_TURN = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], 'turn:' .. ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'batch', ARGV[6], 'item', ARGV[7],
  'turn', ARGV[2], 'model', ARGV[8], 'worker', ARGV[9])
return 1
"""

# KEYS: lock, state, new, out-stream, [dead]; ARGV: token, group, msg id, ttl, then fields.
_FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', KEYS[4], '*', unpack(fields))
if ARGV[5] == 'final' then
  redis.call('HSET', KEYS[2], 'status', 'done')
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
if KEYS[5] then redis.call('XADD', KEYS[5], '*', unpack(fields)) end
redis.call('XACK', KEYS[3], ARGV[2], ARGV[3])
redis.call('XDEL', KEYS[3], ARGV[3])
redis.call('DEL', KEYS[1])
return 1
"""


_WHILE_COLLECTED = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', unpack(ARGV))
return 1
"""


def connect(url: str) -> aioredis.Redis:
    """A client for ``redis://`` or ``rediss://`` (TLS) URLs; nothing is sent yet."""
    return aioredis.from_url(url, decode_responses=True, health_check_interval=30)


class RedisBroker:
    """Both sides of the broker: ``WorkQueue`` for workers, ``ResultFeed`` for the producer."""

    def __init__(self, client: aioredis.Redis, url: str, settings: RedisSettings = RedisSettings()):
        self.client = client
        self.where = redacted(url)
        self.settings = settings
        self._claim_cursor = "0-0"
        self._claimed_at = 0.0
        self._backlog: dict[str, bool] = {}
        self._lock = client.register_script(_LOCK)
        self._renew = client.register_script(_RENEW)
        self._save_turn = client.register_script(_SAVE_TURN)
        self._finish = client.register_script(_FINISH)
        self._while_collected = client.register_script(_WHILE_COLLECTED)

    @classmethod
    async def open(cls, url: str, settings: RedisSettings = RedisSettings()) -> RedisBroker:
        """Connect and check the server answers; ``BrokerUnavailable`` in one line if not."""
        broker = cls(connect(url), url, settings)
        async with broker._guard():
            await broker.client.ping()
        return broker

    async def aclose(self) -> None:
        await self.client.aclose()

    @contextlib.asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        """Redis's connection and auth errors become one ``BrokerUnavailable`` line."""
        try:
            yield
        except (AuthenticationError, AuthenticationWrongNumberOfArgsError):
            raise BrokerUnavailable(f"the broker {self.where} refused the password") from None
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise BrokerUnavailable(
                f"cannot reach the broker {self.where}: {_reason(exc)}"
            ) from None
        except ResponseError as exc:
            if "NOAUTH" in str(exc) or "WRONGPASS" in str(exc):
                raise BrokerUnavailable(f"the broker {self.where} refused the password") from None
            raise

    async def _group(self, stream: str, group: str) -> None:
        with contextlib.suppress(ResponseError):  # BUSYGROUP: it exists
            await self.client.xgroup_create(stream, group, id="0", mkstream=True)

    # The worker's side

    async def take(self, consumer: str, count: int, wait: float) -> list[Delivery]:
        async with self._guard():
            try:
                return await self._take(consumer, count, wait)
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                await self._group(NEW, WORKERS)  # a new (or restarted, empty) server
                return []

    async def _take(self, consumer: str, count: int, wait: float) -> list[Delivery]:
        now = time.monotonic()
        if now - self._claimed_at >= self.settings.claim_idle / 3:
            self._claimed_at = now
            cursor, claimed, *_ = await self.client.xautoclaim(
                NEW,
                WORKERS,
                consumer,
                int(self.settings.claim_idle * 1000),
                start_id=self._claim_cursor,
                count=count,
            )
            self._claim_cursor = cursor
            if claimed:
                return [_delivery(ref, fields) for ref, fields in claimed if fields]
        reply = await self.client.xreadgroup(
            WORKERS, consumer, {NEW: ">"}, count=count, block=max(int(wait * 1000), 1)
        )
        return [_delivery(ref, fields) for _, entries in reply for ref, fields in entries]

    async def lock(self, delivery: Delivery, token: str) -> int | None:
        key = delivery.item.key
        async with self._guard():
            attempt = await self._lock(
                keys=[_lock(key), _state(key), NEW],
                args=[
                    token,
                    _ms(self.settings.lock_ttl),
                    int(self.settings.state_ttl),
                    WORKERS,
                    delivery.ref,
                ],
            )
        return int(attempt) if int(attempt) > 0 else None

    async def renew(self, delivery: Delivery, consumer: str, token: str) -> bool:
        async with self._guard():
            kept = await self._renew(
                keys=[_lock(delivery.item.key), NEW],
                args=[token, _ms(self.settings.lock_ttl), WORKERS, consumer, delivery.ref],
            )
        return bool(kept)

    async def turns(self, delivery: Delivery) -> list[Turn]:
        async with self._guard():
            state = await self.client.hgetall(_state(delivery.item.key))
        numbered = sorted((int(k[5:]), v) for k, v in state.items() if k.startswith("turn:"))
        return [Turn(**json.loads(v)) for _, v in numbered]

    async def save_turn(
        self, delivery: Delivery, consumer: str, token: str, turn: Turn, number: int
    ) -> None:
        item = delivery.item
        async with self._guard():
            await self._save_turn(
                keys=[_lock(item.key), _state(item.key), TURN],
                args=[
                    token,
                    number,
                    json.dumps(asdict(turn)),
                    int(self.settings.state_ttl),
                    TURN_MAXLEN,
                    item.batch_id,
                    item.item,
                    turn.model,
                    consumer,
                ],
            )

    async def complete(self, delivery: Delivery, token: str, outcome: ItemOutcome) -> bool:
        return await self._end(delivery, token, COMPLETED, "final", _result(delivery, outcome))

    async def retry(self, delivery: Delivery, token: str) -> None:
        await self._end(delivery, token, NEW, "again", _work(delivery.item, delivery.spec))

    async def dead(self, delivery: Delivery, token: str, outcome: ItemOutcome) -> None:
        fields = _result(delivery, outcome)
        await self._end(delivery, token, COMPLETED, "final", fields, dead=True)

    async def interrupted(self, delivery: Delivery, outcome: ItemOutcome) -> None:
        """Only while the producer still collects the batch (after, nobody would read it)."""
        fields = [v for pair in _result(delivery, outcome).items() for v in pair]
        async with self._guard():
            await self._while_collected(
                keys=[_batch(delivery.item.batch_id), COMPLETED], args=fields
            )

    async def _end(
        self,
        delivery: Delivery,
        token: str,
        stream: str,
        mode: str,
        fields: dict[str, str],
        dead: bool = False,
    ) -> bool:
        key = delivery.item.key
        keys = [_lock(key), _state(key), NEW, stream, *([DEAD] if dead else [])]
        flat = [v for pair in fields.items() for v in pair]
        async with self._guard():
            done = await self._finish(
                keys=keys,
                args=[token, WORKERS, delivery.ref, int(self.settings.state_ttl), mode, *flat],
            )
        return bool(done)

    # The producer's side

    async def knows(self, batch_id: str) -> bool:
        async with self._guard():
            return bool(await self.client.exists(_batch(batch_id)))

    async def publish(self, batch_id: str, items: list[BatchItem], spec: dict[str, Any]) -> None:
        async with self._guard():
            await self.client.set(_batch(batch_id), "1", ex=int(self.settings.state_ttl))
            await self._group(NEW, WORKERS)
            async with self.client.pipeline(transaction=False) as pipe:
                for item in items:  # an item published again starts clean (no "done", no turns)
                    pipe.delete(_state(item.key))
                    pipe.xadd(NEW, _work(item, spec))
                await pipe.execute()

    async def collect(self, batch_id: str, count: int, wait: float) -> list[Collected]:
        group = _collectors(batch_id)
        async with self._guard():
            try:
                return await self._collect(batch_id, group, count, wait)
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                await self._group(COMPLETED, group)
                self._backlog[group] = True
                return []

    async def _collect(self, batch_id: str, group: str, count: int, wait: float) -> list[Collected]:
        backlog = self._backlog.setdefault(group, True)  # first what we read and did not store
        reply = await self.client.xreadgroup(
            group,
            "producer",
            {COMPLETED: "0" if backlog else ">"},
            count=count,
            block=None if backlog else max(int(wait * 1000), 1),
        )
        entries = [entry for _, stream in reply for entry in stream]
        if backlog and not entries:
            self._backlog[group] = False
        found, foreign = [], []
        for ref, fields in entries:
            if fields and fields.get("batch") == batch_id:
                found.append(
                    Collected(ref, _item(fields), outcome_from_dict(json.loads(fields["outcome"])))
                )
            else:
                foreign.append(ref)  # another batch's result (or a deleted entry): not ours
        if foreign:
            await self.client.xack(COMPLETED, group, *foreign)
        return found

    async def acknowledge(self, batch_id: str, refs: list[str]) -> None:
        if not refs:
            return
        async with self._guard():
            await self.client.xack(COMPLETED, _collectors(batch_id), *refs)
            await self.client.xdel(COMPLETED, *refs)

    async def activity(self, batch_id: str, window: float) -> Activity:
        async with self._guard():
            seconds, micros = await self.client.time()
            since = int(seconds * 1000 + micros // 1000 - window * 1000)
            entries = await self.client.xrevrange(TURN, "+", f"{since}-0", count=TURN_MAXLEN)
        ours = [fields for _, fields in entries if fields.get("batch") == batch_id]
        return Activity(
            len({f.get("worker") for f in ours}), len({f.get("item") for f in ours}), len(ours)
        )

    async def forget(self, batch_id: str) -> None:
        """The batch is finished: drop its marker and its collectors' group."""
        async with self._guard():
            await self.client.delete(_batch(batch_id))
            with contextlib.suppress(ResponseError):
                await self.client.xgroup_destroy(COMPLETED, _collectors(batch_id))


def _lock(key: str) -> str:
    return f"{PREFIX}lock:{key}"


def _state(key: str) -> str:
    return f"{PREFIX}state:{key}"


def _batch(batch_id: str) -> str:
    return f"{PREFIX}batch:{batch_id}"


def _collectors(batch_id: str) -> str:
    return f"collect:{batch_id}"


def _ms(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


def _work(item: BatchItem, spec: dict[str, Any]) -> dict[str, str]:
    return {
        "batch": item.batch_id,
        "item": str(item.item),
        "line": str(item.line),
        "inputs": json.dumps(item.inputs, ensure_ascii=False),
        "spec": json.dumps(spec, ensure_ascii=False),
    }


def _result(delivery: Delivery, outcome: ItemOutcome) -> dict[str, str]:
    item = delivery.item
    return {
        "batch": item.batch_id,
        "item": str(item.item),
        "line": str(item.line),
        "inputs": json.dumps(item.inputs, ensure_ascii=False),
        "outcome": json.dumps(outcome_to_dict(outcome), ensure_ascii=False),
    }


def _item(fields: dict[str, str]) -> BatchItem:
    return BatchItem(
        fields["batch"], int(fields["item"]), int(fields["line"]), json.loads(fields["inputs"])
    )


def _delivery(ref: str, fields: dict[str, str]) -> Delivery:
    return Delivery(ref, _item(fields), json.loads(fields["spec"]))


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def read_list(url: str, key: str, page: int = 500) -> Iterator[str]:
    """The elements of list ``key``, a page at a time (synchronous: input rows are read so)."""
    import redis

    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        start = 0
        while True:
            try:
                chunk = client.lrange(key, start, start + page - 1)
            except redis.RedisError as exc:
                raise BrokerUnavailable(
                    f"cannot read {key} on {redacted(url)}: {_reason(exc)}"
                ) from None
            yield from (value.replace("\n", " ") + "\n" for value in chunk)
            if len(chunk) < page:
                return
            start += page
    finally:
        client.close()
