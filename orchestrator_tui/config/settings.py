"""``config.yaml``: the app-wide switches, read with every problem named and the default kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orchestrator_tui.core.budget import BudgetLimits
from orchestrator_tui.core.yamlsource import Located

BUDGET_SCOPES = ("per_run", "per_session", "per_day")


@dataclass(frozen=True, slots=True)
class Settings:
    """``config.yaml``: app-wide switches."""

    theme: str = "orch-dark"
    cache: bool = False
    default_models: tuple[str, ...] = ()
    keymap: dict[str, str] = field(default_factory=dict)
    reviewer: str = "mock:judge"
    judge: str = "mock:judge"
    budget: BudgetLimits = field(default_factory=BudgetLimits)
    """Dollars per run, per session and per day (``budget: {per_day: 2.5}``); none by default."""
    blind: bool = False
    """Start the workspace in blind mode (answers labelled A, B, C until you vote)."""


def read_settings(doc: Located | None, warnings: list[str]) -> Settings:
    if doc is None:
        return Settings()
    data = doc.data
    known = set(Settings.__dataclass_fields__)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            warnings.append(f"{doc.where(key)}: unknown setting {key!r}; ignored")
            continue
        if key == "budget":
            values[key] = read_budget(doc, value, warnings)
            continue
        expected = type(getattr(Settings(), key))
        if expected is tuple and isinstance(value, list):
            value = tuple(str(v) for v in value)
        if not isinstance(value, expected):
            warnings.append(
                f"{doc.where(key)}: setting {key!r} must be {expected.__name__}; using the default"
            )
            continue
        values[key] = value
    return Settings(**values)


def read_budget(doc: Located, value: Any, warnings: list[str]) -> BudgetLimits:
    """``budget: {per_run: 0.5, per_session: 2, per_day: 10}`` (dollars; any may be left out)."""
    if not isinstance(value, dict):
        warnings.append(
            f"{doc.where('budget')}: budget must be a mapping of {', '.join(BUDGET_SCOPES)}"
            " to dollars; no budget"
        )
        return BudgetLimits()
    limits: dict[str, float] = {}
    for scope, amount in value.items():
        if scope not in BUDGET_SCOPES:
            warnings.append(
                f"{doc.where('budget', scope)}: unknown budget {scope!r}"
                f" (one of {', '.join(BUDGET_SCOPES)}); ignored"
            )
        elif isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
            warnings.append(
                f"{doc.where('budget', scope)}: budget {scope} must be dollars (a number >= 0);"
                " ignored"
            )
        else:
            limits[scope] = float(amount)
    return BudgetLimits(**limits)
