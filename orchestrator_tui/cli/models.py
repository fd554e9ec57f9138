"""``orch-tui models``: every model in the catalog, its price, and whether a key is available."""

from __future__ import annotations

import json
from typing import Any

import click

from orchestrator_tui.cli.common import print_table, warn_config
from orchestrator_tui.config import load_config


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def models(as_json: bool) -> None:
    """List models with provider, price per million tokens and key status."""
    from orchestrator_tui.store.keys import keystore_for

    config = load_config()
    warn_config(config)
    keys = keystore_for(config)
    rows: list[dict[str, Any]] = []
    for model in config.catalog.models.values():
        provider = config.catalog.provider_of(model)
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
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    aliases = {target: alias for alias, target in config.catalog.aliases.items()}
    print_table(
        ("model", "$/M in", "$/M out", "context", "key"),
        (
            (
                f"{row['model']} ({aliases[row['model']]})"
                if row["model"] in aliases
                else row["model"],
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
