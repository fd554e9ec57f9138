"""``orch-tui paths``: where the configuration, the history, the key vault and the cache live."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def paths(as_json: bool) -> None:
    """The folders and files orch-tui reads and writes, and where API keys are kept.

    ``ORCH_TUI_HOME`` moves all of them under one folder.
    """
    from orchestrator_tui.cli.common import warn_config
    from orchestrator_tui.config import load_config
    from orchestrator_tui.store.keys import keystore_for
    from orchestrator_tui.store.vault import VaultKeyring

    config = load_config()
    warn_config(config)
    where = config.paths
    backend = keystore_for(config).backend
    in_vault = isinstance(backend, VaultKeyring)
    rows = {
        "config": str(where.config_dir),
        "settings": str(where.settings_file),
        "models": str(where.models_file),
        "chains": str(where.chains_dir),
        "themes": str(where.themes_dir),
        "history": str(where.database),
        "state": str(where.user_state),
        "vault": str(where.vault_file),
        "cache": str(where.cache_dir),
        "keys": "in the vault file"
        if in_vault
        else f"in the OS keyring ({type(backend).__name__})",
    }
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for name, value in rows.items():
        click.echo(f"{name:<9} {value}")
