"""One response from one model, with retries, timeouts and events: the engine's hot path.

Fan-out, chains, reviews and synthesis all stream through ``Responder.respond``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from orchestrator_tui.core.breaker import CircuitBreaker
from orchestrator_tui.core.budget import BudgetGuard, BudgetRefused, Hold
from orchestrator_tui.core.catalog import ModelConfig, ProviderConfig
from orchestrator_tui.core.costs import request_cost
from orchestrator_tui.core.errors import ConfigError, ErrorKind, ProviderError
from orchestrator_tui.core.estimate import tokens_in_chars
from orchestrator_tui.core.events import (
    AttemptFailed,
    ResponseEnded,
    ResponseFailed,
    ResponseFinished,
    ResponseRole,
    ResponseStarted,
    ResponseStatus,
    TextDelta,
)
from orchestrator_tui.core.images import refusal as image_refusal
from orchestrator_tui.core.limits import ProviderLimits
from orchestrator_tui.core.ports import CachedAnswer, Provider, ResponseCache, cache_key
from orchestrator_tui.core.registry import ProviderRegistry
from orchestrator_tui.core.resilience import RetryPolicy, Timeouts
from orchestrator_tui.core.run import Run
from orchestrator_tui.core.storable import storable
from orchestrator_tui.core.types import GenerationParams, LLMRequest, Message, ModelRef, Usage

log = logging.getLogger(__name__)
_STATUS_OF: dict[ErrorKind, ResponseStatus] = {
    ErrorKind.CANCELLED: "cancelled",
    ErrorKind.BUDGET: "budget",
    ErrorKind.SKIPPED: "skipped",
}

_TURN = 0.002
"""Longest stretch one answer's stream runs before letting the event loop go on: a provider
that delivers a burst (a cached or very fast model) would otherwise hold it for every token."""


@dataclass(slots=True)
class _Progress:
    """What one response has produced so far, across attempts."""

    pieces: list[str]
    usage: Usage
    ttft: float | None = None
    attempts: int = 0
    hold: Hold | None = None
    """The budget's hold on the current request, when a budget applies."""

    @property
    def text(self) -> str:
        return "".join(self.pieces)


@dataclass(slots=True)
class _Guard:
    """What protects one provider: its circuit breaker, rate limit and concurrency cap."""

    breaker: CircuitBreaker
    limits: ProviderLimits


