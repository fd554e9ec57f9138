"""Imports point one way: tui/cli -> core -> providers through ports; store beside.

Every import is walked, including those inside functions (the code imports lazily on purpose).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "orchestrator_tui"
SDKS = (
    "anthropic",
    "google",
    "mistralai",
    "openai",
    "httpx",
    "textual",
    "sqlite3",
    "aiosqlite",
    "redis",
)

FORBIDDEN = {
    "core": (
        "orchestrator_tui.config",
        "orchestrator_tui.store",
        "orchestrator_tui.tui",
        "orchestrator_tui.cli",
        "orchestrator_tui.services",
        "orchestrator_tui.diagnose",
        "click",
        *SDKS,
    ),
    "providers": ("orchestrator_tui.store", "orchestrator_tui.tui", "orchestrator_tui.cli"),
    "store": ("orchestrator_tui.tui", "orchestrator_tui.cli", "textual"),
    "tui": ("orchestrator_tui.providers",),
    "config": ("orchestrator_tui.store", "orchestrator_tui.tui", "orchestrator_tui.cli"),
    "broker": ("orchestrator_tui.store", "orchestrator_tui.tui", "orchestrator_tui.cli"),
}
"""Layer -> modules it must not import (a name or any module below it)."""


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(layer: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        for name in sorted(imported(path)):
            for banned in FORBIDDEN[layer]:
                if name == banned or name.startswith(banned + "."):
                    found.append(f"{relative} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_the_layer_imports_nothing_above_it(layer: str) -> None:
    assert violations(layer) == []
