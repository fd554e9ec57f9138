"""What a batch runs for each item, as data: a chain reference or a conversation between models.

The spec is stored with the batch (and sent to remote workers), so ``resume`` and a worker on
another machine build the same chain from it; it names a chain, it never carries code.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from orchestrator_tui.core.batch.model import BatchItem
from orchestrator_tui.core.chains.model import Chain, ChainInput, Step
from orchestrator_tui.core.errors import ConfigError

CONVERSATION_INPUT = "topic"


@dataclass(frozen=True, slots=True)
class BatchSpec:
    chain: str | None = None
    """A chain name (preset or the user's) or the path of a chain file."""
    steps: str | None = None
    """An inline chain, as ``--steps`` writes it."""
    conversation: tuple[str, ...] = ()
    """Models that take turns on each row's topic."""
    turns: tuple[int, int] = (6, 6)
    """A conversation's turn limit, drawn per item between these two (inclusive)."""
    inputs: tuple[str, ...] = ()
    """The input names of an inline chain (the fields of the first row)."""
    mock: bool = False
    chain_text: str | None = None
    """The named chain's YAML as it was when the batch started (run as a local file is)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "steps": self.steps,
            "conversation": list(self.conversation),
            "turns": list(self.turns),
            "inputs": list(self.inputs),
            "mock": self.mock,
            "chain_text": self.chain_text,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatchSpec:
        low, high = data.get("turns") or (6, 6)
        return cls(
            data.get("chain"),
            data.get("steps"),
            tuple(data.get("conversation") or ()),
            (int(low), int(high)),
            tuple(data.get("inputs") or ()),
            bool(data.get("mock")),
            data.get("chain_text"),
        )

    def describe(self) -> str:
        if self.conversation:
            low, high = self.turns
            span = str(low) if low == high else f"{low}-{high}"
            what = f"conversation {', '.join(self.conversation)} ({span} turns)"
        else:
            what = self.chain or f"--steps {self.steps}"
        return f"{what}{' (mock)' if self.mock else ''}"


def parse_turns(text: str) -> tuple[int, int]:
    """``6`` or ``5-10``: the turn limits of a conversation batch."""
    low, _, high = text.partition("-")
    try:
        span = (int(low), int(high or low))
    except ValueError:
        raise ConfigError(f"--turns {text!r}: write a number or a range like 5-10") from None
    if not 1 <= span[0] <= span[1]:
        raise ConfigError(f"--turns {text!r}: the range must go up from 1")
    return span


def conversation_chain(models: tuple[str, ...], turns: tuple[int, int]) -> Chain:
    """A one-step chain: ``models`` take turns on the item's ``topic``."""
    if len(models) < 1 or not all(models):
        raise ConfigError("--conversation: name the models, e.g. --conversation A,B")
    where = "--conversation"
    step = Step(
        "conversation",
        "conversation",
        where=where,
        models=models,
        prompt=f"{{{{ inputs.{CONVERSATION_INPUT} }}}}",
        turns=turns[1],
    )
    inputs = (ChainInput(CONVERSATION_INPUT, "what the models talk about", where=where),)
    return Chain("conversation", (step,), "A conversation from --conversation", inputs, where)


def turns_for(item: BatchItem, turns: tuple[int, int]) -> int:
    """The item's turn limit: spread over the range, the same on every attempt and machine."""
    low, high = turns
    return low + zlib.crc32(item.key.encode()) % (high - low + 1)


def chain_for(chain: Chain, spec: BatchSpec) -> Callable[[BatchItem], Chain]:
    """The chain each item runs: ``chain`` itself, or with the item's own turn limit."""
    if not spec.conversation or spec.turns[0] == spec.turns[1]:
        return lambda item: chain

    def per_item(item: BatchItem) -> Chain:
        turns = turns_for(item, spec.turns)
        steps = tuple(
            replace(s, turns=turns) if s.kind == "conversation" else s for s in chain.steps
        )
        return replace(chain, steps=steps)

    return per_item
