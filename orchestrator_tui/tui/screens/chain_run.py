"""The run view: a chain running live — every step's status and scores, the answer streaming in.

The run goes through ``start_chain`` on the app's orchestrator, so the recorder stores it as a
``chain`` session like a run from ``orch-tui run``. Escape cancels a run in flight (partial text
is kept), or goes back once it has ended; picking a finished step shows its output.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, ListView, Static

from orchestrator_tui.core.chains.engine import describe, final_output, start_chain
from orchestrator_tui.core.chains.model import Chain, Persona
from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.core.events import (
    ResponseEnded,
    ResponseStarted,
    RunEvent,
    RunFinished,
    StepFinished,
    StepIteration,
    StepStarted,
    TextDelta,
)
from orchestrator_tui.tui import safe
from orchestrator_tui.tui.host import app_services, orch_app
from orchestrator_tui.tui.widgets.step_progress import StepProgress
from orchestrator_tui.tui.widgets.streaming_markdown import StreamingMarkdown

if TYPE_CHECKING:
    from orchestrator_tui.core.run import Run

log = logging.getLogger(__name__)
END_TONES = {
    "completed": "-ok",
    "failed": "-error",
    "cancelled": "-warning",
    "budget": "-warning",
}


class ChainRunScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("chain_run.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_or_back", "Cancel / back", id="chain_run.cancel"),
    ]

    def __init__(
        self,
        chain: Chain,
        inputs: Mapping[str, str],
        personas: Mapping[str, Persona],
        *,
        dry: bool = False,
    ) -> None:
        super().__init__()
        self.chain = chain
        self.inputs = dict(inputs)
        self.personas = personas
        self.dry = dry
        """A dry run: every step on mock models (free, offline)."""
        self.run: Run | None = None
        self.status: str | None = None
        self.finished: dict[str, StepFinished] = {}
        self._streamed: dict[str, tuple[str, str, list[str]]] = {}
        """Response id -> (step id, model, text so far): what a cancelled step had written."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="run-body"):
            with Vertical(id="run-steps"):
                yield ListView(
                    *(
                        StepProgress(s.id, s.kind, ", ".join(s.all_models))
                        for s in self.chain.steps
                    ),
                    id="run-step-list",
                )
            with Vertical(id="run-output"):
                yield Static("", id="run-current", markup=False)
                yield StreamingMarkdown(id="run-stream")
        yield Static("", id="run-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        what = "dry run on mock models" if self.dry else "run on the chain's models"
        self.sub_title = f"{what} · {self.chain.name}"
        self.query_one("#run-steps").border_title = "Steps"
        self.query_one("#run-output").border_title = "Output"
        self._set_status("starting…", "-muted")
        self._drive()

    def step(self, step_id: str) -> StepProgress:
        return self.query_one(f"#step-{step_id}", StepProgress)

    @work(group="chain-run", exclusive=True, exit_on_error=False)
    async def _drive(self) -> None:
        services = await app_services(self)
        try:
            self.run = start_chain(
                services.orchestrator, self.chain, self.inputs, personas=self.personas
            )
        except OrchError as exc:
            self._set_status(str(exc), "-error")
            self.status = "failed"
            return
        runs = orch_app(self).runs
        runs.add(self.run)
        self._set_status("running…  (escape cancels)", "-busy")
        try:
            await self.run.follow(self.handle)
        except Exception as exc:  # a display bug: the run was cancelled, and we say why
            log.exception("the run view failed")
            self.status = "failed"
            self._set_status(f"the run view failed: {exc}", "-error")
        finally:
            runs.discard(self.run)

    def handle(self, event: RunEvent) -> None:
        stream = self.query_one(StreamingMarkdown)
        match event:
            case StepStarted():
                self.step(event.step_id).update_status("running")
            case StepIteration():
                self.step(event.step_id).add_score(event.score)
            case StepFinished():
                self.finished[event.step_id] = event
                row = self.step(event.step_id)
                if event.kind != "refine" and event.score is not None:
                    row.add_score(event.score)
                row.update_status(
                    event.status,
                    output=event.output or self._written(event.step_id),
                    error=event.error,
                    notes=describe(event.details),
                )
            case ResponseStarted():
                if event.step_id is not None:
                    self._streamed[event.response_id] = (event.step_id, event.model, [])
                stream.reset()
                self.query_one("#run-current", Static).update(
                    safe.content(f"{event.step_id} · {event.model} ({event.role})")
                )
            case TextDelta():
                if event.response_id in self._streamed:
                    self._streamed[event.response_id][2].append(event.text)
                stream.append(event.text)
            case ResponseEnded():
                stream.finish()
            case RunFinished():
                self.status = event.status
                self._set_status(f"run {event.status}  (escape goes back)", END_TONES[event.status])
                self._show_final()

    def _written(self, step_id: str) -> str:
        """The text a step's answers had streamed (a cancelled step ends with no output)."""
        parts = [
            (model, "".join(text)) for s, model, text in self._streamed.values() if s == step_id
        ]
        parts = [(model, text) for model, text in parts if text]
        if len(parts) == 1:
            return parts[0][1]
        return "\n\n".join(f"**{model}**\n\n{text}" for model, text in parts)

    def _show_final(self) -> None:
        """At the end, the chain's answer: its ``output`` step, else the last step that ran."""
        answer = final_output(self.chain, self.finished)
        if answer is not None:
            what = "final output" if answer.status == "ok" else f"output ({answer.status})"
            text = answer.output or self._written(answer.step_id)
            self._show_output(answer.step_id, what, text)

    @on(ListView.Selected, "#run-step-list")
    def _show_step(self, event: ListView.Selected) -> None:
        row = event.item
        if isinstance(row, StepProgress) and row.status not in ("waiting", "running"):
            self._show_output(row.step_id, f"output ({row.status})", row.output)

    def _show_output(self, step_id: str, what: str, text: str) -> None:
        self.query_one("#run-current", Static).update(safe.content(f"{step_id} · {what}"))
        stream = self.query_one(StreamingMarkdown)
        stream.reset()
        stream.set_text(text or "(no output)")
        stream.scroll_home(animate=False)

    def action_cancel_or_back(self) -> None:
        if self.run is not None and not self.run.done:
            self.run.cancel()
            self._set_status("cancelling…", "-warning")
        else:
            self.app.pop_screen()

    def _set_status(self, text: str, tone: str) -> None:
        """The bottom line; ``tone`` is a class the stylesheet colours (``-ok``, ``-error``...)."""
        status = self.query_one("#run-status", Static)
        status.update(safe.content(text))
        status.set_classes(tone)
