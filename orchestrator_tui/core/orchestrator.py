"""The engine's front door: fan a prompt out to many models at once, as a cancellable ``Run``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from orchestrator_tui.core.arena.judge import Comparison, Judgement, judge_comparison
from orchestrator_tui.core.budget import BudgetGuard
from orchestrator_tui.core.catalog import Catalog, ModelConfig
from orchestrator_tui.core.context_window import ContextKeeper, ContextPolicy
from orchestrator_tui.core.conversation import Conversation, new_id
from orchestrator_tui.core.events import ResponseEnded, RunEvent, RunStarted
from orchestrator_tui.core.ports import KeyLookup, ResponseCache
from orchestrator_tui.core.registry import ProviderRegistry
from orchestrator_tui.core.responder import Responder
from orchestrator_tui.core.review import LLMJudge, ScoreRequest, review_answer
from orchestrator_tui.core.run import Listener, Run, RunStatus
from orchestrator_tui.core.storable import storable
from orchestrator_tui.core.synthesis import SYNTHESIS_SYSTEM, synthesis_messages
from orchestrator_tui.core.types import GenerationParams, Message, Part, TextPart

log = logging.getLogger(__name__)


class Orchestrator:
    """Owns the provider instances and the listeners (the recorder) every run reports to."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        keys: KeyLookup | None = None,
        listeners: Sequence[Listener] = (),
        cache: ResponseCache | None = None,
        context: ContextPolicy | None = None,
        budget: BudgetGuard | None = None,
    ) -> None:
        """With a ``cache``, finished answers are replayed for the same model, parameters and
        messages; ``context`` says what to do when a conversation outgrows a model's window;
        with a ``budget``, every request is checked against its limits first."""
        self.catalog = catalog
        self.registry = ProviderRegistry(catalog, keys)
        self.responder = Responder(self.registry, cache, budget)
        self.context = ContextKeeper(catalog, self.responder, context or ContextPolicy())
        self.listeners: list[Listener] = list(listeners)

    def resolve(self, names: Sequence[str]) -> list[ModelConfig]:
        """Models for names or aliases; raises ``ConfigError`` naming the first unknown one."""
        return [self.catalog.resolve(name) for name in names]

    def fan_out(
        self,
        prompt: str | Iterable[Part],
        models: Sequence[str],
        params: GenerationParams = GenerationParams(),
        *,
        conversation: Conversation | None = None,
        model_params: Mapping[str, GenerationParams] | None = None,
    ) -> Run:
        """Send ``prompt`` (text, or its parts: text and images in order) to every model
        concurrently; one failing never stops the others.

        With a ``conversation``, each model continues its own earlier exchange. A prompt with
        images goes only to models that take them; any other model's answer says it was not sent.
        """
        message = _storable(Message("user", prompt))
        if not message.text.strip():
            raise ValueError("the prompt is empty")
        resolved = self.resolve(models)
        if not resolved:
            raise ValueError("no model selected")
        conversation = conversation or Conversation()
        prompt_id = new_id()
        parent_id = conversation.last_prompt_id
        conversation.last_prompt_id = prompt_id

        async def answer(
            run: Run, model: ModelConfig, own: GenerationParams, response_id: str
        ) -> ResponseEnded:
            messages = await self.context.fit(run, conversation, model, message, own, prompt_id)
            return await self.responder.respond(
                run, model, messages, own, response_id=response_id, parent_id=prompt_id
            )

        async def body(run: Run) -> RunStatus:
            spawned = []
            for model in resolved:
                own = params.merged((model_params or {}).get(model.name))
                response_id = new_id()
                coro = answer(run, model, own, response_id)
                spawned.append((model, run.spawn(response_id, coro)))
            try:
                ended = await _gather(spawned)
            except asyncio.CancelledError:  # the answers that had ended stay in the conversation
                for model, task in spawned:
                    if task.done() and not task.cancelled() and task.exception() is None:
                        conversation.record(model.name, message, task.result())
                raise
            for model, result in ended:
                conversation.record(model.name, message, result)
            return _status([result for _, result in ended])

        started = RunStarted(
            new_id(),
            conversation.session_id,
            conversation.kind,
            prompt_id,
            message,
            tuple(m.name for m in resolved),
            params,
            parent_id=parent_id,
            title=conversation.title,
            mode=conversation.mode,
        )
        return self._start(started, body)

    def review(
        self,
        targets: Sequence[ReviewTarget],
        reviewer: str,
        *,
        conversation: Conversation,
    ) -> Run:
        """Score every answer with ``reviewer`` at once; each verdict arrives as ``ReviewReady``."""
        judge = LLMJudge(self.responder, self.catalog.resolve(reviewer))

        async def body(run: Run) -> RunStatus:
            tasks = [
                asyncio.create_task(
                    review_answer(judge, ScoreRequest(run, t.prompt, t.answer, t.response_id))
                )
                for t in targets
            ]
            reviews = await asyncio.gather(*tasks)
            return "completed" if any(r is not None for r in reviews) else "failed"

        return self._start(self._continuation(conversation, (judge.name,)), body)

    def synthesize(
        self,
        prompt: str,
        answers: Sequence[tuple[str, str]],
        judge: str,
        *,
        conversation: Conversation,
        params: GenerationParams = GenerationParams(),
    ) -> Run:
        """One ``synthesis`` response from ``judge`` merging ``(model, text)`` answers."""
        model = self.catalog.resolve(judge)

        async def body(run: Run) -> RunStatus:
            ended = await self.responder.respond(
                run,
                model,
                synthesis_messages(prompt, answers),
                GenerationParams(system=SYNTHESIS_SYSTEM).merged(params),
                response_id=new_id(),
                parent_id=conversation.last_prompt_id,
                role="synthesis",
            )
            return _status([ended])

        return self._start(self._continuation(conversation, (model.name,)), body)

    def judge(
        self, comparisons: Sequence[Comparison], judge: str, *, conversation: Conversation
    ) -> JudgeRun:
        """Judge every pair of each comparison's answers in both orders with ``judge`` (never its
        own answers); its replies are ``review`` responses in the run, verdicts in ``judgements``."""
        model = self.catalog.resolve(judge)
        judgements: list[Judgement] = []

        async def body(run: Run) -> RunStatus:
            for comparison in comparisons:
                judgements.extend(await judge_comparison(self.responder, run, model, comparison))
            if not judgements or any(j.verdict is not None for j in judgements):
                return "completed"
            return "failed"

        run = self._start(self._continuation(conversation, (model.name,)), body)
        return JudgeRun(run, judgements)

    def _continuation(self, conversation: Conversation, models: tuple[str, ...]) -> RunStarted:
        """The start of a run that adds to a conversation's answers without a new prompt."""
        return RunStarted(
            new_id(),
            conversation.session_id,
            conversation.kind,
            None,
            None,
            models,
            GenerationParams(),
            title=conversation.title,
        )

    def _start(self, started: RunStarted, body: Callable[[Run], Awaitable[RunStatus]]) -> Run:
        async def announced(run: Run) -> RunStatus:
            run.emit(started)
            return await body(run)

        return Run(started.run_id, started.session_id, announced, self.listeners)

    def announce(self, event: RunEvent) -> None:
        """Tell every listener of something a person did outside a run (a best mark)."""
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:
                log.exception("run listener failed on %s", type(event).__name__)

    async def aclose(self) -> None:
        await self.registry.aclose()


