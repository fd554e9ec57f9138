"""Every binding has an id, so a person can remap it from config.yaml's ``keymap`` section::

    keymap:
      help: f2
      send: ctrl+s

The ids are those of the bindings declared by the app's own classes (the help screen shows them).
An id that no binding has is reported, never fatal.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

PACKAGE = "orchestrator_tui.tui"


def app_classes() -> Iterator[type[DOMNode]]:
    """The app, screens and widgets defined in ``orchestrator_tui.tui``, with every module loaded."""
    package = importlib.import_module(PACKAGE)
    for module in pkgutil.walk_packages(package.__path__, f"{PACKAGE}."):
        importlib.import_module(module.name)
    return (cls for cls in _subclasses(DOMNode) if cls.__module__.startswith(PACKAGE))


def bindings_of(cls: type[DOMNode]) -> Iterator[Binding]:
    """The bindings a class declares or inherits, once each."""
    merged = cls._merged_bindings
    if merged is None:
        return
    seen: set[int] = set()
    for _key, binding in merged:
        if id(binding) not in seen:
            seen.add(id(binding))
            yield binding


def binding_ids(classes: Iterable[type[DOMNode]]) -> set[str]:
    return {b.id for cls in classes for b in bindings_of(cls) if b.id}


async def apply_keymap(
    app: App[Any], keymap: Mapping[str, Any], source: str = "config.yaml"
) -> list[str]:
    """Remap the bindings in ``keymap`` (keys as ``"f2"``, ``"f2,ctrl+h"`` or a list) and report
    the ids no binding has; returns those ids. Finding every id loads every screen's module
    (about 0.2 s), so that runs in a thread."""
    app.set_keymap(
        {
            str(binding_id): ",".join(map(str, keys)) if isinstance(keys, list) else str(keys)
            for binding_id, keys in keymap.items()
        }
    )
    if not keymap:
        return []  # nothing to check, so no need to load every screen's module
    known = await asyncio.to_thread(lambda: binding_ids(app_classes()))
    unknown = sorted(set(map(str, keymap)) - known)
    if unknown:
        app.notify(
            f"{source}: keymap: no binding has the id {', '.join(map(repr, unknown))}; "
            "F1 shows the ids of the keys on each screen",
            title="Unknown key binding",
            severity="warning",
        )
    return unknown


def _subclasses(cls: type[Any]) -> Iterator[type[Any]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
