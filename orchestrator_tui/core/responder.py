"""One response from one model, with retries, timeouts and events: the engine's hot path.

Fan-out, chains, reviews and synthesis all stream through ``Responder.respond``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass

from orchestrator_tui.config import ModelConfig
from orchestrator_tui.core.costs import request_cost
from orchestrator_tui.core.errors import ErrorKind, ProviderError
from orchestrator_tui.core.events import (
    AttemptFailed,
    ResponseEnded,
    ResponseFailed,
    ResponseFinished,
    ResponseRole,
    ResponseStarted,
    TextDelta,
)
from orchestrator_tui.core.registry import ProviderRegistry
from orchestrator_tui.core.resilience import RetryPolicy, Timeouts
from orchestrator_tui.core.run import Run
from orchestrator_tui.core.types import GenerationParams, LLMRequest, Message, ModelRef, Usage


@dataclass(slots=True)
class _Progress:
    """What one response has produced so far, across attempts."""

    pieces: list[str]
    usage: Usage
    ttft: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.pieces)


class Responder:
    def __init__(self, registry: ProviderRegistry) -> None:
        self.registry = registry

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
        """Stream one answer into ``run``; never raises for provider failures, returns how it ended."""
        run.emit(
            ResponseStarted(
                run.run_id, run.session_id, response_id, model.name, parent_id, role, step_id
            )
        )
        started = time.monotonic()
        progress = _Progress([], Usage())
        request = LLMRequest(
            ModelRef(model.ref.provider, model.wire_name), tuple(messages), params, model.options
        )
        attempt = 0
        try:
            while True:
                attempt += 1
                try:
                    await self._attempt(run, model, request, response_id, progress, started)
                    break
                except ProviderError as error:
                    retry_in = self._retry_delay(model, attempt, error, progress)
                    run.emit(
                        AttemptFailed(
                            run.run_id,
                            run.session_id,
                            response_id,
                            model.name,
                            attempt,
                            str(error.kind),
                            error.message,
                            retry_in,
                            time.monotonic() - started,
                        )
                    )
                    if retry_in is None:
                        return self._end(
                            run, model, response_id, progress, started, params, attempt, error
                        )
                    await asyncio.sleep(retry_in)
        except asyncio.CancelledError:
            cancelled = ProviderError(ErrorKind.CANCELLED)
            self._end(run, model, response_id, progress, started, params, attempt, cancelled)
            if run.cancelled:
                raise
            return run.results[response_id]
        return self._end(run, model, response_id, progress, started, params, attempt, None)

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
        timeouts = Timeouts.from_settings(provider_config.settings)
        provider = self.registry.get(provider_config.name)
        loop = asyncio.get_running_loop()
        total_deadline = loop.time() + timeouts.total if timeouts.total else None
        try:
            async with (
                asyncio.timeout_at(total_deadline),
                asyncio.timeout(timeouts.first_token) as gap,
                aclosing(provider.stream(request)) as chunks,
            ):
                async for chunk in chunks:
                    if isinstance(chunk, Usage):
                        progress.usage = chunk
                        continue
                    if not chunk:
                        continue
                    if progress.ttft is None:
                        progress.ttft = time.monotonic() - started
                    progress.pieces.append(chunk)
                    run.emit(TextDelta(run.run_id, response_id, chunk))
                    gap.reschedule(loop.time() + timeouts.idle if timeouts.idle else None)
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

    def _end(
        self,
        run: Run,
        model: ModelConfig,
        response_id: str,
        progress: _Progress,
        started: float,
        params: GenerationParams,
        attempts: int,
        error: ProviderError | None,
    ) -> ResponseEnded:
        common = dict(
            run_id=run.run_id,
            session_id=run.session_id,
            response_id=response_id,
            model=model.name,
            text=progress.text,
            usage=progress.usage,
            ttft=progress.ttft,
            latency=time.monotonic() - started,
            cost=request_cost(model, progress.usage),
            params=params,
            attempts=attempts,
        )
        ended: ResponseEnded
        if error is None:
            ended = ResponseFinished(status="ok", **common)  # type: ignore[arg-type]
        else:
            status = "cancelled" if error.kind is ErrorKind.CANCELLED else "failed"
            ended = ResponseFailed(
                status=status,  # type: ignore[arg-type]
                error_kind=str(error.kind),
                error=error.message,
                **common,  # type: ignore[arg-type]
            )
        run.emit(ended)
        return ended
