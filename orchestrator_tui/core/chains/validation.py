"""Checks across steps: references to earlier steps, templates, personas and models.

A step may only read steps that ran before it, so a chain runs top to bottom with every value it
needs already there; breaking that rule is found here, before any model is called.
"""

from __future__ import annotations

from collections.abc import Mapping

from orchestrator_tui.core.catalog import Catalog
from orchestrator_tui.core.chains import templating
from orchestrator_tui.core.chains.model import Chain, ChainInvalid, Issue, Persona, Step
from orchestrator_tui.core.errors import ConfigError

TEMPLATE_FIELDS = ("prompt", "system", "criteria")
JINJA_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop"})
REFINABLE = ("generate", "refine", "synthesize")


def validate(
    chain: Chain,
    *,
    personas: Mapping[str, Persona] | None = None,
    catalog: Catalog | None = None,
) -> list[Issue]:
    """Every cross-step problem of ``chain``; empty when it can run."""
    issues: list[Issue] = []
    inputs = {i.name for i in chain.inputs}
    seen: dict[str, Step] = {}
    for step in chain.steps:
        if step.id in seen:
            issues.append(
                Issue(step.at("id"), _field(step, "id"), f"duplicate step id {step.id!r}")
            )
        issues += _references(step, seen)
        issues += _templates(step, seen, inputs)
        issues += _voices(step, personas)
        if catalog is not None:
            issues += _models(step, catalog)
        if step.kind == "conversation" and len(step.models) < 2:
            issues.append(
                Issue(step.at("models"), _field(step, "models"), "a conversation needs 2+ models")
            )
        if step.kind == "council" and len(step.models) < 3:
            issues.append(
                Issue(
                    step.at("models"),
                    _field(step, "models"),
                    "a council needs 3+ models (each ranks the others' answers)",
                )
            )
        seen[step.id] = step
    if chain.output is not None and chain.output not in seen:
        issues.append(Issue(chain.source, "output", f"no step {chain.output!r} in this chain"))
    return issues


def warnings(chain: Chain, *, catalog: Catalog | None = None) -> list[Issue]:
    """What may run but probably should not: a refine step reviewed by its own writer.

    Self-correction with no outside signal often makes answers worse, so the reviewer should be a
    different model; the chain still runs as written.
    """
    issues = []
    for step in chain.steps:
        if step.kind != "refine" or step.reviewer is None:
            continue
        writer = chain.writer(step)
        if writer is not None and _same_model(writer, step.reviewer, catalog):
            issues.append(
                Issue(
                    step.at("reviewer"),
                    _field(step, "reviewer"),
                    f"{step.reviewer} reviews its own writing; a different reviewer model gives "
                    "the rewrites an outside view",
                )
            )
    return issues


def _same_model(a: str, b: str, catalog: Catalog | None) -> bool:
    """Whether two names (aliases included, where ``catalog`` knows them) are one model."""
    if catalog is not None:
        try:
            return catalog.resolve(a).name == catalog.resolve(b).name
        except ConfigError:
            pass
    return a == b


def _field(step: Step, name: str) -> str:
    return f"steps.{step.id}.{name}"


def _references(step: Step, earlier: Mapping[str, Step]) -> list[Issue]:
    issues = []
    wanted = [("target", step.target)] if step.target else []
    wanted += [("from", source) for source in step.sources]
    for name, ref in wanted:
        where = step.at("sources" if name == "from" else name)
        problem = _missing(ref, step, earlier)
        if problem:
            issues.append(Issue(where, _field(step, name), problem))
        elif name == "target" and step.kind == "refine" and earlier[ref].kind not in REFINABLE:
            kinds = ", ".join(REFINABLE)
            issues.append(
                Issue(where, _field(step, name), f"refine needs a {kinds} step to improve")
            )
        elif name == "target" and earlier[ref].kind == "review":
            issues.append(Issue(where, _field(step, name), "cannot review a review step"))
    return issues


def _missing(ref: str, step: Step, earlier: Mapping[str, Step]) -> str | None:
    if ref in earlier:
        return None
    if ref == step.id:
        return f"step {ref!r} cannot refer to itself"
    return f"no earlier step {ref!r} (a step can only use steps above it)"


def _templates(step: Step, earlier: Mapping[str, Step], inputs: set[str]) -> list[Issue]:
    sources = [(name, getattr(step, name)) for name in TEMPLATE_FIELDS if getattr(step, name)]
    if step.when:
        sources.append(("when", step.when))
    issues = []
    for name, source in sources:
        where = step.at(name)
        label = _field(step, "topic" if name == "prompt" and step.kind == "conversation" else name)
        try:
            tree = (
                templating.parse_condition(source) if name == "when" else templating.parse(source)
            )
        except templating.TemplateProblem as exc:
            issues.append(Issue(where, label, f"template error: {exc}"))
            continue
        for unknown in sorted(templating.free_names(tree) - {"inputs", "steps"} - JINJA_GLOBALS):
            issues.append(
                Issue(where, label, f"unknown variable {unknown!r} (use inputs.* or steps.*)")
            )
        for ref in templating.references(tree, "steps"):
            problem = _missing(ref, step, earlier)
            if problem:
                issues.append(Issue(where, label, problem))
        for ref in templating.references(tree, "inputs"):
            if ref not in inputs:
                known = ", ".join(sorted(inputs)) or "none declared"
                issues.append(Issue(where, label, f"unknown input {ref!r} (inputs: {known})"))
    return issues


def _voices(step: Step, personas: Mapping[str, Persona] | None) -> list[Issue]:
    if personas is None:
        return []
    issues = []
    for name, kind in (("persona", "persona"), ("role", "role")):
        wanted = getattr(step, name)
        if wanted is None:
            continue
        found = personas.get(wanted)
        if found is None or found.kind != kind:
            known = ", ".join(sorted(p.name for p in personas.values() if p.kind == kind))
            issues.append(
                Issue(step.at(name), _field(step, name), f"unknown {kind} {wanted!r} ({known})")
            )
    return issues


def _models(step: Step, catalog: Catalog) -> list[Issue]:
    issues = []
    for name in ("model", "models", "reviewer", "judge"):
        value = getattr(step, name)
        for model in value if isinstance(value, tuple) else (value,) if value else ():
            try:
                catalog.resolve(model)
            except ConfigError as exc:
                issues.append(Issue(step.at(name), _field(step, name), str(exc)))
    return issues


def bind_inputs(chain: Chain, given: Mapping[str, str]) -> dict[str, str]:
    """The chain's inputs from ``given`` and defaults; raises ``ChainInvalid`` naming each gap."""
    issues = []
    declared = {i.name: i for i in chain.inputs}
    values: dict[str, str] = {}
    for name, spec in declared.items():
        if name in given:
            values[name] = given[name]
        elif spec.default is not None:
            values[name] = spec.default
        else:
            hint = f" ({spec.description})" if spec.description else ""
            where = spec.where or chain.source
            issues.append(Issue(where, f"inputs.{name}", f"missing input{hint}"))
    for name in given:
        if name not in declared:
            known = ", ".join(declared) or "none"
            issues.append(
                Issue(chain.source, f"inputs.{name}", f"this chain has no such input ({known})")
            )
    if issues:
        raise ChainInvalid(issues)
    return values
