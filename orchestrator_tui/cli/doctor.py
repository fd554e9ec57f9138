"""``orch-tui doctor``: is each provider usable? Key, endpoint, models, and optionally a live call."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from orchestrator_tui.cli.common import run_async, warn_config
from orchestrator_tui.config import Config, load_config
from orchestrator_tui.core import display

if TYPE_CHECKING:
    from orchestrator_tui.diagnose import ModelHealth, ProviderHealth

Findings = tuple[list["ProviderHealth"], list["ModelHealth"]]


@click.command()
@click.option("--live", is_flag=True, help="Also make a one-token call to every model with a key.")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1),
    default=10.0,
    show_default=True,
    help="Seconds to wait for each endpoint.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def doctor(live: bool, timeout: float, as_json: bool) -> None:
    """For every provider: where its key is, whether its endpoint answers, its models.

    Capabilities (context window, streaming, vision) come from models.yaml. Nothing is recorded.
    """
    config = load_config()
    warn_config(config)
    providers, models = run_async(_diagnose(config, live, timeout))
    if as_json:
        click.echo(json.dumps(_as_json(providers, models), indent=2))
    else:
        _print(providers, models, live)


async def _diagnose(config: Config, live: bool, timeout: float) -> Findings:
    from orchestrator_tui.diagnose import ModelHealth, check_models, check_providers
    from orchestrator_tui.store.keys import keystore_for

    keys = keystore_for(config)
    providers = await check_providers(config, keys, timeout=timeout)
    if keys.locked:
        click.echo(f"orch-tui: warning: {keys.locked}", err=True)
    catalog_models = list(config.catalog.models.values())
    if live:
        models = await check_models(config, keys, catalog_models, timeout=max(timeout, 30.0))
    else:
        models = [ModelHealth(m) for m in catalog_models]
    return providers, models


def _as_json(providers: list[ProviderHealth], models: list[ModelHealth]) -> dict[str, object]:
    return {
        "providers": [
            {
                "provider": p.name,
                "endpoint": p.endpoint,
                "key": p.key_source or "missing",
                "reachable": p.reachable,
                "note": p.note,
                "models": p.models,
            }
            for p in providers
        ],
        "models": [
            {
                "model": m.model.name,
                "context_window": m.model.context_window,
                "streaming": m.model.streaming,
                "vision": m.model.vision,
                "live": m.status,
                "detail": m.detail,
                "latency": m.latency,
            }
            for m in models
        ],
    }


def _print(providers: list[ProviderHealth], models: list[ModelHealth], live: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from orchestrator_tui.cli.terminal import plain  # servers' words: notes, model names, errors

    console = Console()
    table = Table(title="Providers", title_justify="left")
    for heading in ("provider", "key", "endpoint"):
        table.add_column(heading, overflow="fold")
    table.add_column("answers", overflow="fold", ratio=1, min_width=20)
    for p in providers:
        key = Text(p.key_source) if p.key_source else Text("missing", "red")
        if p.reachable is None:
            answer = Text("?", "yellow")
        else:
            answer = Text("yes", "green") if p.reachable else Text("no", "red")
        note = plain(f" — {p.note}") if p.note else ""
        table.add_row(plain(p.name), key, plain(p.endpoint), Text.assemble(answer, note))
    console.print(table)
    if any(not p.key_source for p in providers):
        console.print("Add a missing key with: orch-tui keys set PROVIDER (or on F2 in the app)")
    for p in providers:
        if p.name == "ollama" or ":11434" in p.endpoint:
            if p.reachable:
                listed = ", ".join(p.models) or "none"
                console.print(
                    plain(f"Ollama is running at {p.endpoint}; installed models: {listed}")
                )
            else:
                console.print(plain(f"Ollama is not running at {p.endpoint}"))
    grid = Table(title="Models", title_justify="left")
    headings = ["model", "context", "streaming", "vision"] + (["live call"] if live else [])
    for heading in headings:
        grid.add_column(heading)
    for m in models:
        row: list[str | Text] = [
            plain(m.model.name),
            f"{m.model.context_window:,}" if m.model.context_window else "—",
            "yes" if m.model.streaming else "no",
            "yes" if m.model.vision else "no",
        ]
        if live:
            style = {"ok": "green", "failed": "red"}.get(m.status, "yellow")
            took = f" {display.seconds(m.latency)}" if m.latency is not None else ""
            detail = f" — {m.detail}" if m.detail else ""
            grid.add_row(*row, plain(f"{m.status}{took}{detail}", style))
        else:
            grid.add_row(*row)
    console.print(grid)
