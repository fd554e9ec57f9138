"""``orch-tui profiles list|create|delete``: separate configuration, history and keys per profile."""

from __future__ import annotations

import shutil

import click

from orchestrator_tui.cli.common import fail
from orchestrator_tui.config import Paths
from orchestrator_tui.config.paths import check_profile_name
from orchestrator_tui.config.profiles import create_profile, profile_names


def _profile_paths(name: str) -> Paths:
    try:
        check_profile_name(name)
    except ValueError as exc:
        fail(str(exc))
    return Paths.default(profile=name)


@click.group()
def profiles() -> None:
    """Profiles: each has its own config overlay, history database and keys (e.g. work, personal).

    Choose one with `orch-tui --profile NAME ...` or ORCH_TUI_PROFILE.
    """


@profiles.command("list")
def list_profiles() -> None:
    """Every profile; the active one is marked with *."""
    paths = Paths.default(must_exist=False)
    active = paths.profile
    click.echo(f"{'*' if active is None else ' '} default")
    for name in profile_names(paths):
        click.echo(f"{'*' if name == active else ' '} {name}")


@profiles.command()
@click.argument("name")
def create(name: str) -> None:
    """Create profile NAME: an empty config overlay and its own data folder."""
    try:
        made = create_profile(Paths.default(must_exist=False), name)
    except ValueError as exc:
        fail(str(exc))
    overlay = made.profile_config_dir
    click.echo(f"created profile {name!r} ({overlay}); use it with `orch-tui --profile {name}`")


@profiles.command()
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(name: str, yes: bool) -> None:
    """Delete profile NAME: its overlay, history database, vault and keyring keys."""
    from orchestrator_tui.config import load_config
    from orchestrator_tui.store.keys import keystore_for

    paths = _profile_paths(name)
    if name not in profile_names(paths):
        fail(f"no profile named {name!r}")
    if not yes:
        click.confirm(f"Delete profile {name!r} with its history and keys?", abort=True)
    config = load_config(paths)
    store = keystore_for(config)
    removed = 0
    for provider in config.catalog.providers.values():
        if provider.needs_key and not getattr(store.backend, "after_environment", False):
            removed += store.delete(provider.name)
    for folder in (paths.profile_config_dir, paths.profile_data_dir):
        if folder is not None and folder.is_dir():
            shutil.rmtree(folder)
    click.echo(f"deleted profile {name!r} ({removed} saved key(s) removed from the keyring)")
