"""``orch-tui run``: run a chain headless with live progress per step.

Exit codes: 0 completed, 1 the run failed (a step failed), 2 the chain or its inputs are invalid.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

import click

from orchestrator_tui.cli.chains import open_library
from orchestrator_tui.cli.common import active_mode, fail, read_stdin, run_async, warn_config
from orchestrator_tui.config import Config, load_config
from orchestrator_tui.core.chains.library import ChainLibrary
from orchestrator_tui.core.chains.model import Chain, ChainInvalid
from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.events import RunEvent, StepFinished
from orchestrator_tui.core.storable import decoded, storable


def parse_inputs(pairs: tuple[str, ...]) -> dict[str, str]:
    """``k=v`` pairs; ``k=@path`` reads a file and ``k=@-`` standard input."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"--input {pair!r}: write it as name=value")
        if value == "@-":
            value = read_stdin()
        elif value.startswith("@"):
            try:
                value = decoded(Path(value[1:]).expanduser().read_bytes())
            except OSError as exc:
                fail(f"--input {key}: cannot read {value[1:]}: {exc.strerror or exc}")
        values[key.strip()] = storable(value)
    return values


def load(
    library: ChainLibrary,
    name: str | None,
    steps: str | None,
    inputs: Mapping[str, str],
    mock: bool,
) -> Chain:
    from orchestrator_tui.core.chains.inline import inline_chain
    from orchestrator_tui.core.chains.mocking import mock_chain
    from orchestrator_tui.core.chains.validation import validate

    if steps is not None:
        chain = inline_chain(steps, list(inputs), library.personas)
        issues = validate(chain, personas=library.personas, catalog=library.catalog)
        if issues:
            raise ChainInvalid(issues)
        return mock_chain(chain) if mock else chain
    assert name is not None
    return library.load(name, transform=mock_chain if mock else None)


@click.command()
@click.argument("chain", required=False)
@click.option(
    "-i",
    "--input",
    "inputs",
    multiple=True,
    metavar="NAME=VALUE",
    help="A chain input (VALUE may be @file or @-); repeat.",
)
@click.option("--steps", help='An inline chain: "model/persona -> model/persona".')
@click.option("--mock", is_flag=True, help="Swap every model for an offline mock (a dry run).")
@click.option(
    "--budget",
    type=click.FloatRange(0),
    help="The most this run may spend, in dollars (over `budget:` in config.yaml).",
)
@click.option("--mode", metavar="NAME", help="Run the mode's default chain when no CHAIN is given.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document at the end.")
def run(
    chain: str | None,
    inputs: tuple[str, ...],
    steps: str | None,
    mock: bool,
    mode: str | None,
    budget: float | None,
    as_json: bool,
) -> None:
    """Run CHAIN (a preset, your own chain, or a .yaml path) headless.

    With --mode and no CHAIN, the mode's default chain runs; the mode is stored with the session.
    """
    config = load_config(flags={"mode": mode} if mode else None)
    warn_config(config)
    active = active_mode(config)
    if chain is None and steps is None and active is not None:
        chain = active.chain
    if (chain is None) == (steps is None):
        fail("give a CHAIN name or path, or --steps (not both), or a --mode with a chain")
    values = parse_inputs(inputs)
    library = open_library(config)
    try:
        loaded = load(library, chain, steps, values, mock)
    except (ChainInvalid, ConfigError) as exc:
        fail(str(exc))
    status = run_async(
        _run(config, library, loaded, values, as_json, active.name if active else None, budget)
    )
    if status != "completed":
        sys.exit(1)


async def _run(
    config: Config,
    library: ChainLibrary,
    chain: Chain,
    inputs: Mapping[str, str],
    as_json: bool,
    mode: str | None,
    budget: float | None = None,
) -> str:
    from orchestrator_tui.cli.chain_view import ChainProgress
    from orchestrator_tui.core.chains.engine import final_output, start_chain
    from orchestrator_tui.services import open_services

    services = await open_services(config=config)
    try:
        services.prepare_keys(chain.models)
        await services.limit_run(budget)
        try:
            started = start_chain(
                services.orchestrator, chain, inputs, personas=library.personas, mode=mode
            )
        except ChainInvalid as exc:
            fail(str(exc))
        view = None if as_json else ChainProgress(chain)
        finished: dict[str, StepFinished] = {}

        def keep(event: RunEvent) -> None:
            if isinstance(event, StepFinished):
                finished[event.step_id] = event

        try:
            status = await started.follow(keep, *([] if view is None else [view.handle]))
        finally:
            answer = final_output(chain, finished)
            if view is not None:
                title = f"{chain.name}: {answer.step_id}" if answer else chain.name
                view.close(answer.output if answer else None, title)
        if as_json:
            click.echo(json.dumps(_as_json(started.session_id, chain, status, finished), indent=2))
        return status
    finally:
        await services.aclose()


def _as_json(
    session_id: str, chain: Chain, status: str, finished: Mapping[str, StepFinished]
) -> dict[str, object]:
    from orchestrator_tui.core.chains.engine import final_output

    answer = final_output(chain, finished)
    return {
        "session_id": session_id,
        "chain": chain.name,
        "status": status,
        "output": answer.output if answer else None,
        "steps": [
            {
                "id": f.step_id,
                "kind": f.kind,
                "status": f.status,
                "output": f.output,
                "score": f.score,
                "scores": list(f.scores),
                "error": f.error,
                "details": f.details,
            }
            for f in finished.values()
        ],
    }
