"""Text that cannot be encoded (lone surrogates, bytes that are not UTF-8) is stored, visibly.

``storable`` itself, then the recorder: one bad row never takes its batch with it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator_tui.core.events import ResponseFinished
from orchestrator_tui.core.storable import REPLACEMENT, decoded, storable
from orchestrator_tui.core.types import GenerationParams, Message, Usage
from orchestrator_tui.services import open_services
from orchestrator_tui.store.export import from_document


def test_text_that_encodes_is_kept_as_it_is() -> None:
    text = "naïve 😀 — done\n\t"
    assert storable(text) is text


def test_a_lone_surrogate_becomes_a_visible_replacement() -> None:
    assert storable("Hi \ud83d there") == f"Hi {REPLACEMENT} there"
    assert storable("\ude00\ud83d") == REPLACEMENT * 2


def test_a_surrogate_pair_split_into_two_code_points_is_joined() -> None:
    assert storable("\ud83d\ude00!") == "😀!"


def test_argv_bytes_that_are_not_utf8_show_as_replacements() -> None:
    """Python hands an undecodable argv byte on as U+DCxx (``surrogateescape``)."""
    assert storable(b"a \xff b".decode("utf-8", "surrogateescape")) == f"a {REPLACEMENT} b"
    assert decoded(b"a \xff b \xed\xa0\x80") == f"a {REPLACEMENT} b {REPLACEMENT * 3}"


@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)))
def test_any_text_becomes_utf8_and_only_surrogates_change(text: str) -> None:
    clean = storable(text)
    clean.encode("utf-8")
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert clean == text
    else:
        assert REPLACEMENT in clean or len(clean) < len(text)


def answer(session_id: str, response_id: str, text: str, **changes: object) -> ResponseFinished:
    values: dict[str, object] = dict(
        run_id="r",
        session_id=session_id,
        response_id=response_id,
        model="mock:echo",
        status="ok",
        text=text,
        usage=Usage(3, 4),
        ttft=0.1,
        latency=0.2,
        cost=0.0,
        params=GenerationParams(),
        attempts=1,
    )
    values.update(changes)
    return ResponseFinished(**values)  # type: ignore[arg-type]


async def recorded_run(services, prompt: str, text: str, **changes: object) -> str:  # type: ignore[no-untyped-def]
    """Feed the recorder a whole run in one batch, as a stream of events would; the session id."""
    from orchestrator_tui.core.events import ResponseStarted, RunFinished, RunStarted, TextDelta

    run = RunStarted(
        "r", "s1", "compare", "p1", Message("user", prompt), ("mock:echo",), GenerationParams()
    )
    services.recorder(run)
    services.recorder(ResponseStarted("r", "s1", "a1", "mock:echo", "p1"))
    services.recorder(TextDelta("r", "a1", text))
    services.recorder(answer("s1", "a1", text, **changes))
    services.recorder(RunFinished("r", "s1", "completed"))
    await services.recorder.flush()
    return "s1"


async def test_a_lone_surrogate_in_an_answer_is_saved_with_the_rest_of_its_batch(paths) -> None:  # type: ignore[no-untyped-def]
    services = await open_services(paths)
    try:
        session_id = await recorded_run(services, "say \udcff", "Hi \ud83d there")
        [session] = await services.sessions.list()
        rows = await services.sessions.interactions(session_id)
    finally:
        await services.aclose()
    assert session.status == "completed"
    assert [r.content for r in rows] == [f"say {REPLACEMENT}", f"Hi {REPLACEMENT} there"]
    assert rows[1].status == "ok"


async def test_a_row_sqlite_refuses_is_left_out_alone_and_the_run_still_ends(paths, caplog) -> None:  # type: ignore[no-untyped-def]
    """A provider reporting 2**70 tokens: that request row cannot be stored, the rest is."""
    services = await open_services(paths)
    try:
        await recorded_run(services, "hello", "the whole answer", usage=Usage(2**70, 4))
        [session] = await services.sessions.list()
        [_, response] = await services.sessions.interactions(session.id)
    finally:
        await services.aclose()
    assert session.status == "completed"
    assert response.content == "the whole answer" and response.status == "ok"
    assert "one row was not recorded (INSERT INTO requests" in caplog.text


async def test_an_imported_export_spelling_a_lone_surrogate_is_stored_visibly(paths) -> None:  # type: ignore[no-untyped-def]
    services = await open_services(paths)
    try:
        await recorded_run(services, "hello", "fine")
        document = json.loads(await services.sessions.export("s1", "json"))
        document["session"]["id"] = "s2"
        for item in document["interactions"]:
            item["id"] += "-copy"
            item["content"] = "bad \ud83d here"
        await services.sessions.import_detail(from_document(document))
        rows = await services.sessions.interactions("s2")
    finally:
        await services.aclose()
    assert {r.content for r in rows} == {f"bad {REPLACEMENT} here"}


ANY_TEXT = st.text(
    alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=200
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prompt=ANY_TEXT.filter(str.strip), text=ANY_TEXT)
def test_any_text_goes_through_the_recorder_and_back_out_of_the_history_and_exports(
    paths, prompt: str, text: str
) -> None:  # type: ignore[no-untyped-def]
    async def record_and_read() -> tuple[list[str], dict[str, str]]:
        services = await open_services(paths)
        try:
            await services.db.write([("DELETE FROM sessions", ())])
            session_id = await recorded_run(services, prompt, text)
            rows = await services.sessions.interactions(session_id)
            exports = {
                fmt: await services.sessions.export(session_id, fmt)
                for fmt in ("json", "jsonl", "markdown")
            }
        finally:
            await services.aclose()
        return [r.content for r in rows], exports

    contents, exports = asyncio.run(record_and_read())
    expected = [storable(prompt), storable(text)]
    assert contents == expected
    document = json.loads(exports["json"])
    assert [i["content"] for i in document["interactions"]] == expected
    lines = [json.loads(line) for line in exports["jsonl"].split("\n") if line]
    assert [line["content"] for line in lines] == expected
    assert storable(text).strip() in exports["markdown"]
    for exported in exports.values():
        exported.encode("utf-8")


def test_the_database_never_holds_a_surrogate(paths) -> None:  # type: ignore[no-untyped-def]
    """What SQLite keeps is valid UTF-8 (read back as bytes, strictly decoded)."""

    async def record() -> None:
        services = await open_services(paths)
        try:
            await recorded_run(services, "p \udcff", "a \ud83d")
        finally:
            await services.aclose()

    asyncio.run(record())
    with sqlite3.connect(paths.database) as db:
        db.text_factory = bytes
        for (content,) in db.execute("SELECT content FROM interactions"):
            content.decode("utf-8")


def test_a_jsonl_export_whose_answer_holds_line_separators_imports_back(paths, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """U+2028, U+0085 and friends stay raw in JSON; only "\\n" ends a JSONL line."""
    from click.testing import CliRunner

    from orchestrator_tui.cli import cli

    text = "one\u2028two\u2029three\x85four\x1cfive"
    exported = tmp_path / "s.jsonl"
    runner = CliRunner()

    async def record() -> None:
        services = await open_services(paths)
        try:
            await recorded_run(services, "hello", text)
        finally:
            await services.aclose()

    async def forget() -> None:
        services = await open_services(paths)
        try:
            await services.db.write([("DELETE FROM sessions", ())])
        finally:
            await services.aclose()

    asyncio.run(record())
    written = runner.invoke(cli, ["history", "export", "s1", "-f", "jsonl", "-o", str(exported)])
    assert written.exit_code == 0, written.output
    asyncio.run(forget())
    exported.write_bytes(exported.read_bytes().replace(b"hello", b"hel\xfflo"))
    result = runner.invoke(cli, ["history", "import", str(exported)])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(cli, ["history", "export", "s1", "-f", "json"])
    contents = [i["content"] for i in json.loads(shown.output)["interactions"]]
    assert contents == [f"hel{REPLACEMENT}lo", text]
