"""Modes: named bundles of a system prompt, parameters, default models and a default chain.

A mode is one YAML file in a ``modes/`` folder: the presets shipped with the package, then the
user's config dir, then a project's ``.orch-tui``; a later folder's mode shadows an earlier one of
the same name. Every problem in a file is named with its file and line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator_tui.core.chains.model import ChainInvalid, Issue
from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.types import GenerationParams
from orchestrator_tui.core.yamlsource import Located, YamlError, load_located_file

FIELDS = ("name", "description", "system", "temperature", "max_tokens", "models", "chain")


@dataclass(frozen=True, slots=True)
class Mode:
    name: str
    description: str = ""
    system: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    models: tuple[str, ...] = ()
    """Models used when none are chosen; empty keeps the usual default models."""
    chain: str | None = None
    """The chain ``orch-tui run`` runs when none is named."""
    origin: str = "preset"
    path: Path | None = None

    @property
    def params(self) -> GenerationParams:
        """The mode's parameters, under whatever the user sets for one request."""
        return GenerationParams(self.temperature, self.max_tokens, self.system)


class ModeInvalid(ChainInvalid):
    """A mode file with problems; each names its file, line and field."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues, "mode")


def read_mode(doc: Located, name: str, origin: str = "preset") -> Mode:
    """A mode from its YAML document; raises ``ModeInvalid`` with every problem found."""
    data = doc.data
    if not isinstance(data, dict):
        raise ModeInvalid([Issue(doc.where(), "", "expected a mapping of mode fields")])
    issues: list[Issue] = []
    values: dict[str, Any] = {}

    def problem(key: str, message: str) -> None:
        issues.append(Issue(doc.where(key), key, message))

    for key, value in data.items():
        if key not in FIELDS:
            problem(str(key), f"unknown field (known: {', '.join(FIELDS)})")
        elif key in ("name", "description", "system", "chain"):
            if isinstance(value, str) and (value.strip() or key in ("description", "system")):
                values[key] = value
            else:
                problem(key, "must be a non-empty text")
        elif key == "temperature":
            if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 2:
                values[key] = float(value)
            else:
                problem(key, f"must be a number from 0 to 2, not {value!r}")
        elif key == "max_tokens":
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                values[key] = value
            else:
                problem(key, f"must be a whole number above 0, not {value!r}")
        elif key == "models":
            if isinstance(value, list) and all(isinstance(m, str) and m.strip() for m in value):
                values[key] = tuple(m.strip() for m in value)
            else:
                problem(key, "must be a list of model names")
    if values.get("name", name) != name:
        problem("name", f"must match the file name {name!r} (or be left out)")
    if issues:
        raise ModeInvalid(issues)
    values["name"] = name
    return Mode(**values, origin=origin, path=Path(doc.source))


class ModeLibrary:
    """The modes of every folder; a broken preset is an error, a broken user file a warning."""

    def __init__(self, folders: Sequence[tuple[str, Path]]) -> None:
        self.modes: dict[str, Mode] = {}
        self.warnings: list[str] = []
        for index, (origin, root) in enumerate(folders):
            folder = root / "modes"
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
                try:
                    self.modes[path.stem] = read_mode(load_located_file(path), path.stem, origin)
                except (YamlError, ModeInvalid) as exc:
                    if index == 0:
                        raise ConfigError(str(exc)) from None
                    self.warnings.append(f"{exc}; ignored")

    def get(self, name: str) -> Mode:
        try:
            return self.modes[name]
        except KeyError:
            known = ", ".join(sorted(self.modes))
            raise ConfigError(f"no mode named {name!r} (known: {known})") from None
