"""The command palette's list: every action available where the palette was opened.

Actions come from ``tui.actions`` (bindings and documented ``action_*`` methods), so a new action
shows up here by being written; disabled ones (``check_action`` returning ``None``) are left out.
Installed lazily: ``App.COMMANDS`` takes a function that returns the provider class.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from orchestrator_tui.tui.actions import AvailableAction, available_actions


class ActionCommands(Provider):
    """Commands for the actions of the focused widget, its screen and the app."""

    async def discover(self) -> Hits:
        for action in self._actions():
            yield DiscoveryHit(action.title, self._runner(action), help=_help(action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action in self._actions():
            score = matcher.match(action.title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(action.title),
                    self._runner(action),
                    text=action.title,
                    help=_help(action),
                )

    def _actions(self) -> list[AvailableAction]:
        """Enabled actions, once per title; Textual's own system commands (Quit, Keys...) stay
        with their provider."""
        seen = {command.title for command in self.app.get_system_commands(self.screen)}
        usable = []
        for action in [*available_actions(self.screen), *self._screens()]:
            if action.enabled and action.notable and action.title not in seen:
                seen.add(action.title)
                usable.append(action)
        return usable

    def _screens(self) -> list[AvailableAction]:
        """An "Open <screen>" command for each screen the app registers by name (``show_screen`` is
        ``OrchApp``'s action), bar the one showing and those a key already opens."""
        app = self.app
        if not hasattr(app, "action_show_screen"):
            return []
        bound = {b.binding.action for b in self.screen.active_bindings.values()}
        current = self.screen
        return [
            AvailableAction(
                node=app,
                action=f"show_screen({name!r})",
                title=f"Open {name.replace('_', ' ')}",
                help=f"Go to the {name.replace('_', ' ')} screen",
            )
            for name in app.SCREENS
            if f"show_screen({name!r})" not in bound
            and not (app.is_screen_installed(name) and app.get_screen(name) is current)
        ]

    def _runner(self, action: AvailableAction) -> Callable[[], Awaitable[bool]]:
        return partial(self.app.run_action, action.action, action.node)


def _help(action: AvailableAction) -> str:
    keys = f"  ({', '.join(action.keys)})" if action.keys else ""
    return f"{action.help}{keys}" if action.help else keys.strip()
