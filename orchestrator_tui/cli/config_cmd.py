"""``orch-tui config show|trust`` and ``orch-tui trust``: what is in force, and from where."""

from __future__ import annotations

from pathlib import Path

import click

from orchestrator_tui.cli.common import fail, warn_config
from orchestrator_tui.config import Paths, load_config


@click.group("config")
def config_group() -> None:
    """The effective configuration and the project folder's trust."""


@config_group.command()
@click.option("--sources", is_flag=True, help="Name the file and line behind every value.")
def show(sources: bool) -> None:
    """Print the configuration in force: defaults, system, user, profile, project, environment."""
    from orchestrator_tui.config.effective import effective_entries

    config = load_config()
    warn_config(config)
    if sources:
        for layer in config.layers:
            state = "" if layer.trusted else " (not trusted)"
            found = "" if layer.folder.is_dir() else " (absent)"
            click.echo(f"# {layer.name}: {layer.folder}{found}{state}")
    for entry in effective_entries(config):
        click.echo(entry.line(with_source=sources))


def _trust_command(name: str) -> click.Command:
    @click.command(name)
    @click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
    @click.option("--revoke", is_flag=True, help="Stop trusting it.")
    def trust(folder: Path | None, revoke: bool) -> None:
        """Trust the project's .orch-tui folder (found from FOLDER or here, upward) as it is now.

        An untrusted project may not change where a provider's requests go (base_url, key
        variables, new providers). Editing its config.yaml or models.yaml asks for trust again.
        """
        from orchestrator_tui.config.paths import PROJECT_FOLDER, find_project
        from orchestrator_tui.config.trust import set_trust

        start = folder or Path.cwd()
        project = start if start.name == PROJECT_FOLDER and start.is_dir() else find_project(start)
        if project is None:
            fail(f"no {PROJECT_FOLDER} folder in {start} or above it")
        paths = Paths.default()
        set_trust(paths.trust_file, project, trusted=not revoke)
        verb = "no longer trusted" if revoke else "trusted"
        click.echo(f"{project}: {verb}")

    return trust


trust = _trust_command("trust")
config_group.add_command(_trust_command("trust"))
