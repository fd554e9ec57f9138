"""Runs a chain as one ``Run``: steps top to bottom, each announced, skipped or run, then reported.

The run carries the usual response events (so the recorder, the CLI and the TUI need nothing new
to show the answers) plus step events. The first failed step ends the run as ``failed``, and a
step left with nothing after the user cancelled its answers ends it as ``cancelled``; every
earlier output stays in the events and the history.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace

from orchestrator_tui.core.chains.context import StepContext, StepError
from orchestrator_tui.core.chains.model import Chain, Persona, Step, StepResult
from orchestrator_tui.core.chains.steps import RUNNERS
from orchestrator_tui.core.chains.validation import bind_inputs
from orchestrator_tui.core.conversation import new_id
from orchestrator_tui.core.events import RunStarted, StepFinished, StepStarted
from orchestrator_tui.core.orchestrator import Orchestrator
from orchestrator_tui.core.run import Listener, Run, RunStatus
from orchestrator_tui.core.storable import storable
from orchestrator_tui.core.types import GenerationParams, Message


def describe_inputs(chain: Chain, inputs: Mapping[str, str]) -> str:
    """The run's prompt as stored in history: the chain and the inputs it was given."""
    lines = [f"Chain: {chain.name}"]
    lines += [f"{name}: {value}" for name, value in inputs.items()]
    return "\n".join(lines)


def start_chain(
    orchestrator: Orchestrator,
    chain: Chain,
    inputs: Mapping[str, str],
    *,
    personas: Mapping[str, Persona] | None = None,
    session_id: str | None = None,
    listeners: Sequence[Listener] = (),
    resumed: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    mode: str | None = None,
) -> Run:
    """Start ``chain``; raises ``ChainInvalid`` for missing inputs, ``ConfigError`` for models.

    ``listeners`` hear this run's events after the orchestrator's own (the recorder first).
    ``resumed``: conversation turns already done, by step id (see ``StepContext.resumed``).
    """
    values = bind_inputs(chain, {name: storable(value) for name, value in inputs.items()})
    orchestrator.resolve(chain.models)
    prompt = describe_inputs(chain, values)
    first = next(iter(values.values()), "")
    started = RunStarted(
        new_id(),
        session_id or new_id(),
        "chain",
        new_id(),
        Message("user", prompt),
        chain.models,
        GenerationParams(),
        title=f"{chain.name}: {first}" if first else chain.name,
        chain_name=chain.name,
        mode=mode,
    )

    async def body(run: Run) -> RunStatus:
        run.emit(started)
        ctx = StepContext(
            run,
            chain,
            values,
            orchestrator.catalog,
            orchestrator.responder,
            personas or {},
            started.prompt_id or "",
            resumed=resumed or {},
        )
        for index, step in enumerate(chain.steps):
            result = await _run_step(ctx, step, index)
            ctx.results[step.id] = result
            if result.status in ("failed", "budget"):  # the run ends as `budget` then
                return "failed"
            if result.status == "cancelled":  # nothing was left of it to go on with
                return "cancelled"
        return "completed"

    return Run(started.run_id, started.session_id, body, (*orchestrator.listeners, *listeners))


async def _run_step(ctx: StepContext, step: Step, index: int) -> StepResult:
    run = ctx.run
    try:
        if not ctx.condition(step):
            result = StepResult(step.id, "skipped")
            _finished(ctx, step, index, result)
            return result
        run.emit(
            StepStarted(run.run_id, run.session_id, step.id, step.kind, index, len(ctx.chain.steps))
        )
        result = await RUNNERS[step.kind](ctx, step)
    except StepError as exc:
        result = replace(
            exc.partial or StepResult(step.id, "failed"), status="failed", error=str(exc)
        )
    except asyncio.CancelledError:
        _finished(ctx, step, index, StepResult(step.id, "cancelled"))
        raise
    _finished(ctx, step, index, result)
    return result


def _finished(ctx: StepContext, step: Step, index: int, result: StepResult) -> None:
    run = ctx.run
    run.emit(
        StepFinished(
            run.run_id,
            run.session_id,
            step.id,
            step.kind,
            index,
            result.status,
            result.output,
            result.score,
            result.scores,
            result.error,
            dict(result.details),
        )
    )


def final_output(chain: Chain, finished: Mapping[str, StepFinished]) -> StepFinished | None:
    """The chain's answer: its ``output`` step, else the last step that ran."""
    if chain.output is not None:
        return finished.get(chain.output)
    ran = [finished[s.id] for s in chain.steps if s.id in finished]
    ran = [f for f in ran if f.status != "skipped"]
    return ran[-1] if ran else None


def describe(details: Mapping[str, object]) -> str:
    """A step's details in a few words, for progress lines and the run view."""
    parts = []
    if "rewrites" in details:
        parts.append(f"{details['rewrites']} rewrites")
        parts.append("passed" if details.get("passed") else "threshold not reached")
        if "kept" in details and details["kept"] != details["rewrites"]:
            parts.append(f"kept iteration {details['kept']}, the best-scored")
    if "turns" in details:
        parts.append(f"{details['turns']} turns")
    if "models" in details:
        count = details["models"]
        parts.append(f"{count} model" if count == 1 else f"{count} models")
    if "cancelled" in details:
        parts.append(f"{details['cancelled']} cancelled")
    if "stopped" in details:
        parts.append(f"stopped: {details['stopped']}")
    if "quality" in details:
        parts.append(f"quality {details['quality']}")
    return " · ".join(parts)
