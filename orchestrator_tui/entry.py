"""The ``orch-tui`` entry point: a bare ``orch-tui`` in a terminal goes straight to the app.

Click, the subcommands' shared code and the configuration (YAML) cost a tenth of a second of
imports that the full-screen app does not need before its first paint, so the plain case skips
them; anything else (a subcommand, ``--help``, no terminal) goes to the click commands.
"""

from __future__ import annotations

import gc
import sys


def opens_tui(args: list[str]) -> bool:
    """A bare ``orch-tui`` with a terminal on both ends opens the full-screen app."""
    return not args and sys.stdin.isatty() and sys.stdout.isatty()


def main() -> None:
    if not opens_tui(sys.argv[1:]):
        from orchestrator_tui.cli import main as cli_main

        cli_main()
        return
    try:
        gc.disable()  # no passes over the start-up's objects; the app resumes after its first paint
        from orchestrator_tui.tui.app import run_app

        run_app()
    except KeyboardInterrupt:
        sys.exit(130)
