"""The configuration, layer by layer: package defaults, the system's folder, the user's, the
active profile's overlay, a project's ``.orch-tui``, then the environment and the command line.

A later layer wins value by value, and every value remembers its file and line (``sources``) for
``orch-tui config show --sources``. A malformed file never stops the program: it is reported (file
and line) in ``Config.warnings`` and the layers below it are used in its place. An untrusted
project may not change where a provider's requests go; what it tried is named in the warnings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from orchestrator_tui.config.models_file import catalog_sources, read_catalog
from orchestrator_tui.config.paths import Paths
from orchestrator_tui.config.settings import (
    DEFAULT_SOURCE,
    Settings,
    SettingsLayer,
    env_name,
    environment_settings,
    read_budget,
    read_context,
    read_settings,
)
from orchestrator_tui.config.trust import is_trusted, untrusted_models, untrusted_settings
from orchestrator_tui.core.budget import BudgetLimits
from orchestrator_tui.core.catalog import Catalog
from orchestrator_tui.core.context_window import ContextPolicy
from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.yamlsource import (
    Located,
    UnreadableFile,
    YamlError,
    load_located,
    load_located_file,
)

DEFAULTS_SOURCE = "models.yaml (defaults)"
FLAG_SOURCE = "command line"


@dataclass(frozen=True, slots=True)
class Layer:
    """A folder of ``config.yaml`` and ``models.yaml``; ``trusted`` is False for a project that
    the user has not trusted yet."""

    name: str
    folder: Path
    trusted: bool = True


@dataclass(slots=True)
class Config:
    paths: Paths
    catalog: Catalog
    settings: Settings
    warnings: list[str] = field(default_factory=list)
    sources: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Where each value was set: ``("theme",)`` or ``("providers", "openai", "base_url")``."""
    layers: list[Layer] = field(default_factory=list)
    context: ContextPolicy = field(default_factory=ContextPolicy)
    """What a conversation does when it outgrows a model's window (``context:``)."""
    budget: BudgetLimits = field(default_factory=BudgetLimits)
    """Spending limits per run, session and day (``budget:``); none by default."""

    def source(self, *path: str) -> str:
        return self.sources.get(tuple(path), DEFAULT_SOURCE)


def config_layers(paths: Paths) -> list[Layer]:
    """The folders read, in order; a project is trusted only as the user last trusted it."""
    layers = [Layer("system", paths.system_dir), Layer("user", paths.config_dir)]
    if paths.profile_config_dir is not None:
        layers.append(Layer(f"profile {paths.profile}", paths.profile_config_dir))
    if paths.project_dir is not None:
        trusted = is_trusted(paths.trust_file, paths.project_dir)
        layers.append(Layer("project", paths.project_dir, trusted))
    return layers


def load_config(
    paths: Paths | None = None,
    *,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Every layer merged (installed plugins' models right after the package defaults);
    ``flags`` are settings given on the command line (the last layer)."""
    from orchestrator_tui.plugins import load_plugins

    paths = paths or Paths.default()
    environ = os.environ if environ is None else environ
    warnings: list[str] = []
    defaults = load_located(
        (resources.files("orchestrator_tui") / "defaults" / "models.yaml").read_text("utf-8"),
        DEFAULTS_SOURCE,
    )
    model_docs = [defaults]
    plugins = load_plugins()
    warnings += [f"plugin {e.name} ({e.distribution}) skipped: {e.error}" for e in plugins.failed]
    for where, text in plugins.catalogs:
        try:
            model_docs.append(load_located(text, where))
        except YamlError as exc:
            warnings.append(f"{exc}; ignored")
    setting_layers: list[SettingsLayer] = []
    layers = config_layers(paths)
    for layer in layers:
        models = _read_file(layer.folder / "models.yaml", warnings)
        if models is not None and not layer.trusted:
            models = untrusted_models(models, model_docs, warnings)
        if models is not None:
            model_docs.append(models)
        settings_doc = _read_file(layer.folder / "config.yaml", warnings)
        if settings_doc is not None and not layer.trusted:
            below = [data for data, _ in setting_layers]
            settings_doc = untrusted_settings(settings_doc, below, warnings)
        if settings_doc is not None:
            setting_layers.append((settings_doc.data, settings_doc.where))
    setting_layers.append((environment_settings(environ, warnings), lambda k: f"env {env_name(k)}"))
    setting_layers.append((dict(flags or {}), lambda k: FLAG_SOURCE))
    catalog = read_catalog(model_docs, warnings)
    settings, setting_sources = read_settings(setting_layers, warnings)
    sources: dict[tuple[str, ...], str] = {(k,): where for k, where in setting_sources.items()}
    sources.update(catalog_sources(model_docs))
    where = sources.get(("context",), DEFAULT_SOURCE)
    context = read_context(settings.context, where, catalog, warnings)
    budget_where = sources.get(("budget",), DEFAULT_SOURCE)
    budget = read_budget(settings.budget, budget_where, warnings)
    return Config(paths, catalog, settings, warnings, sources, layers, context, budget)


def _read_file(path: Path, warnings: list[str]) -> Located | None:
    if not path.exists():
        return None
    try:
        located = load_located_file(path)
    except UnreadableFile as exc:
        raise ConfigError(str(exc)) from None
    except YamlError as exc:
        warnings.append(f"{exc}; using the defaults instead")
        return None
    if located.data is None:
        return None
    if not isinstance(located.data, dict):
        warnings.append(f"{located.where()}: expected a mapping at the top; using the defaults")
        return None
    return located
