"""Where orch-tui's files live: ``$ORCH_TUI_HOME`` when set, else the platform's usual places."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from orchestrator_tui.core.errors import ConfigError

APP_NAME = "orch-tui"
HOME_ENV = "ORCH_TUI_HOME"


@dataclass(frozen=True, slots=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls) -> Paths:
        """``$ORCH_TUI_HOME/{config,data,cache}`` when set, else the platform's usual places."""
        home = os.environ.get(HOME_ENV)
        if home:
            root = Path(home).expanduser()
            return cls(root / "config", root / "data", root / "cache")
        import platformdirs

        return cls(
            Path(platformdirs.user_config_dir(APP_NAME)),
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_cache_dir(APP_NAME)),
        )

    @property
    def database(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def vault_file(self) -> Path:
        """The encrypted key vault, used where the system has no keyring."""
        return self.data_dir / "keys.vault"

    @property
    def models_file(self) -> Path:
        return self.config_dir / "models.yaml"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "config.yaml"

    @property
    def themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def chains_dir(self) -> Path:
        return self.config_dir / "chains"

    def chain_folders(self) -> list[tuple[Literal["preset", "user"], Path]]:
        """Where chains and personas come from, in order: a later folder shadows an earlier one."""
        return [("preset", bundled_dir("presets")), ("user", self.config_dir)]

    def ensure(self) -> None:
        """Create the folders; one that cannot be (a file is in the way) is a ``ConfigError``."""
        for folder in (self.config_dir, self.data_dir, self.cache_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(_unusable_folder(folder, exc)) from None


def _unusable_folder(folder: Path, exc: OSError) -> str:
    home = os.environ.get(HOME_ENV)
    if home and Path(home).expanduser().exists() and not Path(home).expanduser().is_dir():
        return (
            f"{HOME_ENV}={home} is a file, not a folder; point it at a folder (nothing was changed)"
        )
    return f"cannot create the folder {folder}: {exc.strerror or exc} (nothing was changed)"


def bundled_dir(name: str) -> Path:
    """A folder shipped with the package (``themes``, ``presets``): inside the wheel, or the repo root."""
    inside = Path(str(resources.files("orchestrator_tui"))) / name
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / name
