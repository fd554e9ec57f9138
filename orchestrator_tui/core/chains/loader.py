"""YAML text → ``Chain``: types, required fields and the fields each kind allows.

Every problem is collected, not raised at the first one, so a user fixes a file in one pass; each
names the file, line and field. Cross-step checks (references, templates, models) live in
``validation``; ``load_chain`` runs both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator_tui.core.arena.ranking import AGGREGATES
from orchestrator_tui.core.catalog import Catalog
from orchestrator_tui.core.chains.model import (
    Chain,
    ChainInput,
    ChainInvalid,
    Check,
    Issue,
    Persona,
    Step,
)
from orchestrator_tui.core.yamlsource import Located, YamlError, load_located, read_document

if TYPE_CHECKING:
    from orchestrator_tui.core.review import Scorer

TOP_FIELDS = ("name", "description", "inputs", "steps", "output")
COMMON = ("id", "kind", "when", "description")
VOICE = ("system", "persona", "role", "temperature", "max_tokens")
SCORING = ("reviewer", "criteria", "checks")
FIELDS: dict[str, tuple[str, ...]] = {
    "generate": (*COMMON, "model", "prompt", *VOICE),
    "parallel": (*COMMON, "models", "prompt", *VOICE),
    "review": (*COMMON, "target", *SCORING),
    "refine": (
        *COMMON,
        "target",
        "model",
        "prompt",
        "threshold",
        "max_iterations",
        *SCORING,
        *VOICE,
    ),
    "synthesize": (*COMMON, "model", "from", "prompt", *VOICE),
    "conversation": (*COMMON, "models", "topic", "turns", "stop_phrases", "judge", *VOICE),
    "council": (*COMMON, "models", "model", "prompt", "aggregate", *VOICE),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "generate": ("model", "prompt"),
    "parallel": ("models", "prompt"),
    "review": ("target",),
    "refine": ("target",),
    "synthesize": ("model", "from"),
    "conversation": ("models", "topic"),
    "council": ("models", "model", "prompt"),
}
CHECK_FIELDS: dict[str, tuple[str, ...]] = {
    "length": ("min_words", "max_words"),
    "keywords": ("words",),
    "regex": ("pattern",),
}
CHECK_MAKERS: dict[str, Callable[[Mapping[str, Any]], Scorer]] = {}
"""Check kinds plugins add, each making its scorer from the check's settings (see ``kinds``)."""
TEXT_FIELDS = (
    "when",
    "model",
    "prompt",
    "topic",
    "system",
    "persona",
    "role",
    "target",
    "reviewer",
    "criteria",
    "judge",
    "aggregate",
)
STEP_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FIELD_NAMES = {"from": "sources", "topic": "prompt"}


def load_chain(
    text: str,
    source: str | Path,
    *,
    personas: Mapping[str, Persona] | None = None,
    catalog: Catalog | None = None,
    transform: Callable[[Chain], Chain] | None = None,
) -> Chain:
    """Parse and validate a chain; raises ``ChainInvalid`` listing every problem found.

    ``transform`` (the ``--mock`` model swap) is applied once the chain as written is valid, so a
    dry run refuses exactly what a real run would; with no catalog, model names are not checked.
    """
    from orchestrator_tui.core.chains.validation import validate

    try:
        doc = load_located(text, source)
    except YamlError as exc:
        raise ChainInvalid([_unloadable(exc)]) from None
    chain, issues = parse(doc)
    if chain is not None:
        issues += validate(chain, personas=personas, catalog=catalog)
    if issues or chain is None:
        raise ChainInvalid(sorted(issues, key=_line))
    return transform(chain) if transform is not None else chain


def load_chain_file(path: Path, **options: Any) -> Chain:
    try:
        text = read_document(path)
    except YamlError as exc:  # unreadable, or too large to be a chain
        raise ChainInvalid([_unloadable(exc)]) from None
    return load_chain(text, path, **options)


def _unloadable(exc: YamlError) -> Issue:
    """A YAML error (``file:line: message``) as an issue of the chain file."""
    where, _, message = str(exc).partition(": ")
    return Issue(where, "", message)


def parse(doc: Located) -> tuple[Chain | None, list[Issue]]:
    """The chain as far as it could be read, and every problem met on the way."""
    return _Reader(doc).chain()


