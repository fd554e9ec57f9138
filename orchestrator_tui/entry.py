"""The ``orch-tui`` entry point: a bare ``orch-tui`` in a terminal goes straight to the app.

Click, the subcommands' shared code and the configuration (YAML) cost a tenth of a second of
imports that the full-screen app does not need before its first paint, so the plain case (with at
most ``--profile NAME``) skips them; anything else (a subcommand, ``--help``, no terminal) goes to
the click commands.
"""

from __future__ import annotations

import gc
import os
import sys

PROFILE_ENV = "ORCH_TUI_PROFILE"
"""The active profile's variable; ``--profile`` sets it so every part (and child) follows it.
The same name as ``config.paths.PROFILE_ENV``, not imported from there: that loads YAML."""


def app_profile(args: list[str]) -> str | None:
    """``""`` for a bare ``orch-tui``, the name for ``orch-tui --profile NAME``, else ``None``."""
    if not args:
        return ""
    if len(args) == 2 and args[0] == "--profile":
        return args[1]
    if len(args) == 1 and args[0].startswith("--profile="):
        return args[0].partition("=")[2]
    return None


def opens_tui(args: list[str]) -> bool:
    """A bare ``orch-tui`` (or with only ``--profile``) with a terminal on both ends opens the app."""
    return app_profile(args) is not None and sys.stdin.isatty() and sys.stdout.isatty()


def use_profile(name: str | None) -> None:
    """Make ``name`` the active profile for this process and its children; ``None`` is the
    default profile, ``""`` keeps the one ``ORCH_TUI_PROFILE`` names."""
    if name:
        os.environ[PROFILE_ENV] = name
    elif name is None:
        os.environ.pop(PROFILE_ENV, None)


def main() -> None:
    if not opens_tui(sys.argv[1:]):
        from orchestrator_tui.cli import main as cli_main

        cli_main()
        return
    try:
        gc.disable()  # no passes over the start-up's objects; the app resumes after its first paint
        use_profile(app_profile(sys.argv[1:]))
        from orchestrator_tui.tui.app import run_app

        run_app()
    except KeyboardInterrupt:
        sys.exit(130)
