"""What one item may cost at most, for ``--budget``: every call its chain may make, priced by
the one estimator (``core.estimate``).

The bound is a worst case: each call's prompt is the item's inputs plus every answer before it in
the item at its longest (chains and conversations pass earlier answers on), and each answer is as
long as its model may write. A model without a price or an output bound cannot be bounded.
"""

from __future__ import annotations

from collections.abc import Mapping

from orchestrator_tui.core.catalog import Catalog, ModelConfig
from orchestrator_tui.core.chains.model import Chain, Step
from orchestrator_tui.core.costs import request_cost
from orchestrator_tui.core.estimate import estimate_request
from orchestrator_tui.core.types import GenerationParams, LLMRequest, Message, Usage


class Unbounded(ValueError):
    """A model of the chain has no price or no output bound; the message names it."""


def step_calls(chain: Chain, step: Step) -> list[str]:
    """The models a step calls, in order, when it goes as far as it may."""
    if step.kind == "conversation":
        turns = [step.models[n % len(step.models)] for n in range(step.turns)]
        return turns + ([step.judge] if step.judge else [])
    if step.kind == "refine":
        writer, reviewer = chain.writer(step), step.reviewer
        rounds = [m for m in (reviewer, writer) if m]
        return rounds * step.max_iterations + ([reviewer] if reviewer else [])
    return list(step.all_models)


def item_cost_bound(catalog: Catalog, chain: Chain, inputs: Mapping[str, str]) -> float:
    """At most what running ``chain`` on ``inputs`` costs; raises ``Unbounded``."""
    prompt = "\n".join(inputs.values())
    before = 0
    total = 0.0
    for step in chain.steps:
        params = GenerationParams(max_tokens=step.max_tokens)
        for name in step_calls(chain, step):
            model = catalog.resolve(name)
            request = LLMRequest(model.ref, (Message("user", prompt),), params)
            estimate = estimate_request(model, request)
            earlier = request_cost(model, Usage(before, 0))
            estimate_cost = 0.0 if _free(model) else estimate.cost
            if _free(model):
                earlier = 0.0
            if estimate_cost is None or earlier is None:
                raise Unbounded(
                    f"cannot bound the cost of {model.name}: it has no price or no "
                    "max_output_tokens (set them in models.yaml)"
                )
            total += estimate_cost + earlier
            before += estimate.max_output_tokens or 0
    return total


def _free(model: ModelConfig) -> bool:
    return model.price_input == 0 and model.price_output == 0
