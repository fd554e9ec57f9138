"""Where chains and personas come from: folders in order, the presets shipped with the package first.

Each folder holds ``chains/NAME.yaml`` and ``personas.yaml``. A later folder's chain (the user's
config dir, then a project's ``.orch-tui``) shadows an earlier one of the same name, and its ``personas.yaml`` adds personas or
replaces them by name; so presets are a starting point a user can copy and change without touching
the package. Only the first folder (the presets) must be valid; the others' problems are warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from orchestrator_tui.core.catalog import Catalog
from orchestrator_tui.core.chains.loader import load_chain_file
from orchestrator_tui.core.chains.model import Chain, ChainInvalid, Issue, Persona
from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.yamlsource import Located, YamlError, load_located_file

Origin = Literal["preset", "user", "project", "file"]


@dataclass(frozen=True, slots=True)
class ChainEntry:
    name: str
    path: Path
    origin: Origin
    description: str = ""
    shadows: Origin | None = None
    """The origin of the chain of the same name this one hides, if any."""


class ChainLibrary:
    """Finds chains by name or path, and the personas they may use."""

    def __init__(self, catalog: Catalog, folders: Sequence[tuple[Origin, Path]]) -> None:
        self.catalog = catalog
        self.folders = list(folders)
        self.warnings: list[str] = []
        self.personas = self._personas()

    @property
    def writable_dir(self) -> Path:
        """Where a chain saved from the editor goes: the user's ``chains/`` (else the last folder's).

        Never the project's: a project folder is the repository's, not the user's to write into.
        """
        users = [root for origin, root in self.folders if origin == "user"]
        return (users or [self.folders[-1][1]])[-1] / "chains"

    def entries(self) -> list[ChainEntry]:
        """Every chain by name, a project's shadowing the user's shadowing the presets, by name."""
        found: dict[str, ChainEntry] = {}
        for origin, root in self.folders:
            folder = root / "chains"
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
                hidden = found.get(path.stem)
                shadows = hidden.origin if hidden is not None else None
                found[path.stem] = ChainEntry(path.stem, path, origin, _description(path), shadows)
        return sorted(found.values(), key=lambda e: e.name)

    def find(self, name: str) -> ChainEntry:
        """A chain by name (project, then user, then presets) or by the path of a YAML file."""
        for entry in self.entries():
            if entry.name == name:
                return entry
        path = Path(name).expanduser()
        if path.suffix in (".yaml", ".yml") or path.is_file():
            if not path.is_file():
                raise ConfigError(f"no chain file {path}")
            return ChainEntry(path.stem, path, "file", _description(path))
        known = ", ".join(e.name for e in self.entries())
        raise ConfigError(f"no chain named {name!r} (known: {known}; or give a .yaml path)")

    def load(self, name: str, **options: Any) -> Chain:
        """Load and validate; raises ``ChainInvalid`` (every problem) or ``ConfigError``."""
        entry = self.find(name)
        options.setdefault("catalog", self.catalog)
        return load_chain_file(entry.path, personas=self.personas, **options)

    def _personas(self) -> dict[str, Persona]:
        personas: dict[str, Persona] = {}
        for index, (_, root) in enumerate(self.folders):
            path = root / "personas.yaml"
            if not path.is_file():
                continue
            try:
                issues = _read_personas(load_located_file(path), personas)
            except YamlError as exc:
                issues = [Issue(str(exc).partition(": ")[0], "", str(exc).partition(": ")[2])]
            if issues and index == 0:
                raise ChainInvalid(issues)
            self.warnings += [f"{issue}; ignored" for issue in issues]
        return personas


def _read_personas(doc: Located, into: dict[str, Persona]) -> list[Issue]:
    issues: list[Issue] = []
    data = doc.data if isinstance(doc.data, dict) else {}
    if doc.data is not None and not isinstance(doc.data, dict):
        issues.append(Issue(doc.where(), "", "expected `personas:` and `roles:` mappings"))
    sections: tuple[tuple[str, Literal["persona", "role"]], ...] = (
        ("personas", "persona"),
        ("roles", "role"),
    )
    for section, kind in sections:
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            issues.append(Issue(doc.where(section), section, "must be a mapping of names"))
            continue
        for name, entry in entries.items():
            system = entry.get("system") if isinstance(entry, dict) else entry
            if not isinstance(system, str) or not system.strip():
                issues.append(
                    Issue(doc.where(section, name), f"{section}.{name}", "needs a `system` text")
                )
                continue
            description = entry.get("description", "") if isinstance(entry, dict) else ""
            into[str(name)] = Persona(str(name), system, str(description or ""), kind)
    return issues


def _description(path: Path) -> str:
    """The chain's ``description`` for listings; a broken file lists with an empty one."""
    try:
        data = load_located_file(path).data
    except YamlError:
        return ""
    value = data.get("description") if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""
