"""``orch-tui chains new "SENTENCE" -m MODEL``: a chain drafted by a model, checked by the loader,
repaired with the loader's errors, and saved only once valid."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from orchestrator_tui.cli.common import fail, run_async, warn_config
from orchestrator_tui.cli.terminal import echo
from orchestrator_tui.config import Config, load_config
from orchestrator_tui.core.chains.drafting import ROUNDS, Drafted
from orchestrator_tui.core.chains.library import ChainLibrary

MOCK_DRAFTER = "mock:drafter"


@click.command("new")
@click.argument("description")
@click.option("-m", "--model", help="The model that drafts the chain (provider:model or alias).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Where to save it."
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 10),
    default=ROUNDS,
    show_default=True,
    help="Drafts in all: the first, then repairs with the checker's errors.",
)
@click.option("--mock", is_flag=True, help="Draft offline with a mock model (a valid example).")
@click.option(
    "--force", is_flag=True, help="Replace FILE (or your chain of that name) if it exists."
)
def new(
    description: str, model: str | None, output: Path | None, rounds: int, mock: bool, force: bool
) -> None:
    """Write a chain from DESCRIPTION: a model drafts it, the checker's errors go back to it,
    and only a valid chain is saved (to -o FILE, else your chains folder under its name)."""
    from orchestrator_tui.core.catalog import ModelConfig
    from orchestrator_tui.core.types import ModelRef

    if not description.strip():
        fail("the description is empty")
    if (model is None) == (not mock):
        fail("give the drafting model with -m MODEL, or --mock to draft offline")
    config = load_config()
    warn_config(config)
    if mock:
        drafter = ModelConfig(  # free, as every mock model: its rounds are recorded at $0
            ref=ModelRef.parse(MOCK_DRAFTER),
            description="chain drafter",
            price_input=0.0,
            price_output=0.0,
        )
        config = dataclasses.replace(config, catalog=config.catalog.with_models([drafter]))
    name = MOCK_DRAFTER if mock else config.catalog.resolve(model or "").name
    library = ChainLibrary(config.catalog, config.paths.chain_folders())
    drafted = run_async(_draft(config, library, description, name, rounds))
    if drafted.chain is None:
        echo(
            f"orch-tui: the draft is still invalid after {drafted.rounds} rounds; not saved:",
            err=True,
        )
        for error in drafted.errors:
            echo(f"  {error}", err=True)
        raise SystemExit(2)
    target = output or library.writable_dir / f"{drafted.chain.name}.yaml"
    if target.exists() and not force:
        fail(f"{target} exists; choose another with -o FILE, or --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(drafted.text, encoding="utf-8")
    rounds_text = "first draft" if drafted.rounds == 1 else f"{drafted.rounds} drafts"
    echo(f"saved chain {drafted.chain.name!r} to {target} (valid after {rounds_text})")
    echo(f"check it with `orch-tui chains show {target}`, run it with `orch-tui run {target}`")


async def _draft(
    config: Config, library: ChainLibrary, description: str, model: str, rounds: int
) -> Drafted:
    from orchestrator_tui.config.paths import chain_reference
    from orchestrator_tui.core.chains.drafting import DraftFailed, draft_with
    from orchestrator_tui.services import open_services

    services = await open_services(config=config)
    try:
        services.prepare_keys([model])
        return await draft_with(
            services.orchestrator, library, model, description, chain_reference(), rounds=rounds
        )
    except DraftFailed as exc:
        fail(str(exc))
    finally:
        await services.aclose()
