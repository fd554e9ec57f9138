"""Batch input rows: JSONL, CSV and plain lines, each bad row named by its line."""

from __future__ import annotations

import io

from orchestrator_tui.core.batch.inputs import BadRow, Row, format_for, read_rows


def rows(text: str, fmt: str) -> list[Row | BadRow]:
    return list(read_rows(io.StringIO(text), fmt))  # type: ignore[arg-type]


def test_jsonl_rows_keep_their_line_and_bad_lines_are_named() -> None:
    got = rows('{"topic": "tides"}\n\n{oops\n[1, 2]\n{"topic": "moon", "n": 3}\n', "jsonl")
    assert got[0] == Row(1, {"topic": "tides"})
    assert isinstance(got[1], BadRow) and got[1].line == 3 and "not JSON" in str(got[1])
    assert got[2] == BadRow(4, "expected a JSON object, got list")
    assert got[3] == Row(5, {"topic": "moon", "n": "3"})


def test_csv_rows_follow_the_header_and_a_short_row_is_bad() -> None:
    got = rows('topic,tone\ntides,calm\n"a, b",dry\nonly-one\n', "csv")
    assert got[:2] == [
        Row(2, {"topic": "tides", "tone": "calm"}),
        Row(3, {"topic": "a, b", "tone": "dry"}),
    ]
    assert got[2] == BadRow(4, "1 fields where the header has 2")


def test_csv_line_numbers_count_the_lines_of_multi_line_cells() -> None:
    got = rows('topic\n"two\nlines"\nnext\n', "csv")
    assert got == [Row(3, {"topic": "two\nlines"}), Row(4, {"topic": "next"})]


def test_plain_lines_are_one_topic_each_and_blank_lines_are_skipped() -> None:
    assert rows("tides\n\nmoon\r\n", "lines") == [
        Row(1, {"topic": "tides"}),
        Row(3, {"topic": "moon"}),
    ]


def test_rows_are_read_lazily_from_the_stream() -> None:
    source = iter(['{"topic": "a"}\n', "never read\n"])
    first = next(read_rows(source, "jsonl"))
    assert first == Row(1, {"topic": "a"}) and next(source) == "never read\n"


def test_the_format_follows_the_file_name() -> None:
    assert [format_for(n) for n in ("a.jsonl", "b.CSV", "c.txt", "d.ndjson")] == [
        "jsonl",
        "csv",
        "lines",
        "jsonl",
    ]
