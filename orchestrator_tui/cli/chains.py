"""``orch-tui chains list|show|validate|new``: the chains a user can run, and whether they are valid."""

from __future__ import annotations

import json
import sys

import click

from orchestrator_tui.cli.chain_new import new
from orchestrator_tui.cli.common import fail, warn_config
from orchestrator_tui.cli.terminal import echo, plain
from orchestrator_tui.config import Config, load_config
from orchestrator_tui.core.chains.library import ChainLibrary
from orchestrator_tui.core.chains.mocking import mock_chain
from orchestrator_tui.core.chains.model import ChainInvalid
from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.text import terminal_safe


def open_library(config: Config | None = None) -> ChainLibrary:
    """The chain library of ``config`` (loaded, with warnings shown, when not given)."""
    if config is None:
        config = load_config()
        warn_config(config)
    try:
        library = ChainLibrary(config.catalog, config.paths.chain_folders())
    except ChainInvalid as exc:
        fail(str(exc))
    for warning in library.warnings:
        echo(f"orch-tui: warning: {warning}", err=True)
    return library


@click.group()
def chains() -> None:
    """Preset and user chains: list them, show one, validate them, write one from a sentence."""


chains.add_command(new)


@chains.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_chains(as_json: bool) -> None:
    """Every chain by name: a project's shadow yours, which shadow presets of the same name."""
    entries = open_library().entries()
    if as_json:
        rows = [
            {
                "name": e.name,
                "origin": e.origin,
                "shadows": e.shadows,
                "path": str(e.path),
                "description": e.description,
            }
            for e in entries
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Chains", title_justify="left")
    for heading in ("name", "from", "description"):
        table.add_column(heading)
    for e in entries:
        origin = f"{e.origin} (shadows {e.shadows})" if e.shadows else e.origin
        table.add_row(plain(e.name), origin, plain(e.description))
    Console().print(table)


@chains.command()
@click.argument("name")
def show(name: str) -> None:
    """Print chain NAME (a name or a .yaml path) as YAML."""
    library = open_library()
    try:
        entry = library.find(name)
    except ConfigError as exc:
        fail(str(exc))
    text = entry.path.read_text(encoding="utf-8")
    click.echo(f"# {entry.path} ({entry.origin})", err=True)
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.syntax import Syntax

        Console().print(Syntax(terminal_safe(text), "yaml", background_color="default"))
    else:
        click.echo(text, nl=not text.endswith("\n"), color=True)


@chains.command()
@click.argument("names", nargs=-1)
@click.option("--mock", is_flag=True, help="Check with every model swapped for a mock one.")
def validate(names: tuple[str, ...], mock: bool) -> None:
    """Check chains (all of them by default); exit 2 if any is invalid.

    Warnings (a refine step reviewed by its own writer) are shown but do not fail the check.
    """
    from orchestrator_tui.core.chains.validation import warnings

    library = open_library()
    targets = names or tuple(e.name for e in library.entries())
    bad = 0
    for name in targets:
        try:
            chain = library.load(name, transform=mock_chain if mock else None)
            # Warnings are about the models as written, not the mocks swapped in.
            written = library.load(name, catalog=None) if mock else chain
        except (ChainInvalid, ConfigError) as exc:
            bad += 1
            echo(f"✗ {name}: {exc}", err=True)
            continue
        echo(f"✓ {chain.name} ({len(chain.steps)} steps)")
        for issue in warnings(written, catalog=library.catalog):
            echo(f"  warning: {issue}", err=True)
    if bad:
        sys.exit(2)
