"""A batch's items and what became of each: plain data shared by the queue, the pool and brokers."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ItemStatus = Literal["queued", "done", "failed", "cancelled"]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One input row to run: ``item`` is its position in the input (from 1), ``line`` its line."""

    batch_id: str
    item: int
    line: int
    inputs: dict[str, str]

    @property
    def key(self) -> str:
        """The item's name everywhere (queue, broker, locks): the same for every attempt."""
        return f"{self.batch_id}:{self.item}"


@dataclass(frozen=True, slots=True)
class Turn:
    """One answer inside an item's run, enough to rebuild it in a history elsewhere."""

    response_id: str
    step_id: str | None
    role: str
    model: str
    status: str
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """How an item ended: ``done`` (the chain completed) or ``failed`` (with ``error``); or,
    from a broker, an ``interrupted`` attempt (a worker stopped or lost the item's lock): kept in
    the history as such, linked to its item, never as the item's result."""

    status: Literal["done", "failed", "interrupted"]
    session_id: str | None
    output: str = ""
    score: float | None = None
    quality: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    error: str | None = None
    turns: tuple[Turn, ...] = ()
    step_kind: str | None = None
    """The kind of the step whose output is the item's answer."""
    at: float = field(default_factory=time.time)


@dataclass(slots=True)
class Progress:
    """Counters a front end draws from; the pool updates them as items start and end."""

    total: int
    done: int = 0
    failed: int = 0
    in_flight: int = 0
    cost: float = 0.0
    """Dollars spent so far (what is known: see ``cost_known``)."""
    cost_known: bool = True
    """``False`` once an item's cost was unknown (a model without prices)."""
    finished_before: int = 0
    """Items already finished when this process started (a resume), left out of the rate."""
    started_at: float = field(default_factory=time.monotonic)
    stopped: str | None = None
    """Why no more items start, when that is not "all done": ``budget``, ``limit``."""

    @property
    def finished(self) -> int:
        return self.done + self.failed

    def rate(self) -> float:
        """Items per second finished by this process."""
        elapsed = time.monotonic() - self.started_at
        ran = self.finished - self.finished_before
        return ran / elapsed if elapsed > 0 and ran > 0 else 0.0

    def eta(self) -> float | None:
        """Seconds left at the current rate, or ``None`` before the first item ends."""
        rate = self.rate()
        return (self.total - self.finished) / rate if rate else None

    def count(self, outcome: ItemOutcome) -> None:
        if outcome.status == "done":
            self.done += 1
        else:
            self.failed += 1
        if outcome.cost is None and outcome.turns:
            self.cost_known = False
        self.cost += outcome.cost or 0.0

    @property
    def spent(self) -> float | None:
        """What was spent, or ``None`` when part of it is unknown."""
        return self.cost if self.cost_known else None


def outcome_to_dict(outcome: ItemOutcome) -> dict[str, Any]:
    """Plain data for the wire (JSON): every field, turns as objects."""
    return asdict(outcome)


def outcome_from_dict(data: dict[str, Any]) -> ItemOutcome:
    turns = tuple(Turn(**turn) for turn in data.get("turns") or ())
    return ItemOutcome(**{**data, "turns": turns})
