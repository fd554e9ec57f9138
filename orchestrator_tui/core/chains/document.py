"""A chain being edited: the YAML data itself, with the edits the chain editor offers.

The editor's form and its YAML pane both change this one mapping, so they cannot drift apart;
validation runs on the YAML text as shown, so every error's line is a line the user can see.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml

from orchestrator_tui.core.catalog import Catalog
from orchestrator_tui.core.chains.loader import FIELDS, load_chain, parse
from orchestrator_tui.core.chains.model import ChainInvalid, Issue, Persona
from orchestrator_tui.core.yamlsource import YamlError, load_located

FLOAT_FIELDS = frozenset({"threshold", "temperature"})
INT_FIELDS = frozenset({"max_iterations", "turns", "max_tokens"})
LIST_FIELDS = frozenset({"models", "from", "stop_phrases"})
LONG_FIELDS = frozenset({"prompt", "topic", "system", "criteria"})
FORM_SKIPS = frozenset({"id", "kind", "checks"})
"""Fields the form does not show as a plain input (``checks`` is edited in the YAML)."""
STARTERS: dict[str, dict[str, Any]] = {
    "generate": {"model": "mock:lorem", "prompt": "{{ inputs.topic }}"},
    "parallel": {"models": ["mock:lorem", "mock:echo"], "prompt": "{{ inputs.topic }}"},
    "review": {"reviewer": "mock:judge"},
    "refine": {"reviewer": "mock:judge", "threshold": 0.8, "max_iterations": 3},
    "synthesize": {"model": "mock:lorem"},
    "conversation": {"models": ["mock:lorem", "mock:echo"], "topic": "{{ inputs.topic }}"},
}
"""What a new step of each kind starts with, so it is valid (or nearly) the moment it is added."""


class _Dumper(yaml.SafeDumper):
    """Multi-line text as ``|`` blocks, so prompts read in the YAML pane as they were written."""


_UNICODE_BREAKS = frozenset("\x85\u2028\u2029")
"""Line breaks PyYAML writes unescaped but reads back as spaces: such text goes double-quoted."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if _UNICODE_BREAKS.intersection(value):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


class ChainDocument:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def new(cls, name: str = "my-chain") -> ChainDocument:
        step = {"id": "draft", "kind": "generate", **copy.deepcopy(STARTERS["generate"])}
        return cls({"name": name, "inputs": {"topic": "What it is about"}, "steps": [step]})

    @classmethod
    def from_yaml(cls, text: str, source: str = "chain.yaml") -> ChainDocument:
        """Raises ``ValueError`` (with file:line) unless the text is a mapping with a step list."""
        data = load_located(text, source).data
        if not isinstance(data, dict):
            raise YamlError(f"{source}:1: a chain is a mapping with `name` and `steps`")
        steps = data.get("steps")
        if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
            raise YamlError(f"{source}: `steps` must be a list of mappings")
        return cls(data)

    @property
    def name(self) -> str:
        return str(self.data.get("name") or "")

    @property
    def steps(self) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = self.data.setdefault("steps", [])
        return steps

    def to_yaml(self) -> str:
        return yaml.dump(self.data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96)

    def validate(
        self,
        source: str,
        *,
        personas: Mapping[str, Persona] | None = None,
        catalog: Catalog | None = None,
    ) -> list[Issue]:
        return self.check(source, personas=personas, catalog=catalog)[0]

    def check(
        self,
        source: str,
        *,
        personas: Mapping[str, Persona] | None = None,
        catalog: Catalog | None = None,
    ) -> tuple[list[Issue], list[Issue]]:
        """The errors that stop the chain from running, and the warnings about what runs but
        probably should not (``validation.warnings``), found even while another step is wrong."""
        from orchestrator_tui.core.chains.validation import warnings

        text = self.to_yaml()
        try:
            load_chain(text, source, personas=personas, catalog=catalog)
            errors: list[Issue] = []
        except ChainInvalid as exc:
            errors = exc.issues
        chain = parse(load_located(text, source))[0]
        return errors, warnings(chain, catalog=catalog) if chain is not None else []

    # -- steps ----------------------------------------------------------------------------------

    def add(self, kind: str, after: int | None = None) -> int:
        index = len(self.steps) if after is None else after + 1
        step = {"id": self._free_id(kind), "kind": kind, **copy.deepcopy(STARTERS[kind])}
        if kind in ("review", "refine") and index > 0:
            step = {"id": step["id"], "kind": kind, "target": self._id(index - 1), **STARTERS[kind]}
        if kind == "synthesize" and index > 0:
            step["from"] = [self._id(index - 1)]
        self.steps.insert(index, step)
        return index

    def delete(self, index: int) -> int:
        del self.steps[index]
        return min(index, len(self.steps) - 1)

    def move(self, index: int, delta: int) -> int:
        target = index + delta
        if not 0 <= target < len(self.steps):
            return index
        self.steps[index], self.steps[target] = self.steps[target], self.steps[index]
        return target

    def duplicate(self, index: int) -> int:
        copied = copy.deepcopy(self.steps[index])
        copied["id"] = self._free_id(str(copied.get("id") or "step"))
        self.steps.insert(index + 1, copied)
        return index + 1

    def set_kind(self, index: int, kind: str) -> None:
        """Change a step's kind, keeping the fields the new kind has and adding its starters."""
        step = self.steps[index]
        kept = {k: v for k, v in step.items() if k in FIELDS[kind] and k not in ("id", "kind")}
        for key, value in STARTERS[kind].items():
            kept.setdefault(key, copy.deepcopy(value))
        self.steps[index] = {"id": step.get("id"), "kind": kind, **kept}

    def fields(self, index: int) -> tuple[str, ...]:
        """The form's fields for this step's kind, in the order the loader lists them."""
        kind = self.steps[index].get("kind")
        return tuple(f for f in FIELDS.get(str(kind), ("id",)) if f not in FORM_SKIPS)

    def field_text(self, index: int, name: str) -> str:
        value = self.steps[index].get(name)
        if value is None:
            return ""
        if name in LIST_FIELDS and isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    def set_field(self, index: int, name: str, text: str) -> None:
        """Set from the form's text: empty removes the field; numbers and lists are parsed.

        Text that does not parse is kept as typed, so validation names the field and the line.
        """
        step = self.steps[index]
        if not text.strip():
            step.pop(name, None)
            return
        value: Any = text
        if name in LIST_FIELDS:
            value = [part.strip() for part in text.split(",") if part.strip()]
        elif name in INT_FIELDS:
            value = _number(text, int)
        elif name in FLOAT_FIELDS:
            value = _number(text, float)
        step[name] = value

    def summary(self, index: int) -> tuple[str, str, str, str]:
        """``(id, kind, models, condition)`` for the step list."""
        step = self.steps[index]
        names = [step.get(k) for k in ("model", "reviewer", "judge")]
        listed = step.get("models")
        if isinstance(listed, list):
            names += listed
        models = ", ".join(str(n) for n in names if n)
        return (
            str(step.get("id") or "?"),
            str(step.get("kind") or "?"),
            models,
            str(step.get("when") or ""),
        )

    def _id(self, index: int) -> str:
        return str(self.steps[index].get("id") or "")

    def _free_id(self, base: str) -> str:
        taken = {str(s.get("id")) for s in self.steps}
        base = base.rstrip("_0123456789") or "step"
        number = 1
        while f"{base}_{number}" in taken:
            number += 1
        return f"{base}_{number}"


def _number(text: str, kind: type[int] | type[float]) -> Any:
    try:
        return kind(text.strip())
    except ValueError:
        return text
