"""Prompt templates and ``when:`` conditions: Jinja2, sandboxed, with strict undefined variables.

A chain file may come from anywhere, so templates run in Jinja's sandbox; a misspelt variable is an
error, never an empty string silently sent to a model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

from orchestrator_tui.core.chains.model import StepResult

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


class TemplateProblem(ValueError):
    """A template that does not parse, or fails while rendering; the message says why."""


def parse(source: str) -> nodes.Template:
    try:
        return _ENV.parse(source)
    except TemplateError as exc:
        raise TemplateProblem(_describe(exc)) from None


def parse_condition(source: str) -> nodes.Template:
    """A ``when:`` expression, checked by parsing it as ``{{ (expr) }}``."""
    return parse("{{ (" + source + ") }}")


def references(tree: nodes.Template, root: str) -> Iterator[str]:
    """Names read under ``root`` (``steps.draft``, ``inputs['topic']``), for validation."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, nodes.Getattr | nodes.Getitem)
        if isinstance(node.node, nodes.Name) and node.node.name == root:
            if isinstance(node, nodes.Getattr):
                yield node.attr
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                yield node.arg.value


def free_names(tree: nodes.Template) -> set[str]:
    """Top-level variables a template reads (anything but ``inputs`` and ``steps`` is an error)."""
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    loaded = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    return loaded - assigned


def render(source: str, context: Mapping[str, Any]) -> str:
    try:
        return str(_compiled(source).render(context))
    except TemplateError as exc:
        raise TemplateProblem(_describe(exc)) from None
    except Exception as exc:  # a filter or comparison that fails on the values given
        raise TemplateProblem(f"{type(exc).__name__}: {exc}") from None


def evaluate(condition: str, context: Mapping[str, Any]) -> bool:
    try:
        return bool(_condition(condition)(**context))
    except TemplateError as exc:
        raise TemplateProblem(_describe(exc)) from None
    except Exception as exc:  # e.g. comparing a skipped step's missing score with a number
        raise TemplateProblem(f"{type(exc).__name__}: {exc}") from None


def context(inputs: Mapping[str, str], results: Mapping[str, StepResult]) -> dict[str, Any]:
    """What templates see: ``inputs.x`` and ``steps.<id>.output|outputs|score|scores|status``."""
    steps = {
        step_id: {
            "output": r.output,
            "outputs": dict(r.outputs),
            "score": r.score,
            "scores": list(r.scores),
            "feedback": r.feedback,
            "status": r.status,
            "skipped": r.status == "skipped",
        }
        for step_id, r in results.items()
    }
    return {"inputs": dict(inputs), "steps": steps}


@lru_cache(maxsize=512)
def _compiled(source: str) -> Any:
    return _ENV.from_string(source)


@lru_cache(maxsize=512)
def _condition(source: str) -> Any:
    return _ENV.compile_expression(source, undefined_to_none=False)


def _describe(exc: TemplateError) -> str:
    line = getattr(exc, "lineno", None)
    where = f" (template line {line})" if line and line > 1 else ""
    return f"{exc.message or type(exc).__name__}{where}"
