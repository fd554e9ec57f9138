"""A circuit breaker per provider: after repeated failures, calls fail fast until a cool-down passes.

Closed → (``threshold`` failures in a row) → open → (``cooldown`` seconds) → half-open, where one
probe call goes through: its success closes the circuit, its failure opens it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from orchestrator_tui.core.errors import ErrorKind, ProviderError

State = Literal["closed", "open", "half_open"]

COUNTED = frozenset(
    {ErrorKind.SERVER, ErrorKind.OVERLOADED, ErrorKind.TIMEOUT, ErrorKind.CONNECTION}
)
"""Failures that say the provider is unwell; a bad request or a refused key says nothing about it."""


class CircuitBreaker:
    def __init__(
        self,
        provider: str,
        *,
        threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.threshold = max(threshold, 1)
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @classmethod
    def from_settings(cls, provider: str, settings: dict[str, Any]) -> CircuitBreaker:
        return cls(
            provider,
            threshold=int(settings.get("breaker_failures", 5)),
            cooldown=float(settings.get("breaker_cooldown", 30.0)),
        )

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown:
            return "half_open"
        return "open"

    def before_call(self) -> None:
        """Raise ``CIRCUIT_OPEN`` instead of calling a provider that keeps failing."""
        state = self.state
        if state == "closed":
            return
        if state == "half_open" and not self._probing:
            self._probing = True
            return
        assert self._opened_at is not None
        wait = max(self.cooldown - (self._clock() - self._opened_at), 0.0)
        when = f"trying again in {wait:.0f}s" if state == "open" else "a test call is under way"
        raise ProviderError(
            ErrorKind.CIRCUIT_OPEN,
            f"{self._failures} failures in a row; {when}",
            provider=self.provider,
        )

    def record(self, error: ProviderError | None) -> None:
        """The outcome of a call let through by ``before_call``."""
        probing, self._probing = self._probing, False
        if error is None:
            self._failures = 0
            self._opened_at = None
            return
        if error.kind not in COUNTED:
            return
        self._failures += 1
        if probing or self._failures >= self.threshold:
            self._opened_at = self._clock()
