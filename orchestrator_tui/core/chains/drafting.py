"""A chain written from a sentence: a model drafts the YAML, the loader checks it, and the
loader's errors go back to the model until the draft is valid or the rounds run out.

The model is reached through ``ask`` (one turn of a conversation that keeps the earlier turns),
so each repair request carries the draft it repairs and the validator's exact messages, and every
request is recorded like any other.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orchestrator_tui.core.chains.model import Chain, ChainInvalid
from orchestrator_tui.core.errors import OrchError

if TYPE_CHECKING:
    from orchestrator_tui.core.chains.library import ChainLibrary
    from orchestrator_tui.core.orchestrator import Orchestrator

DRAFT_SOURCE = "draft.yaml"
"""The name the validator's messages give the draft (``draft.yaml:7: steps[1].model: ...``)."""
ROUNDS = 3

SYSTEM = """You write chains for orch-tui: YAML documents that run several language models in \
steps. Answer with one YAML document and nothing else (no prose, no code fence).

The format:

{reference}

Models you may use: {models}.
Personas you may use: {personas}."""

FIRST = "Write a chain that does this:\n\n{description}"
REPAIR = """The chain you wrote is not valid. The checker says:

{errors}

Answer with the whole corrected YAML document, nothing else."""

_FENCE = re.compile(r"```(?:ya?ml)?\s*\n(.*?)```", re.S)


class DraftFailed(OrchError):
    """The drafting model could not answer (no key, down, refused); the message says which."""


@dataclass(frozen=True, slots=True)
class Drafted:
    """How drafting ended: the last draft, its chain when valid, else its errors."""

    text: str
    chain: Chain | None
    rounds: int
    errors: list[str] = field(default_factory=list)


def system_prompt(reference: str, models: Sequence[str], personas: Sequence[str]) -> str:
    return SYSTEM.format(
        reference=reference.strip(),
        models=", ".join(models) or "none",
        personas=", ".join(personas) or "none",
    )


def yaml_of(answer: str) -> str:
    """The YAML in a model's answer: inside a fence when it wrote one, else the whole answer."""
    fenced = _FENCE.search(answer)
    return (fenced.group(1) if fenced else answer).strip() + "\n"


async def draft_chain(
    description: str,
    ask: Callable[[str], Awaitable[str]],
    check: Callable[[str], Chain],
    *,
    rounds: int = ROUNDS,
) -> Drafted:
    """Draft, check, and send the errors back for at most ``rounds`` drafts in all.

    ``check`` loads and validates a draft (raising ``ChainInvalid``); ``ask`` sends one prompt
    in the drafting conversation and returns the answer.
    """
    if rounds < 1:
        raise ValueError("rounds must be at least 1")
    prompt = FIRST.format(description=description.strip())
    text, errors = "", []
    for round_number in range(1, rounds + 1):
        text = yaml_of(await ask(prompt))
        try:
            return Drafted(text, check(text), round_number)
        except ChainInvalid as exc:
            errors = [str(issue) for issue in exc.issues]
        prompt = REPAIR.format(errors="\n".join(f"- {error}" for error in errors))
    return Drafted(text, None, rounds, errors)


async def draft_with(
    orchestrator: Orchestrator,
    library: ChainLibrary,
    model: str,
    description: str,
    reference: str,
    *,
    rounds: int = ROUNDS,
) -> Drafted:
    """Draft with ``model`` through the engine (each round a recorded request of one session),
    checked against ``library``'s personas and catalog; ``reference`` is the format's text."""
    from orchestrator_tui.core.chains.loader import load_chain
    from orchestrator_tui.core.conversation import Conversation
    from orchestrator_tui.core.types import GenerationParams

    catalog = library.catalog
    models = [name for name, entry in catalog.models.items() if not entry.discovered]
    params = GenerationParams(system=system_prompt(reference, models, sorted(library.personas)))
    conversation = Conversation(kind="chat", title=f"New chain: {description.strip()[:50]}")

    async def ask(prompt: str) -> str:
        run = orchestrator.fan_out(prompt, [model], params, conversation=conversation)
        await run.wait()
        (ended,) = run.results.values()
        if ended.status != "ok":
            raise DraftFailed(f"{model} could not draft the chain: {ended.error}")
        return ended.text

    def check(text: str) -> Chain:
        return load_chain(text, DRAFT_SOURCE, personas=library.personas, catalog=catalog)

    return await draft_chain(description, ask, check, rounds=rounds)
