"""``orch-tui models``: every model in the catalog, its price, and whether a key is available."""

from __future__ import annotations

import json
from typing import Any

import click

from orchestrator_tui.cli.common import print_table, run_async, warn_config
from orchestrator_tui.config import load_config


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def models(as_json: bool) -> None:
    """List models with provider, price per million tokens and key status.

    Models installed on a running local server (Ollama, or a provider with `discover: true`)
    are listed too, marked "discovered".
    """
    from orchestrator_tui.discovery import discover
    from orchestrator_tui.store.keys import keystore_for

    config = load_config()
    warn_config(config)
    keys = keystore_for(config)
    discovered = run_async(discover(config.catalog, config.paths.discovery_cache))
    catalog = config.catalog.with_models(discovered)
    rows: list[dict[str, Any]] = []
    for model in catalog.models.values():
        provider = catalog.provider_of(model)
        status = keys.status(provider)
        if status.state == "set":
            key_status = f"found ({status.source})"
        elif status.state == "missing":
            key_status = f"missing: orch-tui keys set {provider.name}"
        elif status.state == "locked":
            key_status = "in the locked key vault"
        else:
            key_status = "not needed"
        rows.append(
            {
                "model": model.name,
                "price_input": model.price_input,
                "price_output": model.price_output,
                "context_window": model.context_window,
                "key": key_status,
                "description": model.description,
                "discovered": model.discovered,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    aliases = {target: alias for alias, target in config.catalog.aliases.items()}

    def label(row: dict[str, Any]) -> str:
        name = str(row["model"])
        shown = f"{name} ({aliases[name]})" if name in aliases else name
        return shown + (" · discovered" if row["discovered"] else "")

    print_table(
        ("model", "$/M in", "$/M out", "context", "key"),
        (
            (
                label(row),
                _price(row["price_input"]),
                _price(row["price_output"]),
                f"{row['context_window']:,}" if row["context_window"] else "—",
                row["key"],
            )
            for row in rows
        ),
    )


def _price(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"
