"""``orch-tui plugins``: what installed plugins add, and which failed to load and why."""

from __future__ import annotations

import json

import click

from orchestrator_tui.plugins import load_plugins


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One object per entry point.")
def plugins(as_json: bool) -> None:
    """List installed plugins, what each adds, and any that failed to load (with the reason)."""
    from dataclasses import asdict

    from orchestrator_tui.config import load_config

    load_config()  # registers plugin providers' models, as every command does
    entries = load_plugins().entries
    if as_json:
        click.echo(json.dumps([asdict(e) for e in entries], indent=2))
        return
    if not entries:
        click.echo("No plugins installed (see 'Writing a plugin' in the README).")
        return
    for entry in entries:
        where = f"{entry.distribution}: {entry.group} {entry.name}"
        if entry.error:
            click.echo(f"✗ {where} — skipped: {entry.error}")
        else:
            click.echo(f"✓ {where} — adds {entry.adds}")
