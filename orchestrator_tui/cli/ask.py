"""``orch-tui ask``: one prompt to several models, streamed live, then a comparison table."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import click

from orchestrator_tui.cli.common import active_mode, fail, read_prompt, run_async, warn_config
from orchestrator_tui.config import Config, load_config
from orchestrator_tui.core.conversation import Conversation
from orchestrator_tui.core.events import ResponseEnded
from orchestrator_tui.core.storable import storable
from orchestrator_tui.core.types import GenerationParams, Part, TextPart

FALLBACK_MODELS = ("mock:lorem", "mock:echo")


@click.command()
@click.argument("prompt", required=False)
@click.option("-m", "--model", "models", multiple=True, help="provider:model or alias; repeat.")
@click.option("--system", help="System prompt for every model.")
@click.option("--temperature", type=click.FloatRange(0, 2), help="Sampling temperature.")
@click.option("--max-tokens", type=click.IntRange(1), help="Longest answer, in tokens.")
@click.option(
    "--cache/--no-cache",
    default=None,
    help="Reuse a stored answer for the same model, parameters and messages (default: config.yaml).",
)
@click.option(
    "--mode",
    metavar="NAME",
    help="A mode's system prompt, parameters and models (see `orch-tui modes`); options win.",
)
@click.option(
    "--attach",
    "attach",
    multiple=True,
    metavar="IMAGE",
    help="Send an image (PNG, JPEG, GIF, WebP; at most 10 MB) with the prompt; repeat.",
)
@click.option(
    "--budget",
    type=click.FloatRange(0),
    help="The most this run may spend, in dollars (over `budget:` in config.yaml).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead.")
def ask(
    prompt: str | None,
    models: tuple[str, ...],
    system: str | None,
    temperature: float | None,
    max_tokens: int | None,
    cache: bool | None,
    mode: str | None,
    attach: tuple[str, ...],
    budget: float | None,
    as_json: bool,
) -> None:
    """Send PROMPT (or standard input) to every model at once and compare the answers.

    With no -m, the mode's models are used, else the default models from config.yaml, else two
    offline mock models. A model that does not take images is not sent an --attach'ed one; its
    answer says so.
    """
    from orchestrator_tui.core.images import ImageError, load_image

    try:
        images = [load_image(path) for path in attach]
    except ImageError as exc:
        fail(str(exc))
    text = read_prompt(prompt)
    config = load_config(flags={"mode": mode} if mode else None)
    warn_config(config)
    active = active_mode(config)
    chosen = (
        models or (active.models if active else ()) or config.settings.default_models
    ) or FALLBACK_MODELS
    for name in chosen:
        config.catalog.resolve(name)
    system = storable(system) if system is not None else None
    asked = GenerationParams(temperature=temperature, max_tokens=max_tokens, system=system)
    params = active.params.merged(asked) if active else asked
    conversation = Conversation(mode=active.name if active else None)
    ended = run_async(
        _ask(
            config, (TextPart(text), *images), chosen, params, as_json, cache, conversation, budget
        )
    )
    if ended and all(e.status != "ok" for e in ended):
        sys.exit(1)


async def _ask(
    config: Config,
    prompt: Sequence[Part],
    models: Sequence[str],
    params: GenerationParams,
    as_json: bool,
    cache: bool | None,
    conversation: Conversation,
    budget: float | None = None,
) -> list[ResponseEnded]:
    from orchestrator_tui.cli.live import LiveAnswers
    from orchestrator_tui.services import open_services

    services = await open_services(config=config, cache=cache)
    try:
        services.prepare_keys(models)
        await services.limit_run(budget)
        run = services.orchestrator.fan_out(prompt, models, params, conversation=conversation)
        view = None if as_json else LiveAnswers()
        try:  # Ctrl-C ends every answer as cancelled, its text kept
            await (run.follow() if view is None else run.follow(view.handle))
        finally:
            if view is not None:
                view.close()
        ended = list(run.results.values())
        if as_json:
            click.echo(json.dumps(_as_json(run.session_id, ended), indent=2))
        return ended
    finally:
        await services.aclose()


def _as_json(session_id: str, ended: list[ResponseEnded]) -> dict[str, object]:
    return {
        "session_id": session_id,
        "responses": [
            {
                "model": e.model,
                "status": e.status,
                "text": e.text,
                "error": e.error,
                "ttft": e.ttft,
                "latency": e.latency,
                "input_tokens": e.usage.input_tokens,
                "output_tokens": e.usage.output_tokens,
                "cost": e.cost,
                "cached": e.cached,
                "fallback_from": e.fallback_from,
            }
            for e in ended
        ],
    }
