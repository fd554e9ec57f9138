"""``orch-tui modes``: the shipped modes and your own, and whether their files are valid."""

from __future__ import annotations

import json

import click

from orchestrator_tui.cli.common import mode_library, warn_config
from orchestrator_tui.config import load_config


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def modes(as_json: bool) -> None:
    """List modes (a system prompt, parameters, default models and chain under one name).

    Add your own as <config dir>/modes/NAME.yaml or .orch-tui/modes/NAME.yaml; a broken file is
    named with its line. Use one with `ask --mode NAME`, `run --mode NAME` or /mode in the app.
    """
    config = load_config()
    warn_config(config)
    found = sorted(mode_library(config).modes.values(), key=lambda m: m.name)
    active = config.settings.mode
    if as_json:
        rows = [
            {
                "name": m.name,
                "origin": m.origin,
                "description": m.description,
                "temperature": m.temperature,
                "max_tokens": m.max_tokens,
                "models": list(m.models),
                "chain": m.chain,
                "active": m.name == active,
            }
            for m in found
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for m in found:
        mark = "*" if m.name == active else " "
        click.echo(f"{mark} {m.name:<12} {m.origin:<8} {m.description}")
