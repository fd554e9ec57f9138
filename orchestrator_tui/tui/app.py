"""The Textual app: opens the services in the background, installs screens by name, closes on exit.

Kept small on purpose: screens own their behaviour; the app only wires them to ``Services``.
Nothing heavy (configuration, SQLite, Markdown, provider SDKs) is imported before the first paint.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.screen import Screen
from textual.signal import Signal

from orchestrator_tui.core.text import terminal_safe
from orchestrator_tui.entry import PROFILE_ENV, use_profile
from orchestrator_tui.tui import markdown_blocks, terminal_keys, themes

if TYPE_CHECKING:
    from textual.content import Content
    from textual.notifications import SeverityLevel

    from orchestrator_tui.config import Config, Paths
    from orchestrator_tui.core.run import Run
    from orchestrator_tui.services import Services
    from orchestrator_tui.tui.screens.vault_password import VaultPrompt

log = logging.getLogger(__name__)
HOLD_ENV = "ORCH_TUI_HOLD_START"
"""For tests: the services open only once the file this names exists, so a test can type into
a workspace that is certainly not ready yet."""

SCREEN_MODULES: dict[str, str] = {
    "workspace": "orchestrator_tui.tui.screens.workspace:WorkspaceScreen",
    "chain_editor": "orchestrator_tui.tui.screens.chain_editor:ChainEditorScreen",
    "history": "orchestrator_tui.tui.screens.history:HistoryScreen",
    "history_stats": "orchestrator_tui.tui.screens.history_stats:HistoryStatsScreen",
    "settings": "orchestrator_tui.tui.screens.settings:SettingsScreen",
    "batches": "orchestrator_tui.tui.screens.batches:BatchesScreen",
    "leaderboard": "orchestrator_tui.tui.screens.leaderboard:LeaderboardScreen",
}
"""Screen name -> ``module:Class``. Adding a screen is one line here; its module loads on first use."""


def lazy_screen(target: str) -> Callable[[], Screen[Any]]:
    """A factory that imports ``module:Class`` only when the screen is first shown."""

    def make() -> Screen[Any]:
        module_name, _, class_name = target.partition(":")
        screen: Screen[Any] = getattr(importlib.import_module(module_name), class_name)()
        return screen

    return make


def action_commands() -> type[Provider]:
    """The palette's commands, loaded when the palette first opens."""
    from orchestrator_tui.tui.commands import ActionCommands

    return ActionCommands


@dataclass(frozen=True, slots=True)
class ProfileSwitch:
    """What the app ends with when the person chose another profile: ``run_app`` opens it next."""

    profile: str | None
    """``None`` is the default profile."""


