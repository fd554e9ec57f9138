"""The configuration: package defaults, then the user's files, then the environment.

A malformed user file never stops the program: it is reported (file and line) in ``Config.warnings``
and the defaults are used in its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from orchestrator_tui.config.models_file import read_catalog
from orchestrator_tui.config.paths import Paths
from orchestrator_tui.config.settings import Settings, read_settings
from orchestrator_tui.core.catalog import Catalog
from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.yamlsource import (
    Located,
    UnreadableFile,
    YamlError,
    load_located,
    load_located_file,
)


@dataclass(slots=True)
class Config:
    paths: Paths
    catalog: Catalog
    settings: Settings
    warnings: list[str] = field(default_factory=list)


def load_config(paths: Paths | None = None) -> Config:
    """The package defaults, then installed plugins' models, then the user's files."""
    from orchestrator_tui.plugins import load_plugins

    paths = paths or Paths.default()
    warnings: list[str] = []
    defaults = load_located(
        (resources.files("orchestrator_tui") / "defaults" / "models.yaml").read_text("utf-8"),
        "models.yaml (defaults)",
    )
    layers = [defaults]
    plugins = load_plugins()
    warnings += [f"plugin {e.name} ({e.distribution}) skipped: {e.error}" for e in plugins.failed]
    for where, text in plugins.catalogs:
        try:
            layers.append(load_located(text, where))
        except YamlError as exc:
            warnings.append(f"{exc}; ignored")
    user_models = _read_user_file(paths.models_file, warnings)
    if user_models is not None:
        layers.append(user_models)
    catalog = read_catalog(layers, warnings)
    settings = read_settings(_read_user_file(paths.settings_file, warnings), warnings)
    return Config(paths, catalog, settings, warnings)


def _read_user_file(path: Path, warnings: list[str]) -> Located | None:
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
