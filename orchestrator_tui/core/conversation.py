"""A conversation: one session, each model with its own message history for follow-ups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator_tui.core.events import ResponseEnded, RunKind
    from orchestrator_tui.core.types import Message


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(slots=True)
class Conversation:
    session_id: str = field(default_factory=new_id)
    kind: RunKind = "compare"
    histories: dict[str, list[Message]] = field(default_factory=dict)
    last_prompt_id: str | None = None
    title: str | None = None
    mode: str | None = None
    """The mode in force (``/mode``), stored with each prompt of the session."""
    reported_tokens: dict[str, int] = field(default_factory=dict)
    """Per model, the tokens of its history as the provider counted them (last exchange's usage)."""

    def messages_for(self, model: str, prompt: Message) -> list[Message]:
        return [*self.histories.get(model, ()), prompt]

    def record(self, model: str, prompt: Message, ended: ResponseEnded) -> None:
        """Keep the exchange for the next follow-up; a failed answer's partial text counts too,
        a blank answer does not (providers refuse an empty assistant turn)."""
        if not ended.text.strip():
            return
        from orchestrator_tui.core.types import Message

        history = self.histories.setdefault(model, [])
        history += [prompt, Message("assistant", ended.text)]
        usage = ended.usage
        if usage.input_tokens is not None and usage.output_tokens is not None:
            self.reported_tokens[model] = usage.input_tokens + usage.output_tokens
        else:
            self.reported_tokens.pop(model, None)
