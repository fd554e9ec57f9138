"""Per-provider pacing from ``models.yaml``: ``requests_per_minute`` and ``concurrency``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any


class RateLimiter:
    """A token bucket: bursts up to ``per_minute`` requests, refilled evenly over a minute."""

    def __init__(self, per_minute: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = max(per_minute, 1.0)
        self.rate = per_minute / 60.0
        self._tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def wait_time(self) -> float:
        """Seconds until a request may go out (0 when one may go now)."""
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    async def acquire(self) -> None:
        async with self._lock:  # first come, first served
            while (wait := self.wait_time()) > 0:
                await asyncio.sleep(wait)
            self._tokens -= 1


class ProviderLimits:
    """The rate limiter and the concurrency cap of one provider."""

    def __init__(self, settings: dict[str, Any]) -> None:
        rpm = settings.get("requests_per_minute")
        self.rate = RateLimiter(float(rpm)) if rpm else None
        cap = settings.get("concurrency")
        self.slots = asyncio.Semaphore(int(cap)) if cap else None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for a free slot and the rate limit, then hold the slot for one call."""
        if self.slots is None:
            if self.rate is not None:
                await self.rate.acquire()
            yield
            return
        async with self.slots:
            if self.rate is not None:
                await self.rate.acquire()
            yield
