"""The workspace's session with no screen attached: what is sent, to whom, and what came back.

It holds the selected models and their own parameters, the conversation, the prompts waiting
for their turn, the attached files and the answers shown now, and it decides what a prompt,
a retry, a review, a synthesis or a best mark does. A front end calls it, starts showing each
``Started`` run it returns, feeds it that run's events (``handle``) and reports the run's end
(``finished``), which may start the next queued prompt. It never draws anything.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from orchestrator_tui.core.attachments import Attachment, with_attachments
from orchestrator_tui.core.conversation import Conversation
from orchestrator_tui.core.errors import OrchError

if TYPE_CHECKING:
    from orchestrator_tui.core.events import ResponseEnded, ReviewReady, RunEvent
    from orchestrator_tui.core.modes import Mode
    from orchestrator_tui.core.orchestrator import Orchestrator
    from orchestrator_tui.core.run import Run
    from orchestrator_tui.core.types import GenerationParams, Message

SYNTHESIS = "synthesis"
"""The key of the synthesis among the answers (every other answer is keyed by its model)."""


def _no_params() -> GenerationParams:
    from orchestrator_tui.core.types import GenerationParams  # not with the TUI's first frame

    return GenerationParams()


class Refused(OrchError):
    """What was asked cannot happen now; the message tells the person why and what to do."""


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """One model's own settings, as the parameters dialog edits them.

    ``params`` is what the model receives (its ``system`` is the persona's prompt, then
    ``own_system``); the persona is kept by name so the dialog shows it again.
    """

    params: GenerationParams = field(default_factory=_no_params)
    persona: str | None = None
    own_system: str | None = None


@dataclass(slots=True)
class Answer:
    """One answer shown now: ``key`` is its model, or ``SYNTHESIS``."""

    key: str
    model: str
    response_id: str
    ended: ResponseEnded | None = None
    review: ReviewReady | None = None
    best: bool = False

    @property
    def usable(self) -> bool:
        """Finished well, with text: something to review, merge or mark."""
        return self.ended is not None and self.ended.status == "ok" and bool(self.ended.text)


RunKind = Literal["prompt", "retry", "review", "synthesis"]


@dataclass(frozen=True, slots=True)
class Started:
    """A run the session started, with what a front end needs to show it.

    ``keys`` are the answers it fills (models, or ``SYNTHESIS``); ``text`` is the prompt as the
    person typed it (shown above the answers); ``model`` is who reviews or merges.
    """

    run: Run
    kind: RunKind
    keys: tuple[str, ...]
    text: str | None = None
    model: str | None = None
    follow_up: bool = False
    """A prompt that continues the conversation (the answers before it stay in view)."""


class WorkspaceSession:
    """Not ready until ``open`` gives it the engine; prompts submitted before then wait."""

    def __init__(self) -> None:
        self.orchestrator: Orchestrator | None = None
        self.reviewer = ""
        self.conversation = Conversation()
        self.models: list[str] = []
        self.settings: dict[str, ModelSettings] = {}
        self.system: str | None = None
        self.mode: Mode | None = None
        """The mode in force: its system prompt and parameters under the person's own."""
        self.attachments: list[Attachment] = []
        self.queue: list[str] = []
        """Prompts typed while the session was not free, oldest first; each goes out in turn."""
        self.prompt: Message | None = None
        """The last prompt sent, as the models received it, its images too (for retry, review and
        synthesis)."""
        self.synthesizer: str | None = None
        """Who merges this session's answers, once the person has chosen."""
        self.answers: dict[str, Answer] = {}
        self.runs: list[Run] = []
        self._wanted: list[str] = []
        """The models asked for at start-up (``select_wanted``), some perhaps not listed yet."""
        self._as_wanted: list[str] = []
        """The selection ``select_wanted`` made: another one means the person chose."""

    # -- state ----------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.orchestrator is not None

    @property
    def running(self) -> bool:
        return any(not run.done for run in self.runs)

    @property
    def busy(self) -> bool:
        """A prompt submitted now would wait: not ready yet, a run in flight, or others queued."""
        return not self.ready or self.running or bool(self.queue)

    @property
    def params(self) -> dict[str, GenerationParams]:
        """Each model's own parameters, for ``Orchestrator.fan_out(model_params=...)``."""
        return {name: settings.params for name, settings in self.settings.items()}

    def open(self, orchestrator: Orchestrator, *, reviewer: str) -> Started | None:
        """The engine is here: the first waiting prompt (if any) goes out now."""
        self.orchestrator, self.reviewer = orchestrator, reviewer
        return self.resume()

    def select(self, models: Iterable[str]) -> None:
        self.models = list(dict.fromkeys(models))

    def select_wanted(self, wanted: Iterable[str], listed: Container[str]) -> None:
        """Select the ``wanted`` models (default or remembered ones) that are ``listed`` now; the
        others may be found on a local server after the first paint and join then
        (``listed_more``)."""
        self._wanted = list(dict.fromkeys(wanted))
        self.select(name for name in self._wanted if name in listed)
        self._as_wanted = list(self.models)

    def listed_more(self, listed: Container[str]) -> bool:
        """More models are listed now (discovered): the wanted ones among them join the
        selection, in the wanted order, unless the selection changed since ``select_wanted``
        (the person's choice stands). Whether the selection changed."""
        chosen = [name for name in self._wanted if name in listed]
        if self.models != self._as_wanted or chosen == self.models:
            return False
        self.select(chosen)
        self._as_wanted = list(self.models)
        return True

    def reselect(self, models: Iterable[str]) -> None:
        """A changed selection: the models still chosen keep their places (their panes do not
        move between runs), newly chosen ones come after them."""
        chosen = list(dict.fromkeys(models))
        self.models = [m for m in self.models if m in chosen] + [
            m for m in chosen if m not in self.models
        ]

    def set_settings(self, model: str, settings: ModelSettings) -> None:
        if settings == ModelSettings():
            self.settings.pop(model, None)
        else:
            self.settings[model] = settings

    def attach(self, attachment: Attachment) -> None:
        self.attachments.append(attachment)

    def detach(self) -> int:
        """Drop what was attached for the next prompt (a wrong file is not sent); how many."""
        dropped, self.attachments = len(self.attachments), []
        return dropped

    def use_mode(self, mode: Mode | None) -> None:
        """From the next prompt on, ``mode``'s prompt and parameters apply, and the session
        stores its name (``None``: no mode)."""
        self.mode = mode
        self.conversation.mode = mode.name if mode else None

    def base_params(self) -> GenerationParams:
        """What every model gets before its own settings: the mode's, then ``/system``."""
        from orchestrator_tui.core.types import GenerationParams

        own = GenerationParams(system=self.system)
        return self.mode.params.merged(own) if self.mode else own

    def usable_answers(self) -> list[Answer]:
        return [a for a in self.answers.values() if a.key != SYNTHESIS and a.usable]

    # -- prompts --------------------------------------------------------------------------------

    def submit(self, text: str) -> Started | None:
        """Send ``text`` now, or queue it behind what is in flight (``None``: it waits)."""
        if not text.strip():
            raise Refused("The prompt is empty")
        if self.busy:
            self.queue.append(text)
            return None
        return self._send(text)

    def take_back(self) -> str | None:
        """The newest waiting prompt, taken out of the queue (to edit it, or drop it)."""
        return self.queue.pop() if self.queue else None

    def finished(self, run: Run) -> Started | None:
        """``run`` has ended (its events all handled): the next waiting prompt goes out."""
        if run in self.runs:
            self.runs.remove(run)
        return self.resume()

    def resume(self) -> Started | None:
        """Send the oldest waiting prompt if the session is free. When it cannot go out (no
        model selected), it stays first in the queue and ``Refused`` says why."""
        if not self.ready or self.running or not self.queue:
            return None
        text = self.queue.pop(0)
        try:
            return self._send(text)
        except Refused:
            self.queue.insert(0, text)
            raise

    def _send(self, text: str) -> Started:
        from orchestrator_tui.core.types import Message, TextPart

        orchestrator = self._engine()
        if not self.models:
            raise Refused("Select at least one model first (ctrl+b)")
        images = [a.image for a in self.attachments if a.image is not None]
        prompt = Message("user", (TextPart(with_attachments(text, self.attachments)), *images))
        follow_up = self.conversation.last_prompt_id is not None
        try:
            run = orchestrator.fan_out(
                prompt.content,
                self.models,
                self.base_params(),
                conversation=self.conversation,
                model_params=self.params,
            )
        except ValueError as exc:
            raise Refused(str(exc)) from exc
        self.prompt = prompt
        self.attachments = []
        self.answers = {}
        return self._started(run, "prompt", tuple(self.models), text=text, follow_up=follow_up)

    # -- what is done with answers ---------------------------------------------------------------

    def retry(self, key: str) -> Started:
        """Ask ``key``'s model again; its new answer takes the place of the last one."""
        answer = self.answers.get(key)
        if key == SYNTHESIS:
            raise Refused("Press ctrl+t again to redo the synthesis")
        if answer is None or answer.ended is None or self.prompt is None:
            raise Refused("Nothing to retry yet")
        orchestrator = self._engine()
        history = self.conversation.histories.get(answer.model, [])
        if answer.ended.text and len(history) >= 2:
            del history[-2:]  # the answer being replaced leaves the conversation
        if answer.best:  # the mark goes with the answer being replaced
            self._mark(None)
        del self.answers[key]
        run = orchestrator.fan_out(
            self.prompt.content,
            [answer.model],
            self.base_params(),
            conversation=self.conversation,
            model_params=self.params,
        )
        return self._started(run, "retry", (key,))

    def review(self, reviewer: str = "") -> Started:
        """Score every finished answer with ``reviewer`` (default: the configured one)."""
        from orchestrator_tui.core.orchestrator import ReviewTarget  # loads the engine

        answers = self.usable_answers()
        if not answers or self.prompt is None:
            raise Refused("Nothing to review yet: send a prompt first")
        reviewer = reviewer or self.reviewer
        prompt = self.prompt.text
        targets = [ReviewTarget(a.response_id, prompt, _text(a)) for a in answers]
        run = self._engine().review(targets, reviewer, conversation=self.conversation)
        for answer in answers:
            answer.review = None
        return self._started(run, "review", tuple(a.key for a in answers), model=reviewer)

    def synthesize(self, model: str | None = None) -> Started:
        """Merge the finished answers into one with ``model`` (remembered for the session)."""
        answers = self.usable_answers()
        if len(answers) < 2 or self.prompt is None:
            raise Refused("Synthesis needs at least two finished answers")
        model = model or self.synthesizer
        if model is None:
            raise Refused("Choose the model that writes the synthesis")
        run = self._engine().synthesize(
            self.prompt.text,
            [(a.model, _text(a)) for a in answers],
            model,
            conversation=self.conversation,
        )
        self.synthesizer = model
        self.answers.pop(SYNTHESIS, None)
        return self._started(run, "synthesis", (SYNTHESIS,), model=model)

    def mark_best(self, key: str) -> bool:
        """Mark ``key``'s answer the best of those shown (again: unmark it); its new state."""
        answer = self.answers.get(key)
        if answer is None or answer.ended is None:
            raise Refused("Mark an answer once it has ended")
        chosen = not answer.best
        self._mark(answer if chosen else None)
        return chosen

    def _mark(self, best: Answer | None) -> None:
        """Record which answer shown now is the best (``None``: none), in the run events' order."""
        from orchestrator_tui.core.events import BestMarked

        for answer in self.answers.values():
            answer.best = answer is best
        shown = [a for a in self.answers.values() if a.ended is not None]
        event = BestMarked(
            self.conversation.session_id,
            tuple(a.response_id for a in shown),
            best.response_id if best else None,
            models=tuple(a.model for a in shown),
        )
        self._engine().announce(event)

    # -- a run's events -------------------------------------------------------------------------

    def handle(self, event: RunEvent) -> None:
        """Keep what ``event`` says about the answers shown."""
        from orchestrator_tui.core.events import ResponseEnded, ResponseStarted, ReviewReady

        match event:
            case ResponseStarted(role="response" | "synthesis" as role):
                key = SYNTHESIS if role == "synthesis" else event.model
                self.answers[key] = Answer(key, event.model, event.response_id)
            case ResponseEnded():
                answer = self._answer(event.response_id)
                if answer is not None:
                    answer.ended = event
            case ReviewReady():
                answer = self._answer(event.target_id)
                if answer is not None:
                    answer.review = event

    def _answer(self, response_id: str) -> Answer | None:
        return next((a for a in self.answers.values() if a.response_id == response_id), None)

    # -- the whole session ----------------------------------------------------------------------

    def clear(self) -> None:
        """A new conversation (the models, their settings and the queue stay)."""
        if self.running:
            raise Refused("Cancel the run first (Escape)")
        self.conversation = Conversation(mode=self.mode.name if self.mode else None)
        self.prompt = self.synthesizer = None
        self.attachments = []
        self.answers = {}

    def continue_from(
        self,
        conversation: Conversation,
        models: Iterable[str],
        prompt: Message | None = None,
        answers: Iterable[tuple[ResponseEnded, ReviewReady | None, bool]] = (),
    ) -> None:
        """Carry on a stored session: its conversation, its models (when any is known) and the
        answers it ended with (``(ended, review, best)``), which retry, review and mark work on."""
        if self.running:
            raise Refused("Cancel the run first (Escape)")
        self.conversation = conversation
        self.prompt = prompt
        self.synthesizer = None
        self.select(list(models) or self.models)
        self.answers = {}
        for ended, review, best in answers:
            self.answers[ended.model] = Answer(
                ended.model, ended.model, ended.response_id, ended, review, best
            )

    def _started(
        self,
        run: Run,
        kind: RunKind,
        keys: tuple[str, ...],
        *,
        text: str | None = None,
        model: str | None = None,
        follow_up: bool = False,
    ) -> Started:
        self.runs.append(run)
        return Started(run, kind, keys, text, model, follow_up)

    def _engine(self) -> Orchestrator:
        if self.orchestrator is None:
            raise Refused("The workspace is still starting")
        return self.orchestrator


def _text(answer: Answer) -> str:
    return answer.ended.text if answer.ended is not None else ""