class _Reader:
    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.issues: list[Issue] = []

    def error(self, path: tuple[Any, ...], message: str) -> None:
        self.issues.append(Issue(self.doc.where(*path), _label(path), message))

    def chain(self) -> tuple[Chain | None, list[Issue]]:
        data = self.doc.data
        if not isinstance(data, dict):
            self.error((), "a chain file must be a mapping with `name` and `steps`")
            return None, self.issues
        for key in data:
            if key not in TOP_FIELDS:
                self.error((key,), f"unknown field (allowed: {', '.join(TOP_FIELDS)})")
        default_name = Path(self.doc.source).stem
        name = self.text(data, (), "name") or default_name
        description = self.text(data, (), "description") or ""
        inputs = self.inputs(data.get("inputs"))
        steps = self.steps(data.get("steps"))
        output = self.text(data, (), "output")
        chain = Chain(name, tuple(steps), description, inputs, self.doc.source, output)
        return chain, self.issues

    def inputs(self, value: Any) -> tuple[ChainInput, ...]:
        if value is None:
            return ()
        if isinstance(value, list):
            value = {
                item if isinstance(item, str) else index: None for index, item in enumerate(value)
            }
        if not isinstance(value, dict):
            self.error(("inputs",), "must map each input's name to its description")
            return ()
        result = []
        for key, spec in value.items():
            path = ("inputs", key)
            if not isinstance(key, str) or not STEP_ID.match(key):
                self.error(path, f"input name {key!r} must be a plain word (letters, digits, _)")
                continue
            if spec is None or isinstance(spec, str):
                result.append(ChainInput(key, spec or "", where=self.doc.where(*path)))
            elif isinstance(spec, dict):
                for extra in spec:
                    if extra not in ("description", "default"):
                        self.error((*path, extra), "unknown field (allowed: description, default)")
                default = self.text(spec, path, "default")
                description = self.text(spec, path, "description") or ""
                result.append(ChainInput(key, description, default, self.doc.where(*path)))
            else:
                self.error(path, "must be a description, or {description, default}")
        return tuple(result)

    def steps(self, value: Any) -> list[Step]:
        if value is None:
            self.error((), "missing field `steps`")
            return []
        if not isinstance(value, list) or not value:
            self.error(("steps",), "must be a non-empty list of steps")
            return []
        steps = []
        for index, item in enumerate(value):
            step = self.step(index, item)
            if step is not None:
                steps.append(step)
        return steps

    def step(self, index: int, data: Any) -> Step | None:
        path: tuple[Any, ...] = ("steps", index)
        if not isinstance(data, dict):
            self.error(path, "a step must be a mapping with `id` and `kind`")
            return None
        step_id = data.get("id")
        if not isinstance(step_id, str) or not STEP_ID.match(step_id):
            shown = "missing" if step_id is None else f"{step_id!r} is not a plain word"
            self.error((*path, "id"), f"{shown}: give each step an id of letters, digits and _")
            step_id = f"step{index + 1}"
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in FIELDS:
            shown = "missing" if kind is None else f"unknown kind {kind!r}"
            self.error((*path, "kind"), f"{shown} (one of: {', '.join(FIELDS)})")
            return None
        allowed = FIELDS[kind]
        for key in data:
            if key not in allowed:
                self.error(
                    (*path, key), f"not a field of a {kind} step (allowed: {', '.join(allowed)})"
                )
        data = {key: value for key, value in data.items() if key in allowed}
        for key in REQUIRED[kind]:
            if data.get(key) in (None, "", []):
                self.error((*path, key), f"a {kind} step needs `{key}`")
        values: dict[str, Any] = {
            "id": step_id,
            "kind": kind,
            "where": self.doc.where(*path),
            "locations": {
                FIELD_NAMES.get(k, k): self.doc.where(*path, k) for k in data if isinstance(k, str)
            },
        }
        for key in TEXT_FIELDS:
            if (text := self.text(data, path, key)) is not None:
                values[FIELD_NAMES.get(key, key)] = text
        for key in ("models", "from", "stop_phrases"):
            values[FIELD_NAMES.get(key, key)] = self.names(data, path, key)
        values["temperature"] = self.number(data, path, "temperature", 0, 2)
        values["max_tokens"] = self.integer(data, path, "max_tokens", 1, 1_000_000)
        values["threshold"] = self.number(data, path, "threshold", 0, 1)
        values["max_iterations"] = self.integer(data, path, "max_iterations", 1, 20)
        values["turns"] = self.integer(data, path, "turns", 1, 100)
        values["checks"] = self.checks(data.get("checks"), (*path, "checks"))
        if values.get("aggregate") not in (None, *AGGREGATES):
            self.error((*path, "aggregate"), f"one of {', '.join(AGGREGATES)}")
            values.pop("aggregate")
        if kind in ("review", "refine") and not values.get("reviewer") and not values["checks"]:
            self.error(path, f"a {kind} step needs a `reviewer` model or `checks`")
        return Step(**{k: v for k, v in values.items() if v is not None})

    def checks(self, value: Any, path: tuple[Any, ...]) -> tuple[Check, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(path, "must be a list of checks like {kind: length, max_words: 300}")
            return ()
        result = []
        for index, item in enumerate(value):
            here = (*path, index)
            if not isinstance(item, dict) or item.get("kind") not in CHECK_FIELDS:
                self.error(here, f"a check needs `kind`: one of {', '.join(CHECK_FIELDS)}")
                continue
            kind = item["kind"]
            allowed = ("kind", *CHECK_FIELDS[kind])
            for key in item:
                if key not in allowed:
                    self.error(
                        (*here, key),
                        f"not a field of a {kind} check (allowed: {', '.join(allowed)})",
                    )
            check = Check(
                kind,
                min_words=self.integer(item, here, "min_words", 0, 10_000_000),
                max_words=self.integer(item, here, "max_words", 1, 10_000_000),
                words=self.names(item, here, "words") or (),
                pattern=self.text(item, here, "pattern"),
                options={k: item[k] for k in CHECK_FIELDS[kind] if k in item},
            )
            if kind in CHECK_MAKERS:
                try:
                    CHECK_MAKERS[kind](check.options)
                except (ValueError, TypeError) as exc:
                    self.error(here, f"a {kind} check: {exc}")
            elif kind == "length" and check.min_words is None and check.max_words is None:
                self.error(here, "a length check needs `min_words` or `max_words`")
            elif kind == "keywords" and not check.words:
                self.error(here, "a keywords check needs `words`")
            elif kind == "regex":
                self.pattern(check.pattern, (*here, "pattern"))
            if (check.min_words or 0) > (check.max_words or 10_000_000):
                self.error(here, "`min_words` is larger than `max_words`")
            result.append(check)
        return tuple(result)

    def pattern(self, pattern: str | None, path: tuple[Any, ...]) -> None:
        if not pattern:
            self.error(path, "a regex check needs `pattern`")
            return
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            self.error(path, f"not a valid regular expression: {exc}")

    def text(self, data: dict[Any, Any], path: tuple[Any, ...], key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error((*path, key), "must be text")
            return None
        return str(value)

    def names(
        self, data: dict[Any, Any], path: tuple[Any, ...], key: str
    ) -> tuple[str, ...] | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
        ):
            self.error((*path, key), "must be a list of names")
            return None
        return tuple(str(v) for v in value)

    def number(
        self, data: dict[Any, Any], path: tuple[Any, ...], key: str, low: float, high: float
    ) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            self.error((*path, key), f"must be a number from {low:g} to {high:g}, not {value!r}")
            return None
        return float(value)

    def integer(
        self, data: dict[Any, Any], path: tuple[Any, ...], key: str, low: int, high: int
    ) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error((*path, key), f"must be a whole number from {low} to {high}, not {value!r}")
            return None
        return value


def _label(path: tuple[Any, ...]) -> str:
    """``steps[2].model`` for the path ``("steps", 2, "model")``."""
    label = ""
    for part in path:
        label += f"[{part}]" if isinstance(part, int) else (f".{part}" if label else str(part))
    return label


def _line(issue: Issue) -> int:
    """Sort key: problems in the order they appear in the file."""
    tail = issue.where.rpartition(":")[2]
    return int(tail) if tail.isdigit() else 0
