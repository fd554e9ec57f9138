"""The home screen: pick models, send one prompt to all of them, watch the answers side by side."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header


class WorkspaceScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("workspace.tcss")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()
