"""Where chains and personas come from: the presets shipped with the package, then the user's own.

A user's chain in ``<config>/chains/NAME.yaml`` shadows the preset of the same name, and a user's
``<config>/personas.yaml`` adds personas or replaces them by name; so presets are a starting
point a user can copy and change without touching the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from orchestrator_tui.config import Catalog, Paths, bundled_dir
from orchestrator_tui.core.chains.loader import load_chain_file
from orchestrator_tui.core.chains.model import Chain, ChainInvalid, Issue, Persona
from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.yamlsource import Located, YamlError, load_located_file

Origin = Literal["preset", "user", "file"]


@dataclass(frozen=True, slots=True)
class ChainEntry:
    name: str
    path: Path
    origin: Origin
    description: str = ""
    shadows_preset: bool = False


class ChainLibrary:
    """Finds chains by name or path, and the personas they may use."""

    def __init__(self, paths: Paths, catalog: Catalog, presets: Path | None = None) -> None:
        self.paths = paths
        self.catalog = catalog
        self.presets = presets or bundled_dir("presets")
        self.warnings: list[str] = []
        self.personas = self._personas()

    def entries(self) -> list[ChainEntry]:
        """Every chain by name, the user's shadowing the presets, sorted by name."""
        found: dict[str, ChainEntry] = {}
        for origin, folder in (
            ("preset", self.presets / "chains"),
            ("user", self.paths.chains_dir),
        ):
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
                shadows = origin == "user" and path.stem in found
                found[path.stem] = ChainEntry(
                    path.stem,
                    path,
                    origin,
                    _description(path),
                    shadows,  # type: ignore[arg-type]
                )
        return sorted(found.values(), key=lambda e: e.name)

    def find(self, name: str) -> ChainEntry:
        """A chain by name (user first, then presets) or by the path of a YAML file."""
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
        for path, is_user in (
            (self.presets / "personas.yaml", False),
            (self.paths.config_dir / "personas.yaml", True),
        ):
            if not path.is_file():
                continue
            try:
                issues = _read_personas(load_located_file(path), personas)
            except YamlError as exc:
                issues = [Issue(str(exc).partition(": ")[0], "", str(exc).partition(": ")[2])]
            if issues and not is_user:
                raise ChainInvalid(issues)
            self.warnings += [f"{issue}; ignored" for issue in issues]
        return personas


def _read_personas(doc: Located, into: dict[str, Persona]) -> list[Issue]:
    issues: list[Issue] = []
    data = doc.data if isinstance(doc.data, dict) else {}
    if doc.data is not None and not isinstance(doc.data, dict):
        issues.append(Issue(doc.where(), "", "expected `personas:` and `roles:` mappings"))
    for section, kind in (("personas", "persona"), ("roles", "role")):
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
            into[str(name)] = Persona(str(name), system, str(description or ""), kind)  # type: ignore[arg-type]
    return issues


def _description(path: Path) -> str:
    """The chain's ``description`` for listings; a broken file lists with an empty one."""
    try:
        data = load_located_file(path).data
    except YamlError:
        return ""
    value = data.get("description") if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""
