"""The budget guard: refuse a request that could pass a spending limit, stop a stream that does.

Limits are per run, per session and per day (``budget:`` in config.yaml, ``--budget`` for one
run). Before each request the guard asks the one estimator (``core.estimate``) what it may cost at
worst (its prompt, plus max tokens or the model's output limit, at the model's prices) and
*reserves* that much until the request ends, so answers running side by side cannot pass a
limit together; the request's real cost then replaces the reservation. A model with no known
price cannot be bounded and is refused under any budget. A request whose output has no bound
(neither max tokens nor a known output limit) starts if its prompt fits, and its stream is
stopped, as ``budget``, the moment its running cost would pass a limit.

The day's spend before this process started comes from the history (``spent_today``); the
session's from the history when a front end reopens one (``seed_session``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from orchestrator_tui.core.catalog import ModelConfig
from orchestrator_tui.core.display import cost as format_cost
from orchestrator_tui.core.estimate import estimate_request, tokens_in_chars
from orchestrator_tui.core.types import LLMRequest


@dataclass(frozen=True, slots=True)
class BudgetLimits:
    """Dollars; ``None``: no limit at that scope."""

    per_run: float | None = None
    per_session: float | None = None
    per_day: float | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.per_run, self.per_session, self.per_day))

    def with_run_limit(self, per_run: float | None) -> BudgetLimits:
        if per_run is None:
            return self
        return BudgetLimits(per_run, self.per_session, self.per_day)


class BudgetRefused(Exception):
    """A request (or the rest of a stream) would pass a limit; the message says which and why."""


@dataclass(slots=True)
class Hold:
    """One request's place in the budget: what it reserved, and for which run and session."""

    run_id: str
    session_id: str
    model: ModelConfig
    reserved: float
    input_tokens: int
    input_cost: float
    bounded: bool
    """Whether ``reserved`` covers the request's worst case (its output has a known bound)."""
    settled: bool = False


@dataclass(slots=True)
class BudgetGuard:
    limits: BudgetLimits
    spent_today: float = 0.0
    day: str = field(default_factory=lambda: _today())
    by_run: dict[str, float] = field(default_factory=dict)
    by_session: dict[str, float] = field(default_factory=dict)
    held: list[Hold] = field(default_factory=list)

    def seed_session(self, session_id: str, spent: float) -> None:
        """What a reopened session spent before (from the history)."""
        self.by_session[session_id] = max(self.by_session.get(session_id, 0.0), spent)

    def reserve(
        self, run_id: str, session_id: str, model: ModelConfig, request: LLMRequest
    ) -> Hold:
        """Hold the request's worst-case cost, or raise ``BudgetRefused``."""
        self._roll_day()
        if model.price_input is None or model.price_output is None:
            raise BudgetRefused(
                f"{model.name} has no known price, so a budget cannot bound it: add its price to "
                "models.yaml or run without a budget"
            )
        estimate = estimate_request(model, request)
        input_cost = estimate.input_tokens * model.price_input / 1_000_000
        worst = estimate.cost if estimate.cost is not None else input_cost
        hold = Hold(
            run_id,
            session_id,
            model,
            worst,
            estimate.input_tokens,
            input_cost,
            estimate.cost is not None,
        )
        problem = self._passes(hold, worst)
        if problem:
            what = "this request costs up to" if hold.bounded else "its prompt alone costs"
            raise BudgetRefused(f"refused: {what} {format_cost(worst)}, which would pass {problem}")
        self.held.append(hold)
        return hold

    def check_stream(self, hold: Hold, output_chars: int) -> None:
        """Raise ``BudgetRefused`` once the answer so far would pass a limit (unbounded holds)."""
        running = self.running_cost(hold, output_chars)
        if running <= hold.reserved:
            return
        problem = self._passes(hold, running)
        if problem:
            raise BudgetRefused(f"stopped at {format_cost(running)}, before passing {problem}")

    def running_cost(self, hold: Hold, output_chars: int) -> float:
        """The prompt's cost plus the answer's so far, by the estimator's rule."""
        price = hold.model.price_output or 0.0
        return hold.input_cost + tokens_in_chars(output_chars) * price / 1_000_000

    def settle(self, hold: Hold, cost: float | None) -> None:
        """The request ended: its real cost (or, unknown, what it held) is now spent."""
        if hold.settled:
            return
        hold.settled = True
        self.held.remove(hold)
        spent = hold.reserved if cost is None else cost
        self._roll_day()
        self.spent_today += spent
        self.by_run[hold.run_id] = self.by_run.get(hold.run_id, 0.0) + spent
        self.by_session[hold.session_id] = self.by_session.get(hold.session_id, 0.0) + spent

    def _passes(self, hold: Hold, amount: float) -> str | None:
        """Which limit ``amount`` more for ``hold`` would pass (with what is spent and held)."""
        others = [h for h in self.held if h is not hold]
        scopes = (
            (
                "run",
                self.limits.per_run,
                self.by_run.get(hold.run_id, 0.0),
                sum(h.reserved for h in others if h.run_id == hold.run_id),
            ),
            (
                "session",
                self.limits.per_session,
                self.by_session.get(hold.session_id, 0.0),
                sum(h.reserved for h in others if h.session_id == hold.session_id),
            ),
            ("day", self.limits.per_day, self.spent_today, sum(h.reserved for h in others)),
        )
        for scope, limit, spent, held in scopes:
            if limit is not None and spent + held + amount > limit + 1e-12:
                in_flight = f", {format_cost(held)} in flight" if held else ""
                return (
                    f"the {scope} budget of {format_cost(limit)}"
                    f" ({format_cost(spent)} spent{in_flight})"
                )
        return None

    def _roll_day(self) -> None:
        today = _today()
        if today != self.day:
            self.day, self.spent_today = today, 0.0


def _today() -> str:
    return datetime.fromtimestamp(time.time()).strftime("%Y-%m-%d")


def start_of_today() -> float:
    """Local midnight, as epoch seconds: where the per-day budget starts counting."""
    now = datetime.now()
    return now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
