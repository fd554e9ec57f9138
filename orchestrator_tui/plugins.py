"""Plugins: installed packages that add providers, step kinds, check kinds, export formats, commands
and run-event subscribers through entry points (see "Writing a plugin" in the README).

They are read once per process and only when needed: by the CLI when it loads the configuration or
lists its commands, by the TUI after its first paint. A plugin that fails to load, or hands over
something that is not what its group expects, is reported (``orch-tui plugins``) and skipped; it
never stops the program. A name already taken, a built-in's first of all, stays with its owner.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from orchestrator_tui.core.feed import Subscriber

log = logging.getLogger(__name__)

PROVIDERS = "orch_tui.providers"
STEP_KINDS = "orch_tui.step_kinds"
SCORERS = "orch_tui.scorers"
EXPORTERS = "orch_tui.exporters"
COMMANDS = "orch_tui.commands"
SUBSCRIBERS = "orch_tui.subscribers"
GROUPS = (PROVIDERS, STEP_KINDS, SCORERS, EXPORTERS, COMMANDS, SUBSCRIBERS)


@dataclass(frozen=True, slots=True)
class PluginEntry:
    """One entry point: what it adds, or why it was skipped (``error``)."""

    group: str
    name: str
    distribution: str
    adds: str = ""
    error: str | None = None


@dataclass(slots=True)
class Plugins:
    entries: list[PluginEntry] = field(default_factory=list)
    catalogs: list[tuple[str, str]] = field(default_factory=list)
    """(where, models.yaml text) from provider plugins, merged after the package defaults."""
    commands: dict[str, Any] = field(default_factory=dict)
    """Command name -> its click command."""
    subscribers: dict[str, Subscriber] = field(default_factory=dict)

    @property
    def failed(self) -> list[PluginEntry]:
        return [e for e in self.entries if e.error]


@functools.cache
def load_plugins() -> Plugins:
    """Every installed plugin, loaded and registered once per process."""
    plugins = Plugins()
    for group in GROUPS:
        for point in sorted(metadata.entry_points(group=group), key=lambda p: p.name):
            dist = point.dist.name if point.dist is not None else "?"
            try:
                adds = _REGISTER[group](plugins, point.name, point.load())
            except Exception as exc:  # a plugin's own failure, whatever it is, only skips it
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                log.warning("plugin %s (%s) skipped: %s", point.name, dist, reason)
                plugins.entries.append(PluginEntry(group, point.name, dist, error=reason))
            else:
                plugins.entries.append(PluginEntry(group, point.name, dist, adds))
    return plugins


def _required(target: Any, name: str) -> Any:
    value = getattr(target, name, None)
    if value is None:
        raise TypeError(f"it has no `{name}`")
    return value


def _provider(plugins: Plugins, name: str, target: Any) -> str:
    from orchestrator_tui.core.registry import register_provider_type

    register_provider_type(name, target)
    catalog = getattr(target, "CATALOG", None)
    if catalog is not None:
        if not isinstance(catalog, str):
            raise TypeError("CATALOG must be models.yaml text")
        plugins.catalogs.append((f"models.yaml (plugin {name})", catalog))
    return f"provider type {name}" + (" with models" if catalog else "")


def _step_kind(plugins: Plugins, name: str, target: Any) -> str:
    from orchestrator_tui.core.chains.kinds import register_step_kind

    fields = tuple(getattr(target, "fields", ()))
    register_step_kind(
        name, _required(target, "run"), fields, tuple(getattr(target, "required", ()))
    )
    return f"step kind {name}"


def _scorer(plugins: Plugins, name: str, target: Any) -> str:
    from orchestrator_tui.core.chains.kinds import register_check_kind

    register_check_kind(name, tuple(getattr(target, "fields", ())), _required(target, "make"))
    return f"check kind {name}"


def _exporter(plugins: Plugins, name: str, target: Any) -> str:
    from orchestrator_tui.store.export import Exporter, register_exporter

    suffix = getattr(target, "suffix", None)
    if not isinstance(suffix, str) or not suffix.startswith("."):
        raise TypeError("an exporter needs a file suffix such as '.csv'")
    register_exporter(
        Exporter(name, suffix, _required(target, "render"), getattr(target, "description", ""))
    )
    return f"export format {name}"


def _command(plugins: Plugins, name: str, target: Any) -> str:
    import click

    from orchestrator_tui.cli import COMMANDS as BUILT_IN

    if not isinstance(target, click.Command):
        raise TypeError("a command plugin must be a click command")
    if name in BUILT_IN or name in plugins.commands:
        raise ValueError(f"command {name!r} exists already")
    plugins.commands[name] = target
    return f"command {name}"


def _subscriber(plugins: Plugins, name: str, target: Any) -> str:
    if not callable(target):
        raise TypeError("a subscriber must be callable with a run event")
    plugins.subscribers[name] = target
    return f"run-event subscriber {name}"


_REGISTER: dict[str, Callable[[Plugins, str, Any], str]] = {
    PROVIDERS: _provider,
    STEP_KINDS: _step_kind,
    SCORERS: _scorer,
    EXPORTERS: _exporter,
    COMMANDS: _command,
    SUBSCRIBERS: _subscriber,
}
