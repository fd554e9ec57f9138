"""Driving the real app on mock models: open it, type, wait for panes to settle."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import textual._wait
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot

from orchestrator_tui.config import Paths
from orchestrator_tui.services import Services, open_services
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.workspace import WorkspaceScreen
from orchestrator_tui.tui.widgets.model_picker import ModelPicker
from orchestrator_tui.tui.widgets.prompt_box import PromptBox
from orchestrator_tui.tui.widgets.response_pane import ResponsePane

# Pilot waits for the app to go idle after every key and pause: it sleeps in windows and stops at
# the first window in which the process barely used the CPU. Textual's 20 ms window is most of
# a Pilot test's time; a 5 ms window (same 1/20 threshold) finds the same idle moment sooner.
textual._wait.SLEEP_GRANULARITY = 0.005
textual._wait.SLEEP_IDLE = textual._wait.SLEEP_GRANULARITY / 20

SLOW_MODELS = """
models:
  mock:lorem:
    options: {tokens_per_second: 100, tokens: 200}
"""


class Workspace:
    """The running app, its workspace screen and its services, with a few verbs tests share."""

    def __init__(self, app: OrchApp, pilot: Pilot[None], services: Services) -> None:
        self.app, self.pilot, self.services = app, pilot, services
        self.notes: list[str] = []
        """Every notification the app showed, in order."""
        show = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            self.notes.append(message)
            show(message, **kwargs)

        app.notify = notify  # type: ignore[method-assign]

    @property
    def screen(self) -> WorkspaceScreen:
        screen = self.app.screen
        assert isinstance(screen, WorkspaceScreen)
        return screen

    def pane(self, key: str) -> ResponsePane:
        pane = self.screen.grid.pane(key)
        assert pane is not None, f"no pane {key}"
        return pane

    async def send(self, text: str) -> None:
        prompt = self.screen.query_one(PromptBox)
        prompt.focus()
        prompt.text = text
        await self.pilot.press("enter")
        await self.pilot.pause()

    async def until(self, condition: Callable[[], Any], what: str, rounds: int = 400) -> None:
        """Let the app run until ``condition()`` holds (counted in frames, never in seconds)."""
        for _ in range(rounds):
            if condition():
                return
            await self.pilot.pause(0.02)
        raise AssertionError(f"never happened: {what}")

    async def settled(self) -> None:
        await self.until(lambda: not self.screen.running, "every run ended")
        panes = self.screen.grid.panes()
        await self.until(
            lambda: all(p.body.drawn for p in panes if p.ended), "every answer fully drawn"
        )
        await self.pilot.pause()


@pytest.fixture
def open_workspace(paths: Paths, write_models: Callable[[str], Any]):  # type: ignore[no-untyped-def]
    """``async with open_workspace(models_yaml) as ws``: the app on a fresh home, services open."""

    @asynccontextmanager
    async def opened(
        models_yaml: str | None = None, size: tuple[int, int] = (120, 40)
    ) -> AsyncIterator[Workspace]:
        if models_yaml:
            write_models(models_yaml)
        services = await open_services(paths)
        app = OrchApp(services=services, warm_sdks=False)
        try:
            async with app.run_test(size=size) as pilot:
                workspace = Workspace(app, pilot, services)
                picker = workspace.screen.query_one(ModelPicker)
                await workspace.until(lambda: picker.status, "key status known")
                await pilot.pause()
                yield workspace
        finally:
            await services.aclose()

    return opened


def _screen_text(app: App[Any]) -> str:
    """Every character on the screen now, as plain text (what a person would see)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


@pytest.fixture
def screen_text() -> Callable[[App[Any]], str]:
    return _screen_text
