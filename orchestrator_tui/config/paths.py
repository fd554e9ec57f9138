"""Where orch-tui's files live: ``$ORCH_TUI_HOME`` when set, else the platform's usual places.

Besides the user's folders there are the system's (``/etc/orch-tui``, or ``$ORCH_TUI_SYSTEM_DIR``),
a project's ``.orch-tui`` folder found upward from the working directory, and the active profile's
overlay (``config/profiles/NAME``) with its own history and vault (``data/profiles/NAME``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from orchestrator_tui.core.errors import ConfigError

APP_NAME = "orch-tui"
HOME_ENV = "ORCH_TUI_HOME"
SYSTEM_ENV = "ORCH_TUI_SYSTEM_DIR"
PROFILE_ENV = "ORCH_TUI_PROFILE"
SYSTEM_DIR = Path("/etc/orch-tui")
PROJECT_FOLDER = ".orch-tui"
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")

ChainOrigin = Literal["preset", "user", "project"]


PROFILE_NAME_RULE = "use up to 40 letters, digits, '-' or '_' (not starting with - or _)"


def check_profile_name(name: str) -> str:
    """A profile's name becomes a folder name, so only letters, digits, ``-`` and ``_``."""
    if not _PROFILE_NAME.fullmatch(name):
        raise ValueError(f"profile name {name!r}: {PROFILE_NAME_RULE}")
    return name


class UnknownProfile(ConfigError):
    """The profile asked for was never created: said before anything is opened in it."""


@dataclass(frozen=True, slots=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    profile: str | None = None
    """The active profile; ``None`` is the default one, whose files sit directly in the folders."""
    system_dir: Path = SYSTEM_DIR
    project_dir: Path | None = None
    """The project's ``.orch-tui`` folder, when the working directory is inside one."""

    @classmethod
    def default(
        cls, profile: str | None = None, cwd: Path | None = None, *, must_exist: bool = True
    ) -> Paths:
        """``$ORCH_TUI_HOME/{config,data,cache}`` when set, else the platform's usual places.

        ``profile`` (else ``$ORCH_TUI_PROFILE``) picks a profile, which must exist unless
        ``must_exist`` is False (listing and making profiles): a typo would otherwise open an
        empty history and save keys where no one looks. ``cwd`` is where the project folder is
        looked for (default: the working directory).
        """
        profile = profile or os.environ.get(PROFILE_ENV) or None
        if profile is not None:
            try:
                check_profile_name(profile)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
        paths = cls._located(profile, cwd)
        if must_exist and not paths.profile_exists:
            raise UnknownProfile(
                f"no profile {profile!r}: `orch-tui profiles create {profile}` makes it"
                " (`orch-tui profiles list` shows the profiles there are)"
            )
        return paths

    @classmethod
    def _located(cls, profile: str | None, cwd: Path | None) -> Paths:
        system = Path(os.environ.get(SYSTEM_ENV) or SYSTEM_DIR)
        project = find_project(cwd or Path.cwd())
        home = os.environ.get(HOME_ENV)
        if home:
            root = Path(home).expanduser()
            return cls(root / "config", root / "data", root / "cache", profile, system, project)
        import platformdirs

        return cls(
            Path(platformdirs.user_config_dir(APP_NAME)),
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_cache_dir(APP_NAME)),
            profile,
            system,
            project,
        )

    @property
    def profile_exists(self) -> bool:
        """The default profile always does; a named one once it has a folder of its own."""
        overlay = self.profile_config_dir
        return overlay is None or overlay.is_dir() or self.profile_data_dir.is_dir()

    @property
    def profile_data_dir(self) -> Path:
        """The active profile's history and vault (the data dir itself for the default profile)."""
        return self.data_dir / "profiles" / self.profile if self.profile else self.data_dir

    @property
    def profile_config_dir(self) -> Path | None:
        """The active profile's configuration overlay (``config.yaml``, ``models.yaml``)."""
        return self.config_dir / "profiles" / self.profile if self.profile else None

    @property
    def database(self) -> Path:
        return self.profile_data_dir / "history.sqlite3"

    @property
    def user_state(self) -> Path:
        """What the app remembers between runs (models, their settings, earlier prompts), per
        profile: earlier prompts are history, and "work" and "personal" choose other models."""
        return self.profile_data_dir / "state.json"

    @property
    def vault_file(self) -> Path:
        """The encrypted key vault, used where the system has no keyring."""
        return self.profile_data_dir / "keys.vault"

    @property
    def trust_file(self) -> Path:
        """Project folders the user trusted, with their files' hashes (shared by every profile)."""
        return self.data_dir / "trusted-projects.json"

    @property
    def discovery_cache(self) -> Path:
        """Models found on local servers lately (``orchestrator_tui.discovery``)."""
        return self.cache_dir / "discovered-models.json"

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

    def chain_folders(self) -> list[tuple[ChainOrigin, Path]]:
        """Where chains and personas come from, in order: a later folder shadows an earlier one."""
        folders: list[tuple[ChainOrigin, Path]] = [
            ("preset", bundled_dir("presets")),
            ("user", self.config_dir),
        ]
        if self.project_dir is not None:
            folders.append(("project", self.project_dir))
        return folders

    def theme_folders(self) -> list[Path]:
        """User themes, then the project's: a later folder's theme replaces one of the same name."""
        folders = [self.themes_dir]
        if self.project_dir is not None:
            folders.append(self.project_dir / "themes")
        return folders

    def ensure(self) -> None:
        """Create the folders; one that cannot be (a file is in the way) is a ``ConfigError``."""
        for folder in (self.config_dir, self.data_dir, self.cache_dir, self.profile_data_dir):
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


def find_project(start: Path) -> Path | None:
    """The nearest ``.orch-tui`` folder in ``start`` or above it, as editors find their workspace."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_FOLDER
        if candidate.is_dir():
            return candidate
    return None


def chain_reference() -> str:
    """The chain format as the presets' README describes it (from its ``## Format`` on), for a
    model that writes chains."""
    text = (bundled_dir("presets") / "README.md").read_text(encoding="utf-8")
    start = text.find("## Format")
    return text[start:] if start >= 0 else text


def bundled_dir(name: str) -> Path:
    """A folder shipped with the package (``themes``, ``presets``): inside the wheel, or the repo root."""
    inside = Path(str(resources.files("orchestrator_tui"))) / name
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / name
