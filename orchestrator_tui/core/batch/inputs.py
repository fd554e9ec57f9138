"""Input rows of a batch, read one at a time from JSONL, CSV or plain lines (never all at once).

A row that cannot be read is a ``BadRow`` naming its line, so the caller can report it and go on
(or refuse to start); rows stream from the file so a million-line input costs no memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

InputFormat = Literal["jsonl", "csv", "lines"]
FORMATS: tuple[InputFormat, ...] = ("jsonl", "csv", "lines")
LINE_FIELD = "topic"
"""The field a plain line fills when the chain does not say which input it is."""


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def format_for(name: str) -> InputFormat:
    """The format a file name suggests: ``.jsonl``/``.ndjson`` JSONL, ``.csv`` CSV, else lines."""
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    return "lines"


def read_rows(
    lines: Iterable[str], fmt: InputFormat, line_field: str = LINE_FIELD
) -> Iterator[Row | BadRow]:
    """Rows of ``lines`` (a text file or stdin); blank lines are skipped in JSONL and lines."""
    match fmt:
        case "jsonl":
            yield from _jsonl(lines)
        case "csv":
            yield from _csv(lines)
        case "lines":
            for number, text in enumerate(lines, start=1):
                text = text.rstrip("\r\n")
                if text.strip():
                    yield Row(number, {line_field: text})


def _jsonl(lines: Iterable[str]) -> Iterator[Row | BadRow]:
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield BadRow(number, f"not JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(data, dict):
            yield BadRow(number, f"expected a JSON object, got {type(data).__name__}")
            continue
        yield Row(number, {str(k): _text(v) for k, v in data.items()})


def _csv(lines: Iterable[str]) -> Iterator[Row | BadRow]:
    reader = csv.reader(iter(lines))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield BadRow(reader.line_num, f"unreadable CSV header ({exc})")
        return
    names = [name.strip() for name in header]
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield BadRow(reader.line_num, f"unreadable CSV ({exc})")
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            yield BadRow(reader.line_num, f"{len(values)} fields where the header has {len(names)}")
            continue
        yield Row(reader.line_num, dict(zip(names, values, strict=True)))


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