class OrchApp(App[ProfileSwitch]):
    """``OrchApp()`` opens the user's services; pass ``services`` (tests) to use already-open ones."""

    TITLE = "orch-tui"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    SCREENS: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {
        name: lazy_screen(target) for name, target in SCREEN_MODULES.items()
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding(
            "ctrl+o",
            "show_screen('history')",
            "History",
            id="app.history",
            show=False,
            priority=True,  # at once: the keys typed next go to the History screen
        ),
        Binding("f1", "help", "Help", id="app.help"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            id="app.command_palette",
            show=False,
            priority=True,
        ),
        Binding("f2", "show_screen('settings')", "Settings", id="app.settings"),
        Binding("f8", "show_screen('batches')", "Batches", id="app.batches", show=False),
        Binding(
            "f10", "show_screen('leaderboard')", "Leaderboard", id="app.leaderboard", show=False
        ),
    ]
    COMMANDS = App.COMMANDS | {action_commands}
    ACTION_HELP: ClassVar[dict[str, str]] = {
        "show_screen": "Go to that screen",
        "help": "The keys of the pane in focus and of its screen",
        "quit": "Leave orch-tui (runs in flight are cancelled, answers so far are kept)",
    }

    def __init__(
        self,
        *,
        services: Services | None = None,
        config: Config | None = None,
        paths: Paths | None = None,
        warm_sdks: bool = True,
    ) -> None:
        super().__init__()
        terminal_keys.install()
        self._services = services
        self._owns_services = services is None
        self._config = config or (services.config if services else None)
        self._paths = paths
        self._warm_enabled = warm_sdks
        self._services_open = asyncio.Event()
        self._warm_allowed = asyncio.Event()
        """Set once the start-up work after the first paint is done (see ``warm_models``)."""
        self._open_error: BaseException | None = None
        self.vault_prompt: VaultPrompt | None = None
        """Asks the key vault's password in a dialog, when the app opened the services itself."""
        self.keys_changed: Signal[str] = Signal(self, "keys-changed")
        """Published with a provider's name after its key was saved or removed in the app."""
        self.runs: set[Run] = set()
        """Runs in flight from any screen; cancelled and awaited before the services close."""
        self._gc_threshold: tuple[int, int, int] | None = None
        self.profile = self._config.paths.profile if self._config else os.environ.get(PROFILE_ENV)
        """The active profile (``None``: the default), shown in the header from the first frame."""
        self._early_keys: list[events.Key] | None = []
        """Keys typed before the workspace is on screen (then ``None``): Textual gives a key that
        arrives with nothing focused to the blank start-up screen, which drops it."""
        self.header_status = ""
        """The profile and mode in force: first in the header, before what a screen adds there."""
        self.show_mode(None)

    @property
    def services(self) -> Services:
        """The open services; only valid after ``wait_services`` returned."""
        if self._services is None:
            raise RuntimeError("services are not open yet")
        return self._services

    async def wait_paths(self) -> Paths | None:
        """The profile's folders once the configuration is read, even when the history could
        not be opened (so another profile can still be chosen); ``None`` if it could not be."""
        await self._services_open.wait()
        return self._config.paths if self._config is not None else None

    async def wait_services(self) -> Services:
        """The services once open (SQLite opens after the first paint); raises if opening failed."""
        await self._services_open.wait()
        if self._open_error is not None:
            raise RuntimeError(f"could not open the history database: {self._open_error}")
        return self.services

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's notification, always shown as written (``markup`` is ignored: widgets ask for
        it by default): messages quote answers, titles, file names and errors, whose brackets and
        control characters are not ours to interpret."""
        super().notify(
            terminal_safe(message),
            title=terminal_safe(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def action_help_quit(self) -> None:
        """ctrl+c outside a text field: say which key quits. Textual's own line is written in
        markup, which ``notify`` (above) shows as it is: it read "Press [b]ctrl+q[/b]"."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {key} to quit the app", title="Do you want to quit?")
                return

    @on(events.DeliveryComplete)
    def _screenshot_saved(self, event: events.DeliveryComplete) -> None:
        """Where the palette's Screenshot went, in plain words (Textual's own line is markup,
        which it read as '[$text-success]…')."""
        if event.name == "screenshot":
            event.prevent_default()
            self.notify(
                f"Saved screenshot to {event.path}" if event.path else "Saved screenshot",
                title="Screenshot",
            )

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header's line; a screen's title may be a chain's or a session's name. The profile
        and mode stay in it whatever the screen shows beside them (today's spend, paging)."""
        status = self.header_status
        if status and sub_title != status:
            sub_title = " · ".join(part for part in (status, sub_title) if part)
        return super().format_title(terminal_safe(title), terminal_safe(sub_title))

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return themes.APP_VARIABLE_DEFAULTS

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, less its key panel: F1 help (in the palette as "Help") replaces it."""
        return (c for c in super().get_system_commands(screen) if c.title != "Keys")

    async def on_event(self, event: events.Event) -> None:
        if (
            self._early_keys is not None
            and isinstance(event, events.Key)
            and not event.is_forwarded
        ):
            self._early_keys.append(event)  # typed ahead: replayed once the prompt box has focus
            return
        await super().on_event(event)

    def on_mount(self) -> None:
        self.call_later(self._show_workspace)

    def _show_workspace(self) -> None:
        """Pushed once the app's start-up batch is over, so its first frame is drawn at once.

        A screen composed inside that batch is rendered for nothing (Textual drops frames while
        batching) and then reaches the terminal in pieces, a layout refresh apart.
        """
        self.push_screen("workspace")
        self.call_after_refresh(self._painted)

    async def _painted(self) -> None:
        """The workspace is on screen: the keys typed ahead go to it, in order and before any
        typed later; then collect garbage again, and open the services.

        ``orch-tui`` starts with the collector off: its passes over the objects of the imports
        and the first frame cost about 0.1 s of start-up on a 2-core machine.
        """
        early, self._early_keys = self._early_keys or [], None
        for key in early:
            await super().on_event(key)
        gc.enable()
        self._open_services()

    def show_mode(self, mode: str | None) -> None:
        """The header names the profile and the mode in force, whichever screen is shown."""
        parts = [f"profile {self.profile}"] if self.profile else []
        if mode:
            parts.append(f"mode {mode}")
        self.header_status = " · ".join(parts)
        self.sub_title = self.header_status  # a change redraws the header on every screen

    def switch_profile(self, profile: str | None) -> None:
        """Close the app and open it again in ``profile`` (``None``: the default one).

        The services, history database and key vault were opened from the profile at start-up,
        and every screen holds some of them; closing and opening anew (as on quit: runs in flight
        are cancelled, their answers kept) leaves nothing of the old profile behind.
        """
        self.exit(ProfileSwitch(profile))

    def action_show_screen(self, name: str) -> None:
        """Bring a named screen forward: back to it if it is on the stack, else on top."""
        target = self.get_screen(name)
        if target is self.screen:
            return
        if target in self.screen_stack:
            while self.screen is not target:
                self.pop_screen()
            return
        self.push_screen(target)

    @work(group="services", exclusive=True, exit_on_error=False)
    async def _open_services(self) -> None:
        gate = os.environ.get(HOLD_ENV)
        while gate and not Path(gate).exists():
            await asyncio.sleep(0.05)
        try:
            if self._services is None:
                config = self._config or await asyncio.to_thread(_load_config, self._paths)
                self._config = config
                services = await asyncio.to_thread(
                    importlib.import_module, "orchestrator_tui.services"
                )
                from orchestrator_tui.tui.screens.vault_password import VaultPrompt

                self.vault_prompt = VaultPrompt(self)
                self._services = await services.open_services(
                    config=config, vault_password=self.vault_prompt
                )
            await self._apply_preferences(self._services.config)
            if notice := configuration_notice(self._services.config.warnings):
                self.notify(notice, title="Configuration", severity="warning", timeout=10)
        except Exception as exc:
            from orchestrator_tui.config.paths import UnknownProfile

            if isinstance(exc, UnknownProfile):  # nothing to show: say it as the CLI does
                self.exit(return_code=2, message=terminal_safe(f"orch-tui: error: {exc}"))
                return
            log.exception("opening services failed")
            self._open_error = exc
            self.notify(str(exc), title="Cannot open history", severity="error", timeout=30)
        finally:
            self._services_open.set()
        await asyncio.to_thread(markdown_blocks.warm_up)
        self._tune_garbage_collector()
        self._warm_allowed.set()

    async def _apply_preferences(self, config: Config) -> None:
        """The user's themes and keymap, read off the event loop, reported if broken."""
        from orchestrator_tui.tui.keymap import apply_keymap

        found = await asyncio.to_thread(themes.load_themes, themes.theme_dirs(config.paths))
        themes.install_themes(self, config, found)
        await apply_keymap(self, config.settings.keymap, str(config.paths.settings_file))

    def action_help(self) -> None:
        """Show the keys and a short description of the focused pane and its screen."""
        from orchestrator_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen.for_screen(self.screen))

    def warm_models(self, models: Iterable[str]) -> None:
        """Get the first request to these models ready while the person types: their providers'
        keys looked up, clients made and SDKs imported (in threads), a connection opened to each
        server. Called with the selection each time it changes; waits for the services and the
        start-up work after the first paint, so it never slows that down."""
        if self._warm_enabled:
            self._warm(list(models))

    @work(group="warm", exclusive=True, exit_on_error=False)
    async def _warm(self, models: list[str]) -> None:
        await self._warm_allowed.wait()
        if self._open_error is not None:
            return
        from orchestrator_tui.core.errors import OrchError

        catalog = self.services.config.catalog
        providers = []
        for name in models:
            with contextlib.suppress(OrchError):
                providers.append(catalog.provider_of(catalog.resolve(name)).name)
        from orchestrator_tui.store.keys import quietly

        with quietly():  # a key in a locked vault is asked for when a request needs it
            await self.services.orchestrator.registry.warm(providers)
        if self._gc_threshold is not None:
            gc.freeze()  # the SDKs just imported live as long as the app, like the rest frozen

    def _tune_garbage_collector(self) -> None:
        """Keep the garbage collector's passes rare and short while answers stream.

        What exists now (Textual, the configuration, the services, Markdown and Pygments) lives
        as long as the app, so it is left out of every pass (``gc.freeze``); and a pass runs
        after 50,000 new objects instead of 700, since streaming panes make many short-lived
        ones. Eight panes x 2,000 tokens spent 0.5-0.9 s in passes of up to 150 ms before, about
        0.1 s after (``bench/tui.py``). Both are undone when the app closes.
        """
        self._gc_threshold = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)

    async def on_unmount(self) -> None:
        """Cancel runs in flight (partial answers are kept), then flush and close the services."""
        if self._gc_threshold is not None:
            gc.set_threshold(*self._gc_threshold)
            gc.unfreeze()
        for run in list(self.runs):
            run.cancel()
        if self.runs:
            await asyncio.gather(*(run.wait() for run in self.runs), return_exceptions=True)
        if self._services is not None and self._owns_services:
            await self._services.aclose()


def configuration_notice(warnings: Sequence[str]) -> str | None:
    """One notice for the configuration's warnings: the first in full and how many follow, so a
    project with six ignored lines does not stack six toasts over the prompt at 80x24."""
    if len(warnings) <= 1:
        return warnings[0] if warnings else None
    more = len(warnings) - 1
    return (
        f"{warnings[0]}\n… and {more} more {'warning' if more == 1 else 'warnings'}: "
        "`orch-tui config show` prints them all"
    )


def _load_config(paths: Paths | None) -> Config:
    """Read the configuration off the event loop (YAML parsing and imports take a while)."""
    from orchestrator_tui.config import load_config

    return load_config(paths)


def run_app() -> None:
    """Entry point of ``orch-tui`` with no subcommand; after a profile switch in the settings the
    app opens again, in the same terminal, in that profile."""
    while (switch := (app := OrchApp()).run()) is not None:
        use_profile(switch.profile)
        gc.disable()  # the same start-up as the first: the app resumes it after its first paint
    if app.return_code:
        sys.exit(app.return_code)
