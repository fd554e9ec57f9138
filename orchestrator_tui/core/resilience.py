"""Retry policy and timeouts: the engine's one retry loop (every SDK's own retries are off)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from orchestrator_tui.core.errors import ProviderError

_SHARED = random.Random()
"""Jitter's source when a caller brings none (tests bring a seeded one)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, honouring the server's ``Retry-After``."""

    max_attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 20.0

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> RetryPolicy:
        default = cls()
        return cls(
            max_attempts=int(settings.get("max_attempts", default.max_attempts)),
            base_delay=float(settings.get("retry_base_delay", default.base_delay)),
            max_delay=float(settings.get("retry_max_delay", default.max_delay)),
        )

    def delay(
        self, attempt: int, error: ProviderError, rng: random.Random | None = None
    ) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or ``None`` to give up."""
        if not error.retryable or attempt >= self.max_attempts:
            return None
        if error.retry_after is not None:
            return min(max(error.retry_after, 0.0), self.max_delay)
        return (rng or _SHARED).uniform(
            0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        )


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds; ``None`` means no limit. ``connect`` is handed to the provider's HTTP client."""

    connect: float | None = 10.0
    first_token: float | None = 60.0
    idle: float | None = 30.0
    total: float | None = 600.0

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Timeouts:
        def pick(name: str, default: float | None) -> float | None:
            value = settings.get(f"{name}_timeout", default)
            return None if value in (None, 0) else float(value)

        default = cls()
        return cls(
            connect=pick("connect", default.connect),
            first_token=pick("first_token", default.first_token),
            idle=pick("idle", default.idle),
            total=pick("total", default.total),
        )
