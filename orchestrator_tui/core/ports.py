"""What the engine needs from the outside, as small protocols.

``store`` implements them; ``cli`` and the TUI wire them in. So ``core`` never imports ``store``.
"""

from __future__ import annotations

from typing import Protocol


class KeyLookup(Protocol):
    def get(self, provider: str, env_names: tuple[str, ...] = ()) -> str | None:
        """The API key for ``provider``, or ``None`` when there is none anywhere."""
        ...


class EnvKeys:
    """Keys from environment variables only: the fallback when no key store is wired in."""

    def get(self, provider: str, env_names: tuple[str, ...] = ()) -> str | None:
        import os

        return next((os.environ[n] for n in env_names if os.environ.get(n)), None)
