"""The profiles that exist and making a new one, shared by ``orch-tui profiles`` and the app's
settings screen (a profile is two folders: its config overlay and its data)."""

from __future__ import annotations

from dataclasses import replace

from orchestrator_tui.config.paths import Paths, check_profile_name

OVERLAY_HEADER = (
    "# Settings of profile {name!r}, over the user's config.yaml. models.yaml beside this\n"
    "# file adds or changes providers and models for this profile only.\n"
)


def profile_names(paths: Paths) -> list[str]:
    """Profiles that exist: a folder under the config's or the data's ``profiles``."""
    found: set[str] = set()
    for root in (paths.config_dir / "profiles", paths.data_dir / "profiles"):
        if root.is_dir():
            found.update(p.name for p in root.iterdir() if p.is_dir())
    return sorted(found)


def create_profile(paths: Paths, name: str) -> Paths:
    """Make profile ``name`` (an overlay with a commented ``config.yaml`` and a data folder) and
    return its paths; ``ValueError`` names a bad or taken name (nothing is created then)."""
    check_profile_name(name)
    if name == "default":
        raise ValueError("'default' is the profile without a name; choose another name")
    if name in profile_names(paths):
        raise ValueError(f"profile {name!r} exists already")
    made = replace(paths, profile=name)
    overlay = made.profile_config_dir
    assert overlay is not None  # a named profile has an overlay
    overlay.mkdir(parents=True)
    (overlay / "config.yaml").write_text(OVERLAY_HEADER.format(name=name), encoding="utf-8")
    made.profile_data_dir.mkdir(parents=True, exist_ok=True)
    return made
