"""Paths, the user's configuration files, and writing settings back.

The engine's types (catalog, models, providers) live in ``core``; this package reads files into them.
"""

from orchestrator_tui.config.loading import Config, load_config
from orchestrator_tui.config.paths import (
    APP_NAME,
    HOME_ENV,
    PROFILE_ENV,
    SYSTEM_ENV,
    Paths,
    bundled_dir,
)
from orchestrator_tui.config.saving import save_settings
from orchestrator_tui.config.settings import Settings

__all__ = [
    "APP_NAME",
    "HOME_ENV",
    "PROFILE_ENV",
    "SYSTEM_ENV",
    "Config",
    "Paths",
    "Settings",
    "bundled_dir",
    "load_config",
    "save_settings",
]
