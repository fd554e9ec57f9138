"""F1: what the focused pane and its screen are for, and every key that works there.

Built from the screen underneath when F1 is pressed (the modal takes focus once shown), out of the
same action list as the command palette. Each key's binding id is shown, so it can be remapped.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

from orchestrator_tui.tui.actions import AvailableAction, available_actions, focus_chain


@dataclass(frozen=True, slots=True)
class HelpSection:
    title: str
    description: str
    actions: tuple[AvailableAction, ...]


class HelpScreen(ModalScreen[None]):
    """Help for the focused pane and its screen."""

    CSS_PATH = "help.tcss"
    ACTION_HELP: ClassVar[dict[str, str]] = {"close": "Close the help"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1", "close", "Close help", id="help.close"),
    ]

    def __init__(self, title: str, sections: list[HelpSection]) -> None:
        super().__init__()
        self.help_title = title
        self.sections = sections

    @classmethod
    def for_screen(cls, screen: Screen[object]) -> HelpScreen:
        """Help for ``screen`` as it is now: its focused pane first, then the screen, then the app."""
        actions = available_actions(screen)
        sections = []
        for node in focus_chain(screen):
            mine = tuple(a for a in actions if a.node is node and a.notable)
            description = _description(node)
            if mine or description:
                sections.append(HelpSection(_title(node), description, mine))
        return cls(f"Help · {_title(screen)}", sections)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = self.help_title
            body.border_subtitle = "esc to close · ctrl+p for every command"
            for section in self.sections:
                yield Static(Content(section.title), classes="help-title")
                if section.description:
                    yield Static(Content(section.description), classes="help-description")
                if section.actions:
                    yield Static(_table(section.actions), classes="help-keys")

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss()


def _table(actions: tuple[AvailableAction, ...]) -> Content:
    keys = [", ".join(a.keys) or "palette" for a in actions]
    key_width = max(map(len, keys))
    title_width = max(len(a.title) for a in actions)
    lines = []
    for key, action in zip(keys, actions, strict=True):
        style = "bold $accent" if action.keys else "italic $text-muted"
        lines.append(
            Content.assemble(
                (key.ljust(key_width + 2), style),
                (action.title.ljust(title_width + 2), "" if action.enabled else "$text-disabled"),
                (action.binding_id or "", "$text-muted"),
            )
        )
    return Content("\n").join(lines)


def _title(node: DOMNode) -> str:
    if isinstance(node, Screen):
        return node.TITLE or _humanize(type(node).__name__)
    if not isinstance(node, Widget):
        return "Everywhere"
    return str(node.border_title or _humanize(type(node).__name__))


def _description(node: DOMNode) -> str:
    """The node's ``HELP`` text, written for users (docstrings are for programmers: never shown)."""
    paragraphs = inspect.cleandoc(node.HELP or "").split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _humanize(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Screen")).capitalize()
