"""The engine's front door: fan a prompt out to many models at once, as a cancellable ``Run``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from orchestrator_tui.config import Catalog, ModelConfig
from orchestrator_tui.core.conversation import Conversation, new_id
from orchestrator_tui.core.events import ResponseEnded, RunStarted
from orchestrator_tui.core.ports import KeyLookup
from orchestrator_tui.core.registry import ProviderRegistry
from orchestrator_tui.core.responder import Responder
from orchestrator_tui.core.run import Listener, Run, RunStatus
from orchestrator_tui.core.types import GenerationParams

log = logging.getLogger(__name__)


class Orchestrator:
    """Owns the provider instances and the listeners (the recorder) every run reports to."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        keys: KeyLookup | None = None,
        listeners: Sequence[Listener] = (),
    ) -> None:
        self.catalog = catalog
        self.registry = ProviderRegistry(catalog, keys)
        self.responder = Responder(self.registry)
        self.listeners: list[Listener] = list(listeners)

    def resolve(self, names: Sequence[str]) -> list[ModelConfig]:
        """Models for names or aliases; raises ``ConfigError`` naming the first unknown one."""
        return [self.catalog.resolve(name) for name in names]

    def fan_out(
        self,
        prompt: str,
        models: Sequence[str],
        params: GenerationParams = GenerationParams(),
        *,
        conversation: Conversation | None = None,
        model_params: Mapping[str, GenerationParams] | None = None,
    ) -> Run:
        """Send ``prompt`` to every model concurrently; one failing never stops the others.

        With a ``conversation``, each model continues its own earlier exchange.
        """
        if not prompt.strip():
            raise ValueError("the prompt is empty")
        resolved = self.resolve(models)
        if not resolved:
            raise ValueError("no model selected")
        conversation = conversation or Conversation()
        run_id, prompt_id = new_id(), new_id()
        parent_id = conversation.last_prompt_id
        conversation.last_prompt_id = prompt_id

        async def body(run: Run) -> RunStatus:
            run.emit(
                RunStarted(
                    run_id,
                    conversation.session_id,
                    conversation.kind,
                    prompt_id,
                    prompt,
                    tuple(m.name for m in resolved),
                    params,
                    parent_id=parent_id,
                    title=conversation.title,
                )
            )
            tasks = []
            for model in resolved:
                own = params.merged((model_params or {}).get(model.name))
                messages = conversation.messages_for(model.name, prompt)
                response_id = new_id()
                coro = self.responder.respond(
                    run, model, messages, own, response_id=response_id, parent_id=prompt_id
                )
                tasks.append(run.spawn(response_id, coro))
            ended: list[ResponseEnded | BaseException] = await asyncio.gather(
                *tasks, return_exceptions=True
            )
            finished: list[ResponseEnded] = []
            for model, result in zip(resolved, ended, strict=True):
                if isinstance(result, ResponseEnded):
                    finished.append(result)
                    conversation.record(model.name, prompt, result)
                else:
                    log.error("response of %s crashed", model.name, exc_info=result)
            if any(e.status == "ok" for e in finished):
                return "completed"
            if finished and all(e.status == "cancelled" for e in finished):
                return "cancelled"
            return "failed"

        return Run(run_id, conversation.session_id, body, self.listeners)

    async def aclose(self) -> None:
        await self.registry.aclose()
