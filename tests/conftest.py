"""Shared fixtures: every test runs with its own ORCH_TUI_HOME, so nothing touches the user's files."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import keyring
import pytest

from orchestrator_tui.config import Config, Paths, load_config
from orchestrator_tui.services import Services, open_services
from orchestrator_tui.store.keyring_memory import MemoryKeyring


@pytest.fixture(autouse=True)
def orch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``ORCH_TUI_HOME`` and system folder for each test, the default profile, and no
    provider keys from the environment."""
    home = tmp_path / "orch-home"
    monkeypatch.setenv("ORCH_TUI_HOME", str(home))
    monkeypatch.setenv("ORCH_TUI_SYSTEM_DIR", str(tmp_path / "etc-orch-tui"))
    monkeypatch.setenv("ORCH_TUI_PROFILE", "")  # empty: the default profile, restored after
    for name in (
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "MISTRAL_API_KEY",
        "OPENAI_API_KEY",
        "DEEPSEEK_API_KEY",
        "OPENROUTER_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory keyring: no test reads or writes the real OS keyring."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def paths(orch_home: Path) -> Paths:
    paths = Paths.default()
    paths.ensure()
    return paths


@pytest.fixture
def write_models(paths: Paths):  # type: ignore[no-untyped-def]
    """Write the user's models.yaml (merged over the package defaults)."""

    def write(text: str) -> Path:
        paths.models_file.write_text(text, encoding="utf-8")
        return paths.models_file

    return write


@pytest.fixture
def config(paths: Paths) -> Config:
    return load_config(paths)


@pytest.fixture
async def services(paths: Paths) -> AsyncIterator[Services]:
    services = await open_services(paths)
    try:
        yield services
    finally:
        await services.aclose()
