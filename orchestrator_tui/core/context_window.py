"""Long conversations: keep a follow-up inside the model's context window before it is sent.

When the next request would not fit, the older exchanges are summarized by a model (a ``summary``
response, recorded like any other) or dropped, and the last ``keep_last`` exchanges are kept word for
word; a ``ContextCompacted`` event is the marker the pane shows and the history stores. Sizes come
from the provider's reported usage of the last exchange where known, else from ``core.estimate``;
the larger of the two is used, so a provider's own count is never undercut by the estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from orchestrator_tui.core.catalog import ModelConfig
from orchestrator_tui.core.conversation import Conversation, new_id
from orchestrator_tui.core.estimate import estimate_content_tokens, estimate_messages_tokens
from orchestrator_tui.core.events import ContextCompacted
from orchestrator_tui.core.types import GenerationParams, Message

if TYPE_CHECKING:
    from orchestrator_tui.core.catalog import Catalog
    from orchestrator_tui.core.responder import Responder
    from orchestrator_tui.core.run import Run

Strategy = Literal["summarize", "truncate"]
STRATEGIES: tuple[Strategy, ...] = ("summarize", "truncate")
SUMMARY_SYSTEM = (
    "You condense conversations. Summarize the exchange below so it can replace it: keep every "
    "fact, decision, name, number and open question the rest of the conversation may need; drop "
    "pleasantries. Write plain prose, at most a few paragraphs."
)
SUMMARY_LEAD = "Summary of our earlier conversation (older turns were condensed to fit):"


@dataclass(frozen=True, slots=True)
class ContextPolicy:
    """``context:`` in config.yaml: what to do when a conversation outgrows a model's window."""

    strategy: Strategy = "summarize"
    keep_last: int = 2
    """Exchanges kept word for word (fewer when even those do not fit)."""
    summarizer: str | None = None
    """The model that summarizes; ``None``: the conversation's own model."""


def answer_room(model: ModelConfig, params: GenerationParams) -> int:
    """Tokens left for the answer: ``max_tokens`` when set, else the model's most, capped at a
    quarter of the window (a reply rarely needs all a model may write)."""
    window = model.context_window or 0
    if params.max_tokens:
        return params.max_tokens
    return min(model.max_output_tokens or window // 4, window // 4)


def request_size(
    messages: Sequence[Message], params: GenerationParams, reported: int | None = None
) -> int:
    """The prompt's tokens: the estimate, or the provider's count of the history plus the new
    prompt when that is larger."""
    estimate = estimate_messages_tokens(messages, params.system)
    if reported is not None and messages:
        estimate = max(estimate, reported + estimate_content_tokens(messages[-1]))
    return estimate


class ContextKeeper:
    """Fits each model's next request into its window by the policy, before it is sent."""

    def __init__(self, catalog: Catalog, responder: Responder, policy: ContextPolicy) -> None:
        self.catalog = catalog
        self.responder = responder
        self.policy = policy

    def fits(
        self,
        model: ModelConfig,
        messages: Sequence[Message],
        params: GenerationParams,
        reported: int | None = None,
    ) -> bool:
        if not model.context_window:
            return True
        size = request_size(messages, params, reported)
        return size + answer_room(model, params) <= model.context_window

    async def fit(
        self,
        run: Run,
        conversation: Conversation,
        model: ModelConfig,
        prompt: Message,
        params: GenerationParams,
        prompt_id: str | None,
    ) -> list[Message]:
        """The messages to send for ``prompt``; the conversation's history is compacted first
        (and stays so) when they would not fit."""
        messages = conversation.messages_for(model.name, prompt)
        reported = conversation.reported_tokens.get(model.name)
        if self.fits(model, messages, params, reported):
            return messages
        history = conversation.histories.get(model.name, [])
        exchanges = [history[i : i + 2] for i in range(0, len(history), 2)]
        keep = min(self.policy.keep_last, len(exchanges))
        while keep > 0:
            kept = [m for pair in exchanges[len(exchanges) - keep :] for m in pair]
            if self.fits(model, [*kept, prompt], params):
                break
            keep -= 1
        older = [m for pair in exchanges[: len(exchanges) - keep] for m in pair]
        kept = [m for pair in exchanges[len(exchanges) - keep :] for m in pair]
        if not older:
            return messages  # nothing left to shorten: the provider decides
        strategy, lead, summary_id = self.policy.strategy, [], None
        count = len(exchanges) - keep
        done, why = "dropped", ""
        if strategy == "summarize":
            summary, summary_id, summarizer = await self._summarize(run, model, older, prompt_id)
            if summary:
                lead = summary_lead(summary)
                done = f"summarized by {summarizer}"
            else:
                strategy, why = "truncate", f" (the summary by {summarizer} failed)"
        plural = "s" if count > 1 else ""
        note = f"{count} earlier exchange{plural} {done} to fit the context window{why}"
        conversation.histories[model.name] = [*lead, *kept]
        conversation.reported_tokens.pop(model.name, None)
        run.emit(
            ContextCompacted(
                run.run_id,
                run.session_id,
                prompt_id,
                model.name,
                strategy,
                count,
                keep,
                note,
                summary_id,
            )
        )
        return conversation.messages_for(model.name, prompt)

    async def _summarize(
        self, run: Run, model: ModelConfig, older: list[Message], prompt_id: str | None
    ) -> tuple[str, str, str]:
        """The summary of ``older`` (empty if it failed), its response id and the summarizer."""
        summarizer = (
            self.catalog.resolve(self.policy.summarizer) if self.policy.summarizer else model
        )
        transcript = "\n\n".join(f"{m.role}: {m.plain()}" for m in older)
        response_id = new_id()
        ended = await self.responder.respond(
            run,
            summarizer,
            [Message("user", transcript)],
            GenerationParams(system=SUMMARY_SYSTEM),
            response_id=response_id,
            parent_id=prompt_id,
            role="summary",
        )
        return (ended.text if ended.status == "ok" else ""), response_id, summarizer.name


def summary_lead(summary: str) -> list[Message]:
    """The exchange that stands for the summarized turns at the start of a model's history."""
    return [Message("user", f"{SUMMARY_LEAD}\n\n{summary}"), Message("assistant", "Noted.")]
