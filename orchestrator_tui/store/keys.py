"""API keys: where to find them and where they came from. Never written to SQLite or logs."""

from __future__ import annotations

import os

from orchestrator_tui.config import Catalog


class KeyStore:
    """Key lookup for the engine (``core.ports.KeyLookup``): the environment, for now.

    The providers issue puts the OS keyring and the encrypted vault in front of the environment.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def get(self, provider: str, env_names: tuple[str, ...] = ()) -> str | None:
        found = self.lookup(provider, env_names)
        return found[0] if found else None

    def lookup(self, provider: str, env_names: tuple[str, ...] = ()) -> tuple[str, str] | None:
        """``(key, source)``, the source being a place a person can check (``env:NAME``)."""
        names = env_names or self._env_names(provider)
        for name in names:
            value = os.environ.get(name)
            if value:
                return value, f"env:{name}"
        return None

    def _env_names(self, provider: str) -> tuple[str, ...]:
        config = self.catalog.providers.get(provider)
        return config.key_env if config else ()


def mask(key: str) -> str:
    """What a person may see of a key: enough to tell two apart, never enough to use."""
    if len(key) <= 8:
        return "•" * len(key)
    return f"{key[:3]}…{key[-4:]}"