@dataclass(frozen=True, slots=True)
class JudgeRun:
    """A judging run and the verdicts it has reached so far (all of them once it is done)."""

    run: Run
    judgements: list[Judgement]


@dataclass(frozen=True, slots=True)
class ReviewTarget:
    """An answer to review: the request it answered and its text."""

    response_id: str
    prompt: str
    answer: str


async def _gather(
    spawned: list[tuple[ModelConfig, asyncio.Task[ResponseEnded]]],
) -> list[tuple[ModelConfig, ResponseEnded]]:
    results = await asyncio.gather(*(task for _, task in spawned), return_exceptions=True)
    ended = []
    for (model, _), result in zip(spawned, results, strict=True):
        if isinstance(result, ResponseEnded):
            ended.append((model, result))
        elif isinstance(result, asyncio.CancelledError):
            continue  # cancelled while older turns were being summarized, before it was sent
        else:
            log.error("response of %s crashed", model.name, exc_info=result)
    return ended


def _storable(message: Message) -> Message:
    """``message`` with its text made storable where it enters (see ``core.storable``)."""
    return Message(
        message.role,
        (TextPart(storable(p.text)) if isinstance(p, TextPart) else p for p in message.content),
    )


def _status(ended: Sequence[ResponseEnded]) -> RunStatus:
    if any(e.status in ("ok", "empty") for e in ended):  # the run ended; a blank answer is marked
        return "completed"
    if ended and all(e.status == "cancelled" for e in ended):
        return "cancelled"
    return "failed"
