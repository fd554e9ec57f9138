"""``config.yaml``: the app-wide switches, read layer by layer with every problem named.

Each layer (the system's, the user's, a profile's, a project's file, then the environment and the
command line) sets some keys; a later layer wins key by key, and each value remembers where it
came from for ``orch-tui config show --sources``. A bad value is named and the earlier one kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from orchestrator_tui.core.budget import BudgetLimits
from orchestrator_tui.core.catalog import Catalog
from orchestrator_tui.core.context_window import STRATEGIES, ContextPolicy
from orchestrator_tui.core.errors import ConfigError

BUDGET_SCOPES = ("per_run", "per_session", "per_day")
ENV_PREFIX = "ORCH_TUI_"
DEFAULT_SOURCE = "default"


@dataclass(frozen=True, slots=True)
class Settings:
    """``config.yaml``: app-wide switches."""

    theme: str = "orch-dark"
    cache: bool = False
    default_models: tuple[str, ...] = ()
    keymap: dict[str, str] = field(default_factory=dict)
    reviewer: str = "mock:judge"
    judge: str = "mock:judge"
    mode: str = ""
    """The mode in force when none is chosen (``research``...); empty for none."""
    context: dict[str, Any] = field(default_factory=dict)
    """``{strategy: summarize | truncate, keep_last: N, summarizer: MODEL}``: see ``read_context``."""
    budget: dict[str, Any] = field(default_factory=dict)
    """Dollars per run, per session and per day (``{per_day: 2.5}``): see ``read_budget``."""
    blind: bool = False
    """Start the workspace in blind mode (answers labelled A, B, C until you vote)."""


SettingsLayer = tuple[Mapping[str, Any], Callable[[str], str]]
"""A layer's values and, for a key, where it was set (``file:line``, ``env NAME``...)."""


def read_settings(
    layers: Iterable[SettingsLayer], warnings: list[str]
) -> tuple[Settings, dict[str, str]]:
    """The settings of every layer merged in order, and the source of each value set.

    ``keymap`` merges binding by binding; every other key is replaced whole.
    """
    defaults = Settings()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for data, where in layers:
        for key, value in data.items():
            if key not in Settings.__dataclass_fields__:
                warnings.append(f"{where(key)}: unknown setting {key!r}; ignored")
                continue
            expected = type(getattr(defaults, key))
            if expected is tuple and isinstance(value, list):
                value = tuple(str(v) for v in value)
            if not isinstance(value, expected):
                warnings.append(
                    f"{where(key)}: setting {key!r} must be {expected.__name__}; "
                    f"keeping {getattr(Settings(**values), key)!r}"
                )
                continue
            if expected is dict:
                value = {**values.get(key, {}), **value}
            values[key] = value
            sources[key] = where(key)
    return Settings(**values), sources


def read_context(
    values: Mapping[str, Any], where: str, catalog: Catalog, warnings: list[str]
) -> ContextPolicy:
    """The ``context:`` setting as the engine's policy; a bad field is named and its default kept."""
    policy = ContextPolicy()
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if (key == "strategy" and value in STRATEGIES) or (
            key == "keep_last"
            and isinstance(value, int)
            and not isinstance(value, bool)
            and value >= 0
        ):
            changes[key] = value
        elif key == "summarizer" and isinstance(value, str):
            try:
                changes[key] = catalog.resolve(value).name
            except ConfigError as exc:
                warnings.append(
                    f"{where}: context.summarizer: {exc}; the conversation's own model summarizes"
                )
        elif key in ("strategy", "keep_last"):
            expected = " or ".join(STRATEGIES) if key == "strategy" else "a whole number from 0"
            warnings.append(
                f"{where}: context.{key} must be {expected}, not {value!r}; using {getattr(policy, key)!r}"
            )
        else:
            warnings.append(
                f"{where}: context.{key}: unknown (known: strategy, keep_last, summarizer); ignored"
            )
    return replace(policy, **changes)


def read_budget(values: Mapping[str, Any], where: str, warnings: list[str]) -> BudgetLimits:
    """The ``budget:`` setting as the engine's limits; a bad entry is named and ignored."""
    limits: dict[str, float] = {}
    for scope, amount in values.items():
        if scope not in BUDGET_SCOPES:
            warnings.append(
                f"{where}: unknown budget {scope!r} (one of {', '.join(BUDGET_SCOPES)}); ignored"
            )
        elif isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
            warnings.append(
                f"{where}: budget {scope} must be dollars (a number >= 0), not {amount!r}; ignored"
            )
        else:
            limits[scope] = float(amount)
    return BudgetLimits(**limits)


def env_name(key: str) -> str:
    return f"{ENV_PREFIX}{key.upper()}"


def environment_settings(environ: Mapping[str, str], warnings: list[str]) -> dict[str, Any]:
    """Settings given as ``ORCH_TUI_<KEY>`` variables: ``1/true/yes/on`` for switches, lists
    separated by commas; the keymap has no variable (it is a mapping)."""
    found: dict[str, Any] = {}
    for key, default in _defaults():
        raw = environ.get(env_name(key))
        if raw is None or isinstance(default, dict):
            continue
        if isinstance(default, bool):
            text = raw.strip().lower()
            if text not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
                warnings.append(
                    f"env {env_name(key)}: expected true or false, not {raw!r}; ignored"
                )
                continue
            found[key] = text in ("1", "true", "yes", "on")
        elif isinstance(default, tuple):
            found[key] = tuple(part.strip() for part in raw.split(",") if part.strip())
        else:
            found[key] = raw
    return found


def _defaults() -> list[tuple[str, Any]]:
    defaults = Settings()
    return [(name, getattr(defaults, name)) for name in Settings.__dataclass_fields__]
