"""A ``template`` step: text made from the inputs and earlier steps, with no model called.

- id: brief
  kind: template
  prompt: "Topic: {{ inputs.topic }}\n\nDraft:\n{{ steps.draft.output }}"
"""

from __future__ import annotations

from orchestrator_tui.core.chains.context import StepContext
from orchestrator_tui.core.chains.model import Step, StepResult


class TemplateStep:
    fields = ("prompt",)
    required = ("prompt",)

    @staticmethod
    async def run(ctx: StepContext, step: Step) -> StepResult:
        text = ctx.render(step, "prompt", step.prompt or "")
        return StepResult(step.id, "ok", text)
