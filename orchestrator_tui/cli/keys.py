"""``orch-tui keys``: save, list and delete API keys in the OS keyring (or the encrypted vault)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from orchestrator_tui.cli.common import fail, print_table, warn_config
from orchestrator_tui.config import Config, load_config

if TYPE_CHECKING:
    from orchestrator_tui.store.keys import KeyStore


@click.group()
def keys() -> None:
    """Manage API keys: never shown in full, never written to the history or logs."""


def _load(provider: str | None = None) -> tuple[Config, KeyStore]:
    from orchestrator_tui.store.keys import keystore_for

    config = load_config()
    warn_config(config)
    if provider is not None and provider not in config.catalog.providers:
        known = ", ".join(sorted(p for p, c in config.catalog.providers.items() if c.needs_key))
        fail(f"unknown provider {provider!r} (known: {known})")
    return config, keystore_for(config)


@keys.command("set")
@click.argument("provider")
def set_key(provider: str) -> None:
    """Save the key for PROVIDER: asked for without echo, or read from standard input."""
    from orchestrator_tui.store.keys import KeyStoreError, mask

    _, store = _load(provider)
    if sys.stdin.isatty():
        key = click.prompt(
            f"API key for {provider}", hide_input=True, default="", show_default=False
        )
    else:
        key = sys.stdin.read()
    key = key.strip()
    if not key:
        fail("the key is empty; nothing was saved")
    try:
        where = store.set(provider, key)
    except KeyStoreError as exc:
        fail(str(exc))
    click.echo(f"saved the key for {provider} ({mask(key)}) in the {where}")


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_keys(as_json: bool) -> None:
    """Every provider with where its key comes from, masked."""
    config, store = _load()
    rows = []
    for name, provider in sorted(config.catalog.providers.items()):
        status = store.status(provider, ask=True)
        if status.state == "set":
            rows.append({"provider": name, "source": status.source or "", "key": status.masked})
        elif status.state == "missing":
            rows.append({"provider": name, "source": "missing", "key": f"orch-tui keys set {name}"})
        else:
            rows.append({"provider": name, "source": status.state, "key": ""})
    if store.locked:
        click.echo(f"orch-tui: warning: {store.locked}", err=True)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    print_table(
        ("provider", "source", "key"), ([r["provider"], r["source"], r["key"]] for r in rows)
    )


@keys.command("delete")
@click.argument("provider")
def delete_key(provider: str) -> None:
    """Remove the saved key for PROVIDER (environment variables are left alone)."""
    from orchestrator_tui.store.keys import KeyStoreError

    _, store = _load(provider)
    try:
        removed = store.delete(provider)
    except KeyStoreError as exc:
        fail(str(exc))
    if not removed:
        click.echo(f"no saved key for {provider}", err=True)
        sys.exit(1)
    click.echo(f"deleted the saved key for {provider}")
