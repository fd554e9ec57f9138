"""What a chain is once loaded: plain frozen data the engine runs and the editor edits.

The YAML file stays the source of truth; these types carry where each step came from, so errors
found later (a template failing at run time) can still name the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.events import StepStatus


@dataclass(frozen=True, slots=True)
class Check:
    """A heuristic scorer's settings: ``kind`` is ``length``, ``keywords``, ``regex`` or a plugin's
    (whose settings are in ``options``)."""

    kind: str
    min_words: int | None = None
    max_words: int | None = None
    words: tuple[str, ...] = ()
    pattern: str | None = None
    options: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Step:
    """One step; which fields matter depends on ``kind`` (see ``loader.FIELDS``)."""

    id: str
    kind: str
    where: str = ""
    when: str | None = None
    model: str | None = None
    models: tuple[str, ...] = ()
    prompt: str | None = None
    system: str | None = None
    persona: str | None = None
    role: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    target: str | None = None
    reviewer: str | None = None
    criteria: str | None = None
    checks: tuple[Check, ...] = ()
    threshold: float = 0.8
    max_iterations: int = 3
    sources: tuple[str, ...] = ()
    turns: int = 6
    stop_phrases: tuple[str, ...] = ()
    judge: str | None = None
    aggregate: str = "borda"
    """How a council combines its rankings: ``borda`` or ``bradley-terry``."""
    locations: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    """``file:line`` of each field as written, for errors found after loading."""

    def at(self, name: str) -> str:
        return self.locations.get(name, self.where)

    @property
    def all_models(self) -> tuple[str, ...]:
        """Every model the step may call, in order (writer, reviewers, judges)."""
        names = [self.model, *self.models, self.reviewer, self.judge]
        return tuple(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True, slots=True)
class ChainInput:
    name: str
    description: str = ""
    default: str | None = None
    where: str = ""


@dataclass(frozen=True, slots=True)
class Chain:
    name: str
    steps: tuple[Step, ...]
    description: str = ""
    inputs: tuple[ChainInput, ...] = ()
    source: str = ""
    output: str | None = None
    """The step whose output is the chain's answer; the last step that ran when unset."""

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def writer(self, step: Step) -> str | None:
        """Who writes a refine step's new versions: its ``model``, else whoever wrote its target."""
        seen = {step.id}
        while step.model is None and step.target is not None and step.target not in seen:
            found = next((s for s in self.steps if s.id == step.target), None)
            if found is None:
                return None
            seen.add(found.id)
            step = found
        return step.model

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for s in self.steps for m in s.all_models))


@dataclass(frozen=True, slots=True)
class Persona:
    """A voice (``system`` prompt) a step can speak in; roles are personas for a task."""

    name: str
    system: str
    description: str = ""
    kind: Literal["persona", "role"] = "persona"


@dataclass(frozen=True, slots=True)
class Issue:
    """One validation error: where (``file:line``), which field, and what is wrong."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.where}: {self.field}: {self.message}"
            if self.field
            else (f"{self.where}: {self.message}")
        )


@dataclass(frozen=True, slots=True)
class StepResult:
    """What a step produced; the templates of later steps read it as ``steps.<id>``."""

    step_id: str
    status: StepStatus
    output: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    score: float | None = None
    scores: tuple[float | None, ...] = ()
    feedback: str = ""
    error: str | None = None
    prompt: str = ""
    """The request the output answers (what a reviewer is shown beside it)."""
    response_id: str | None = None
    """The response holding ``output``: what reviews and refinements attach to."""
    details: dict[str, object] = field(default_factory=dict)


class ChainInvalid(ConfigError):
    """A chain that cannot run; every problem found, each with its file, line and field."""

    def __init__(self, issues: list[Issue], what: str = "chain") -> None:
        self.issues = list(issues)
        count = len(self.issues)
        head = f"the {what} is invalid" if count == 1 else f"the {what} has {count} errors"
        super().__init__(f"{head}:\n" + "\n".join(f"  {issue}" for issue in self.issues))