class Responder:
    def __init__(
        self,
        registry: ProviderRegistry,
        cache: ResponseCache | None = None,
        budget: BudgetGuard | None = None,
    ) -> None:
        self.registry = registry
        self.cache = cache
        self.budget = budget
        """Spending limits every request is checked against (``None`` or inactive: none)."""
        self._guards: dict[str, _Guard] = {}

    def guard(self, provider: ProviderConfig) -> _Guard:
        found = self._guards.get(provider.name)
        if found is None:
            found = _Guard(
                CircuitBreaker.from_settings(provider.name, provider.settings),
                ProviderLimits(provider.settings),
            )
            self._guards[provider.name] = found
        return found

    async def respond(
        self,
        run: Run,
        model: ModelConfig,
        messages: Sequence[Message],
        params: GenerationParams,
        *,
        response_id: str,
        parent_id: str | None = None,
        role: ResponseRole = "response",
        step_id: str | None = None,
    ) -> ResponseEnded:
        """Stream one answer into ``run``; never raises for provider failures, returns how it ended.

        Retries, then fallback models, are tried only while nothing has reached the user.
        """
        run.emit(
            ResponseStarted(
                run.run_id, run.session_id, response_id, model.name, parent_id, role, step_id
            )
        )
        end = _Ending(run, response_id, params, model, time.monotonic())
        progress = _Progress([], Usage())
        provider = self.registry.catalog.provider_of(model)
        if not_sent := image_refusal(model, provider, list(messages)):
            return end(model, progress, ProviderError(ErrorKind.SKIPPED, not_sent))
        key = cache_key(model.name, params, messages, model.options) if self.cache else None
        current = model
        try:
            if key is not None and (hit := await self._cached(run, key, response_id, progress)):
                return end(model, progress, None, cached=True, usage=hit.usage)
            # Its SDK imported, its client made: the answer's time counts from the request.
            await self.registry.prepare(self.registry.catalog.provider_of(model).name)
            end.start = time.monotonic()
            candidates = [model, *self._fallbacks(model)]
            for index, current in enumerate(candidates):
                following = candidates[index + 1].name if index + 1 < len(candidates) else None
                error = self._hold(run, current, messages, params, progress)
                if error is not None:
                    break
                error = await self._with_retries(
                    run, current, messages, params, response_id, progress, end.start, following
                )
                if error is None or progress.pieces or following is None:
                    break
                self._settle(progress, 0.0)  # nothing came of it: nothing spent
            ended = end(current, progress, error)
            self._settle(progress, ended.cost)
            if key is not None and ended.status == "ok" and current is model:
                await self._store(key, model, progress)
            return ended
        except asyncio.CancelledError:
            ended = end(current, progress, ProviderError(ErrorKind.CANCELLED))
            self._settle(progress, ended.cost)
            if run.cancelled:
                raise
            return run.results[response_id]

    def _hold(
        self,
        run: Run,
        model: ModelConfig,
        messages: Sequence[Message],
        params: GenerationParams,
        progress: _Progress,
    ) -> ProviderError | None:
        """Reserve the request's worst case in the budget; the refusal, if it would pass it."""
        if self.budget is None or not self.budget.limits.active:
            return None
        try:
            progress.hold = self.budget.reserve(
                run.run_id, run.session_id, model, _request(model, messages, params)
            )
        except BudgetRefused as refused:
            return ProviderError(ErrorKind.BUDGET, str(refused))
        return None

    def _settle(self, progress: _Progress, cost: float | None) -> None:
        if self.budget is not None and progress.hold is not None:
            self.budget.settle(progress.hold, cost)
            progress.hold = None

    async def _with_retries(
        self,
        run: Run,
        model: ModelConfig,
        messages: Sequence[Message],
        params: GenerationParams,
        response_id: str,
        progress: _Progress,
        started: float,
        following: str | None,
    ) -> ProviderError | None:
        """Attempts on one model until success or giving up; the last error, or ``None``."""
        request = _request(model, messages, params)
        for tries in itertools.count(1):
            progress.attempts += 1
            try:
                await self._attempt(run, model, request, response_id, progress, started)
                return None
            except ProviderError as error:
                retry_in = self._retry_delay(model, tries, error, progress)
                fallback = following if retry_in is None and not progress.pieces else None
                run.emit(
                    AttemptFailed(
                        run.run_id,
                        run.session_id,
                        response_id,
                        model.name,
                        progress.attempts,
                        str(error.kind),
                        error.message,
                        0.0 if fallback else retry_in,
                        time.monotonic() - started,
                        next_model=fallback,
                    )
                )
                if retry_in is None:
                    return error
                await asyncio.sleep(retry_in)
        raise AssertionError("unreachable")

    def _fallbacks(self, model: ModelConfig) -> list[ModelConfig]:
        """The model's fallbacks that resolve; one that does not is skipped (and logged)."""
        found = []
        for name in model.fallbacks:
            try:
                found.append(self.registry.catalog.resolve(name))
            except ConfigError:
                log.warning("fallback %r of %s is not a known model; skipped", name, model.name)
        return found

    async def _cached(
        self, run: Run, key: str, response_id: str, progress: _Progress
    ) -> CachedAnswer | None:
        assert self.cache is not None
        try:
            hit = await self.cache.get(key)
        except Exception:
            log.exception("reading the response cache failed; asking the model")
            return None
        if hit is not None:
            progress.ttft = 0.0
            if hit.text:
                progress.pieces.append(hit.text)
                run.emit(TextDelta(run.run_id, response_id, hit.text))
        return hit

    async def _store(self, key: str, model: ModelConfig, progress: _Progress) -> None:
        assert self.cache is not None
        try:
            await self.cache.put(key, model.name, CachedAnswer(progress.text, progress.usage))
        except Exception:
            log.exception("writing the response cache failed")

    def _retry_delay(
        self, model: ModelConfig, attempt: int, error: ProviderError, progress: _Progress
    ) -> float | None:
        """Retry only while nothing has reached the user."""
        if progress.pieces:
            return None
        settings = self.registry.catalog.provider_of(model).settings
        return RetryPolicy.from_settings(settings).delay(attempt, error)

    async def _attempt(
        self,
        run: Run,
        model: ModelConfig,
        request: LLMRequest,
        response_id: str,
        progress: _Progress,
        started: float,
    ) -> None:
        provider_config = self.registry.catalog.provider_of(model)
        guard = self.guard(provider_config)
        provider = await self.registry.aget(provider_config.name)
        guard.breaker.before_call()
        outcome: ProviderError | None = ProviderError(ErrorKind.CANCELLED)
        try:
            async with guard.limits.slot():
                await self._stream(
                    run, provider, provider_config, request, response_id, progress, started
                )
            outcome = None
        except ProviderError as error:
            error.detail = self.registry.redact(provider_config.name, error.detail)
            outcome = error
            raise
        finally:
            guard.breaker.record(outcome)

    async def _stream(
        self,
        run: Run,
        provider: Provider,
        provider_config: ProviderConfig,
        request: LLMRequest,
        response_id: str,
        progress: _Progress,
        started: float,
    ) -> None:
        timeouts = Timeouts.from_settings(provider_config.settings)
        loop = asyncio.get_running_loop()
        total_deadline = loop.time() + timeouts.total if timeouts.total else None
        idle = timeouts.idle
        # Re-arming the idle timer costs a timer handle; doing it at most ten times per idle
        # period (not per token) keeps the limit within a tenth and the hot path cheap.
        slack = idle / 10 if idle else math.inf
        rearmed = -math.inf
        turn_started = loop.time()
        watch = self._watch if progress.hold is not None else None
        written = len(progress.text)
        try:
            async with (
                asyncio.timeout_at(total_deadline),
                asyncio.timeout(timeouts.first_token) as gap,
                aclosing(provider.stream(request)) as chunks,
            ):
                # The hot path: one pass per token, names bound once.
                emit, append, clock, run_id, clean = (
                    run.emit,
                    progress.pieces.append,
                    loop.time,
                    run.run_id,
                    storable,
                )
                async for chunk in chunks:
                    if isinstance(chunk, Usage):
                        progress.usage = chunk
                        continue
                    if not chunk:
                        continue
                    if not chunk.isascii():  # a flag check: the common token costs no more
                        chunk = clean(chunk)  # a lone surrogate would fail every write of it
                    if watch is not None:
                        written += len(chunk)
                        watch(progress, written, provider_config.name)
                    if progress.ttft is None:
                        progress.ttft = time.monotonic() - started
                    append(chunk)
                    emit(TextDelta(run_id, response_id, chunk))
                    now = clock()
                    if now - rearmed >= slack:
                        gap.reschedule(now + idle if idle else None)
                        rearmed = now
                    if now - turn_started >= _TURN:
                        await asyncio.sleep(0)
                        turn_started = clock()
        except TimeoutError:
            if total_deadline is not None and loop.time() >= total_deadline:
                detail = f"the answer took longer than {timeouts.total:g}s in all"
            elif progress.ttft is None:
                detail = f"no first token within {timeouts.first_token:g}s"
            else:
                detail = f"no token for {timeouts.idle:g}s"
            raise ProviderError(ErrorKind.TIMEOUT, detail, provider=provider_config.name) from None
        except (ProviderError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a provider bug or an unmapped SDK error: shown, never a crash
            detail = f"{type(exc).__name__}: {exc}"
            raise ProviderError(ErrorKind.UNKNOWN, detail, provider=provider_config.name) from exc

    def _watch(self, progress: _Progress, written: int, provider: str) -> None:
        """Stop the stream before the text that would pass the budget; its cost so far stays."""
        assert self.budget is not None and progress.hold is not None
        try:
            self.budget.check_stream(progress.hold, written)
        except BudgetRefused as refused:
            # The provider reports usage at the end, which this answer will not reach: what it
            # cost is estimated from its prompt and the text kept, the same way it was guarded.
            tokens = tokens_in_chars(len(progress.text))
            progress.usage = Usage(progress.hold.input_tokens, tokens)
            raise ProviderError(ErrorKind.BUDGET, str(refused), provider=provider) from None


def _request(
    model: ModelConfig, messages: Sequence[Message], params: GenerationParams
) -> LLMRequest:
    return LLMRequest(
        ModelRef(model.ref.provider, model.wire_name), tuple(messages), params, model.options
    )


@dataclass(slots=True)
class _Ending:
    """Builds and emits the one ``ResponseEnded`` of a response."""

    run: Run
    response_id: str
    params: GenerationParams
    requested: ModelConfig
    start: float

    def __call__(
        self,
        model: ModelConfig,
        progress: _Progress,
        error: ProviderError | None,
        *,
        cached: bool = False,
        usage: Usage | None = None,
    ) -> ResponseEnded:
        usage = usage or progress.usage
        not_sent = error is not None and error.kind in (ErrorKind.SKIPPED, ErrorKind.BUDGET)
        common: dict[str, Any] = dict(
            run_id=self.run.run_id,
            session_id=self.run.session_id,
            response_id=self.response_id,
            model=model.name,
            text=progress.text,
            usage=usage,
            ttft=progress.ttft,
            latency=time.monotonic() - self.start,
            cost=0.0 if cached or not_sent else request_cost(model, usage),
            params=self.params,
            attempts=max(progress.attempts, 1),
            cached=cached,
            fallback_from=None if model is self.requested else self.requested.name,
        )
        ended: ResponseEnded
        if error is None:
            ended = ResponseFinished(status="ok" if progress.text.strip() else "empty", **common)
        else:
            ended = ResponseFailed(
                status=_STATUS_OF.get(error.kind, "failed"),
                error_kind=str(error.kind),
                error=error.message,
                **common,
            )
        self.run.emit(ended)
        return ended
