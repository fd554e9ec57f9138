"""Adding step kinds and check kinds beside the built-ins, as plugins do.

A step kind is its fields (validated by the chain loader with file:line errors, like a built-in's)
and a runner (a coroutine taking the step's context and the step). A check kind is a scorer made
from the check's settings; making it once at load time is its validation. Names already taken,
built-ins first of all, are refused: a plugin never replaces what ships.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any

from orchestrator_tui.core.chains.loader import CHECK_FIELDS, CHECK_MAKERS, COMMON, FIELDS, REQUIRED
from orchestrator_tui.core.chains.steps import RUNNERS, StepRunner
from orchestrator_tui.core.review import Scorer

NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def step_kinds() -> tuple[str, ...]:
    """Every step kind a chain may use, built-ins first."""
    return tuple(FIELDS)


def register_step_kind(
    name: str, run: StepRunner, fields: tuple[str, ...], required: tuple[str, ...] = ()
) -> None:
    """Add a step kind whose fields are among those the loader reads (``model``, ``prompt``, …)."""
    known = {f for kind_fields in FIELDS.values() for f in kind_fields}
    if not NAME.match(name):
        raise ValueError(f"step kind {name!r} is not a lowercase word")
    if name in FIELDS:
        raise ValueError(f"step kind {name!r} exists already")
    if not inspect.iscoroutinefunction(run):
        raise ValueError(f"step kind {name!r} has no runner (an async function of ctx and step)")
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ValueError(f"step kind {name!r} has fields the loader cannot read: {unknown}")
    if not set(required) <= set(fields):
        raise ValueError(f"step kind {name!r} requires fields it does not have")
    FIELDS[name] = (*COMMON, *(f for f in fields if f not in COMMON))
    REQUIRED[name] = tuple(required)
    RUNNERS[name] = run


def register_check_kind(
    name: str, fields: tuple[str, ...], make: Callable[[Mapping[str, Any]], Scorer]
) -> None:
    """Add a check kind: ``make(settings)`` returns its scorer or raises ``ValueError``."""
    if not NAME.match(name):
        raise ValueError(f"check kind {name!r} is not a lowercase word")
    if name in CHECK_FIELDS:
        raise ValueError(f"check kind {name!r} exists already")
    if not callable(make):
        raise ValueError(f"check kind {name!r} has no scorer to make")
    CHECK_FIELDS[name] = tuple(fields)
    CHECK_MAKERS[name] = make
