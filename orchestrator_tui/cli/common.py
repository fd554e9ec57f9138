"""What every subcommand shares: one-line errors, config warnings, running async code."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from orchestrator_tui.core.storable import decoded, storable

if TYPE_CHECKING:  # ``orch-tui --help`` need not load the configuration (YAML)
    from orchestrator_tui.config import Config
    from orchestrator_tui.core.modes import Mode, ModeLibrary

T = TypeVar("T")


class CliError(click.ClickException):
    """A one-line ``orch-tui: error: ...`` and exit code 2 (bad input); never a traceback."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        from orchestrator_tui.cli.terminal import echo  # errors quote files: shown safe

        echo(f"orch-tui: error: {self.format_message()}", err=True)


def fail(message: str) -> NoReturn:
    raise CliError(message)


def warn_config(config: Config) -> None:
    from orchestrator_tui.cli.terminal import echo

    for warning in config.warnings:
        echo(f"orch-tui: warning: {warning}", err=True)


def mode_library(config: Config) -> ModeLibrary:
    """The shipped modes, the user's and the project's, with broken files named as warnings."""
    from orchestrator_tui.core.modes import ModeLibrary

    library = ModeLibrary(config.paths.chain_folders())
    for warning in library.warnings:
        click.echo(f"orch-tui: warning: {warning}", err=True)
    return library


def active_mode(config: Config) -> Mode | None:
    """The mode in force (``--mode``, ``ORCH_TUI_MODE`` or ``mode:`` in config.yaml), if any."""
    name = config.settings.mode
    return mode_library(config).get(name) if name else None


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's body; Ctrl-C ends it with the usual exit code, not a traceback."""
    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        click.echo("orch-tui: interrupted", err=True)
        sys.exit(130)


def read_prompt(prompt: str | None) -> str:
    """The prompt argument, or standard input when it is ``-`` or absent and stdin is piped."""
    if prompt in (None, "-") and not sys.stdin.isatty():
        prompt = read_stdin()
    if prompt is None or not prompt.strip():
        fail("the prompt is empty: give it as an argument or on standard input")
    return storable(prompt)


def read_stdin() -> str:
    """Standard input as text, whatever its bytes: what is not UTF-8 shows as U+FFFD."""
    return decoded(sys.stdin.buffer.read())


def print_table(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A table with a header row: drawn by Rich on a terminal (every cell made safe to show); in
    a pipe, plain columns two spaces apart with every value whole, so a script (or ``cut``/``awk``)
    gets full ids."""
    rows = [list(row) for row in rows]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        from orchestrator_tui.cli.terminal import plain  # names from config files: not markup

        table = Table()
        for heading in headings:
            table.add_column(heading)
        for row in rows:
            table.add_row(*(plain(cell) for cell in row))
        Console().print(table)
        return
    widths = [max(len(str(c)) for c in column) for column in zip(headings, *rows, strict=False)]
    for row in [list(headings), *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join(cells).rstrip())
