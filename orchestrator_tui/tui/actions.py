"""What a person can do right now: the actions of the focused widget, its screen and the app.

The command palette and the help screen both read this, so neither keeps a second list of actions:
a bound action is found through the screen's active bindings (the keymap already applied, disabled
ones marked), and an unbound one by its entry in ``ACTION_HELP``.

What a person reads about an action is its binding's ``tooltip`` or the ``ACTION_HELP`` entry of
its class (``{"action": "words for users"}``): never a docstring, which is written for programmers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from textual.dom import DOMNode
from textual.screen import Screen

PACKAGE = "orchestrator_tui"
HIDDEN = frozenset({"command_palette"})
"""Actions that make no sense as a palette entry or a help line of their own."""


@dataclass(frozen=True, slots=True)
class AvailableAction:
    node: DOMNode
    """Where the action runs (``app.run_action(action, node)``)."""
    action: str
    title: str
    help: str
    keys: tuple[str, ...] = ()
    """Keys as the footer shows them; empty for an action with no binding."""
    binding_id: str | None = None
    enabled: bool = True
    shown: bool = False
    """The binding is shown in the footer."""

    @property
    def notable(self) -> bool:
        """Worth listing: a key with an id (all of ours), a key the footer shows, or one of our
        unbound actions; not every cursor and editing key a Textual widget brings along."""
        return bool(self.binding_id or self.shown or not self.keys)


def focus_chain(screen: Screen[object]) -> list[DOMNode]:
    """The focused widget and its ancestors up to the app; the screen and app when nothing is focused."""
    focused = screen.focused
    return list(focused.ancestors_with_self) if focused is not None else [screen, screen.app]


def available_actions(screen: Screen[object]) -> list[AvailableAction]:
    """Bound actions first, innermost node first, then the unbound actions of each node."""
    app = screen.app
    bound: dict[tuple[int, str], AvailableAction] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or _name(binding.action) in HIDDEN:
            continue
        slot = (id(active.node), binding.action)
        key = app.get_key_display(binding)
        if slot in bound:
            previous = bound[slot]
            bound[slot] = _with_key(previous, key)
            continue
        bound[slot] = AvailableAction(
            node=active.node,
            action=binding.action,
            title=binding.description or _humanize(_name(binding.action)),
            help=binding.tooltip or user_help(active.node, _name(binding.action)),
            keys=(key,),
            binding_id=binding.id,
            enabled=active.enabled,
            shown=binding.show,
        )
    chain = focus_chain(screen)
    ordered = sorted(bound.values(), key=lambda a: _index(chain, a.node))
    names = {(id(a.node), _name(a.action)) for a in ordered}
    unbound = [
        action
        for node in chain
        for action in _unbound_actions(node)
        if (id(node), action.action) not in names
    ]
    return ordered + unbound


def user_help(node: DOMNode, name: str) -> str:
    """What ``ACTION_HELP`` of ``node``'s classes says of action ``name`` (empty if nothing)."""
    for cls in type(node).__mro__:
        text = vars(cls).get("ACTION_HELP", {}).get(name)
        if text:
            return str(text)
    return ""


def _unbound_actions(node: DOMNode) -> Iterator[AvailableAction]:
    """The actions of our own classes listed in their ``ACTION_HELP`` that need no argument."""
    seen: set[str] = set()
    for cls in type(node).__mro__:
        if not cls.__module__.startswith(PACKAGE):
            continue
        for name, text in vars(cls).get("ACTION_HELP", {}).items():
            method = getattr(node, f"action_{name}", None)
            if name in seen or name in HIDDEN or method is None:
                continue
            seen.add(name)
            if _needs_arguments(method):
                continue
            state = node.check_action(name, ())
            if state is False:
                continue
            yield AvailableAction(
                node=node,
                action=name,
                title=_humanize(name),
                help=text,
                enabled=bool(state),
            )


def _with_key(action: AvailableAction, key: str) -> AvailableAction:
    return action if key in action.keys else replace(action, keys=(*action.keys, key))


def _name(action: str) -> str:
    """``send`` for ``send``, ``app.send`` or ``send('x')``."""
    return action.partition("(")[0].rpartition(".")[2]


def _humanize(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def _needs_arguments(method: Callable[..., object]) -> bool:
    try:
        parameters = list(inspect.signature(method).parameters.values())[1:]
    except (TypeError, ValueError):
        return True
    return any(p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters)


def _index(chain: list[DOMNode], node: DOMNode) -> int:
    return chain.index(node) if node in chain else len(chain)
