"""The ``orch-tui`` commands: subcommands run headless; no arguments opens the TUI (see ``entry``).

Subcommands load lazily (one module each), so ``orch-tui --help`` imports almost nothing.
"""

from __future__ import annotations

import importlib
import sys

import click

from orchestrator_tui import __version__
from orchestrator_tui.cli.common import CliError
from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.entry import opens_tui, use_profile

COMMANDS = {
    "ask": ("orchestrator_tui.cli.ask:ask", "Send one prompt to one or more models and compare."),
    "history": (
        "orchestrator_tui.cli.history:history",
        "Browse, search, export and tidy past sessions.",
    ),
    "models": ("orchestrator_tui.cli.models:models", "List models, their prices and key status."),
    "keys": (
        "orchestrator_tui.cli.keys:keys",
        "Save, list and delete API keys (OS keyring or vault).",
    ),
    "doctor": (
        "orchestrator_tui.cli.doctor:doctor",
        "Check keys, endpoints and models of every provider.",
    ),
    "chains": (
        "orchestrator_tui.cli.chains:chains",
        "List, show and validate chains, or write one from a sentence.",
    ),
    "run": ("orchestrator_tui.cli.run:run", "Run a chain headless with live progress."),
    "config": (
        "orchestrator_tui.cli.config_cmd:config_group",
        "Show the configuration in force and where each value comes from.",
    ),
    "trust": (
        "orchestrator_tui.cli.config_cmd:trust",
        "Trust this project's .orch-tui folder (it may then change providers).",
    ),
    "modes": (
        "orchestrator_tui.cli.modes:modes",
        "List modes: a system prompt, parameters, models and chain by name.",
    ),
    "profiles": (
        "orchestrator_tui.cli.profiles:profiles",
        "List, create and delete profiles (own config, history and keys).",
    ),
    "plugins": (
        "orchestrator_tui.cli.plugins:plugins",
        "List installed plugins, what each adds, and any that failed.",
    ),
    "batch": (
        "orchestrator_tui.cli.batch:batch",
        "Run a chain or conversation over many inputs, resumable.",
    ),
    "worker": (
        "orchestrator_tui.cli.worker:worker",
        "Run the items of distributed batches from a Redis broker.",
    ),
    "paths": (
        "orchestrator_tui.cli.paths:paths",
        "Show where the configuration, history, key vault and cache live.",
    ),
    "arena": (
        "orchestrator_tui.cli.arena:arena",
        "Leaderboard of your votes and a judge's, with confidence intervals.",
    ),
}


def _plugin_commands() -> dict[str, click.Command]:
    """Commands installed plugins add (reading them once, on the first call)."""
    from orchestrator_tui.plugins import load_plugins

    return load_plugins().commands


class LazyGroup(click.Group):
    """Imports a subcommand's module only when that subcommand runs (or its help is shown)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*COMMANDS, *_plugin_commands()])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return _plugin_commands().get(cmd_name)
        target = COMMANDS[cmd_name][0]
        module_name, _, attr = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command

    def invoke(self, ctx: click.Context) -> object:
        """Errors the program can explain become one line and exit code 2, never a traceback."""
        try:
            return super().invoke(ctx)
        except OrchError as exc:
            raise CliError(str(exc)) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        plugins = _plugin_commands()
        rows = [
            (name, COMMANDS[name][1] if name in COMMANDS else plugins[name].get_short_help_str())
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _profile(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        from orchestrator_tui.config.paths import check_profile_name

        try:
            use_profile(check_profile_name(value))
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="orch-tui")
@click.option(
    "--profile",
    metavar="NAME",
    callback=_profile,
    expose_value=False,
    is_eager=True,
    help="Use profile NAME: its own config overlay, history and keys (or ORCH_TUI_PROFILE).",
)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Send one prompt to many LLMs, watch them side by side, chain them, keep every session.

    With no command, opens the full-screen app.
    """
    if ctx.invoked_subcommand is None:
        if not opens_tui([]):
            click.echo(ctx.get_help())
            click.echo("\nThe full-screen app needs a terminal; the commands above work anywhere.")
            return
        from orchestrator_tui.tui.app import run_app  # Textual loads only when the TUI opens

        run_app()


def main() -> None:
    try:
        cli.main(prog_name="orch-tui")
    except KeyboardInterrupt:
        sys.exit(130)
