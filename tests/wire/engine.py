"""Drive the real engine against the wire server and read back what the store kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator_tui.core.events import AttemptFailed, ResponseEnded, RunEvent
from orchestrator_tui.core.types import GenerationParams
from orchestrator_tui.services import open_services

KEYS = {
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "openai": "OPENAI_API_KEY",
}
MODELS = {
    "anthropic": "anthropic:claude-sonnet-4-5",
    "gemini": "gemini:gemini-2.5-flash",
    "mistral": "mistral:mistral-small-latest",
    "openai": "openai:gpt-4.1-mini",
}
FAST = {
    "retry_base_delay": 0.01,
    "idle_timeout": 1,
    "first_token_timeout": 30,
    "breaker_failures": 1000,
}


def models_yaml(url: str, **settings: Any) -> str:
    """A user's models.yaml sending every real provider to the wire server at ``url``."""
    lines = ["providers:"]
    for name in MODELS:
        base = f"{url}/v1" if name == "openai" else url
        values = {"base_url": base, **FAST, **settings}
        body = ", ".join(f"{k}: {v}" for k, v in values.items())
        lines.append(f"  {name}: {{{body}}}")
    return "\n".join(lines) + "\n"


@dataclass(slots=True)
class Outcome:
    ended: ResponseEnded
    events: list[RunEvent]
    requests: list[dict[str, Any]]
    interaction: dict[str, Any]

    @property
    def failed_attempts(self) -> list[AttemptFailed]:
        return [e for e in self.events if isinstance(e, AttemptFailed)]


async def ask(
    model: str,
    prompt: str = "hi",
    params: GenerationParams = GenerationParams(),
    *,
    cache: bool | None = None,
) -> Outcome:
    return (await ask_many([model], prompt, params, cache=cache))[0]


async def ask_many(
    models: Sequence[str],
    prompt: str = "hi",
    params: GenerationParams = GenerationParams(),
    *,
    cache: bool | None = None,
) -> list[Outcome]:
    services = await open_services(cache=cache)
    try:
        run = services.orchestrator.fan_out(prompt, models, params)
        events = [event async for event in run]
        await services.recorder.flush()
        outcomes = []
        for ended in run.results.values():
            rows = await services.db.fetchall(
                "SELECT * FROM requests WHERE interaction_id = ? ORDER BY attempt",
                (ended.response_id,),
            )
            row = await services.db.fetchone(
                "SELECT * FROM interactions WHERE id = ?", (ended.response_id,)
            )
            assert row is not None
            mine = [e for e in events if getattr(e, "response_id", None) == ended.response_id]
            outcomes.append(Outcome(ended, mine, [dict(r) for r in rows], dict(row)))
        return outcomes
    finally:
        await services.aclose()
