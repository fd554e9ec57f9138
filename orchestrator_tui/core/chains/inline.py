"""``--steps "model/persona -> model/persona"``: a quick sequential chain written on one line.

The first step answers the inputs; each later step gets the task again plus the previous step's
output, so a researcher's notes can flow into a writer without a YAML file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from orchestrator_tui.core.chains.model import Chain, ChainInput, ChainInvalid, Issue, Persona, Step

SOURCE = "--steps"
DEFAULT_INPUT = "task"


def inline_chain(spec: str, input_names: Sequence[str], personas: Mapping[str, Persona]) -> Chain:
    parts = [part.strip() for part in spec.split("->")]
    issues = [
        Issue(SOURCE, f"step {n}", "empty step (write model/persona -> model/persona)")
        for n, part in enumerate(parts, start=1)
        if not part
    ]
    if issues:
        raise ChainInvalid(issues)
    names = list(input_names) or [DEFAULT_INPUT]
    task = (
        f"{{{{ inputs.{names[0]} }}}}"
        if len(names) == 1
        else "\n".join(f"{name}: {{{{ inputs.{name} }}}}" for name in names)
    )
    steps: list[Step] = []
    for number, part in enumerate(parts, start=1):
        model, voice = _split(part, personas)
        prompt = task
        if steps:
            prompt = (
                f"## Task\n\n{task}\n\n## Previous step's answer\n\n"
                f"{{{{ steps.{steps[-1].id}.output }}}}\n\nDo your part of the work on it."
            )
        persona = voice if voice and personas[voice].kind == "persona" else None
        role = voice if voice and personas[voice].kind == "role" else None
        where = f"{SOURCE} step {number}"
        steps.append(
            Step(
                f"step{number}",
                "generate",
                where=where,
                model=model,
                prompt=prompt,
                persona=persona,
                role=role,
            )
        )
    inputs = tuple(ChainInput(name) for name in names)
    return Chain("inline", tuple(steps), "A sequential chain from --steps", inputs, SOURCE)


def _split(part: str, personas: Mapping[str, Persona]) -> tuple[str, str | None]:
    """``model/persona`` or ``model``; a model whose name has ``/`` (OpenRouter) ends with ``/``."""
    model, slash, voice = part.rpartition("/")
    if not slash:
        return part, None
    if not voice:
        return model.strip(), None
    if voice in personas:
        return model.strip(), voice
    known = ", ".join(sorted(personas))
    raise ChainInvalid([Issue(SOURCE, part, f"unknown persona or role {voice!r} ({known})")])
