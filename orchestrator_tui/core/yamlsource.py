"""YAML loading that remembers where every value came from, so errors can name file and line.

Chains and config files are small and written by hand, so loading has limits that no such file
meets and every hostile one does, each refused in milliseconds with file and line: the size of the
document, its nesting, and how many copies its aliases make (an alias refers to an anchored value;
nine nested levels of ten aliases each, the "billion laughs", spell 10^9 values in a few lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]
MAX_DOCUMENT_SIZE = 1_000_000
"""Characters of a document (bytes of a file): about 20,000 lines."""
MAX_ALIAS_COPIES = 10_000
"""Values made by repeating anchored ones; sharing a few settings through aliases needs dozens."""
MAX_DEPTH = 100
"""Nesting of mappings and lists (libyaml stops at 1,000; building the tree recurses)."""
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml when present: about 15x faster, which matters for files read before the first paint."""


@dataclass(frozen=True, slots=True)
class Located:
    """A loaded YAML document plus the line of every mapping key and list item in it."""

    data: Any
    source: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        key: PathKey = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get(())

    def where(self, *path: str | int) -> str:
        """``file:line`` for error messages."""
        line = self.line(*path)
        return f"{self.source}:{line}" if line else self.source


class YamlError(ValueError):
    """Unparseable YAML; the message starts with ``file:line``."""


class UnreadableFile(YamlError):
    """The file exists but cannot be read at all (permissions, not text, a folder)."""


class TooLarge(YamlError):
    """A document beyond the limits above; the message names the file and line."""


def load_located(text: str, source: str | Path) -> Located:
    source = str(source)
    if len(text) > MAX_DOCUMENT_SIZE:
        at = text.count("\n", 0, MAX_DOCUMENT_SIZE) + 1
        raise TooLarge(f"{source}:{at}: {_too_large(len(text), 'characters')}")
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlError(f"{source}{line}: invalid YAML: {problem}") from None
    if node is None:
        return Located(None, source, {(): 1})
    builder = _Builder(yaml.SafeLoader(""))
    try:
        data = builder.build(node, ())
    except yaml.YAMLError as exc:
        raise YamlError(f"{source}: invalid YAML: {exc}") from None
    except _Refused as exc:
        raise TooLarge(f"{source}:{exc.line}: {exc.reason}") from None
    return Located(data, source, builder.lines)


def load_located_file(path: Path) -> Located:
    return load_located(read_document(path), path)


def read_document(path: Path) -> str:
    """A YAML file's text, reading at most one byte beyond the size limit, so an enormous file is
    refused (``TooLarge``) at once; ``UnreadableFile`` when it cannot be read as UTF-8 text."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_DOCUMENT_SIZE + 1)
            if len(data) > MAX_DOCUMENT_SIZE:
                size = path.stat().st_size
                line = data.count(b"\n", 0, MAX_DOCUMENT_SIZE) + 1
                raise TooLarge(f"{path}:{line}: {_too_large(size, 'bytes')}")
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UnreadableFile(f"{path}: cannot read: {reason}") from None


def _too_large(size: int, unit: str) -> str:
    return (
        f"the document is {size:,} {unit}, more than the {MAX_DOCUMENT_SIZE:,} a chain or"
        " config file may have; refused"
    )


class _Refused(Exception):
    def __init__(self, line: int, reason: str) -> None:
        self.line, self.reason = line, reason


class _Builder:
    """Python values from the composed tree, recording lines, within the limits above.

    An alias is the very node it refers to, met again: each node after its first visit is a copy.
    """

    def __init__(self, ctor: Any) -> None:
        self.ctor = ctor
        self.lines: dict[PathKey, int] = {}
        self.seen: set[int] = set()
        self.copies = 0

    def build(self, node: yaml.Node, path: PathKey, depth: int = 0) -> Any:
        line = node.start_mark.line + 1
        self._count(node, line, depth)
        self.lines.setdefault(path, line)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                self._count(key_node, key_node.start_mark.line + 1, depth + 1)
                key = self.ctor.construct_object(key_node, deep=True)
                if isinstance(key, list | dict):
                    key = str(key)
                child = (*path, key)
                self.lines[child] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, child, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.ctor.construct_object(node, deep=True)

    def _count(self, node: yaml.Node, line: int, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _Refused(line, f"nested more than {MAX_DEPTH} levels deep; refused")
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return
        self.copies += 1
        if self.copies > MAX_ALIAS_COPIES:
            raise _Refused(
                line,
                f"aliases here repeat values more than {MAX_ALIAS_COPIES:,} times"
                " (an alias bomb?); refused",
            )
