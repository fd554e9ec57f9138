"""Images: recognised by content, limited in size, sent only to models that take them, kept in
the history as path and hash, named in exports."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.core.images import MAX_IMAGE_BYTES, ImageError, load_image
from orchestrator_tui.core.ports import cache_key
from orchestrator_tui.core.types import GenerationParams, Message, Part, TextPart
from tests.images import tiny_png


def run_cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    path.write_bytes(tiny_png())
    return path


def test_an_image_is_recognised_by_its_bytes_and_hashed(photo: Path) -> None:
    image = load_image(photo)
    assert image.media_type == "image/png" and image.path == str(photo)
    assert image.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    renamed = photo.with_name("photo.jpg")
    renamed.write_bytes(photo.read_bytes())
    assert load_image(renamed).media_type == "image/png"


def test_an_image_over_10_mb_is_refused_with_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(tiny_png() + b"\0" * (MAX_IMAGE_BYTES + 1 - len(tiny_png())))
    with pytest.raises(ImageError) as caught:
        load_image(big)
    assert str(caught.value) == (
        "big.png is 10.0 MB (10,485,761 bytes); images may be at most 10.0 MB (10,485,760 bytes)"
    )


def test_a_large_file_that_is_not_an_image_is_called_so_not_too_large(tmp_path: Path) -> None:
    """Seen with a 10 MB text file: 'images may be at most 10.0 MB', as if it were an image."""
    big = tmp_path / "big.txt"
    big.write_bytes(b"text " * (MAX_IMAGE_BYTES // 4))
    with pytest.raises(ImageError, match=r"big.txt is not an image \(PNG"):
        load_image(big)


def test_a_file_that_is_not_an_image_is_refused_by_name(tmp_path: Path) -> None:
    notes = tmp_path / "notes.png"
    notes.write_text("just text", encoding="utf-8")
    with pytest.raises(ImageError, match=r"notes.png is not an image \(PNG, JPEG, GIF or WebP\)"):
        load_image(notes)
    result = CliRunner().invoke(cli, ["ask", "-m", "echo", "--attach", str(notes), "hi"])
    assert result.exit_code == 2 and "notes.png is not an image" in result.output


def test_the_cache_key_follows_the_parts_in_order(photo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.png"
    other.write_bytes(tiny_png(3, 3))
    image, second = load_image(photo), load_image(other)
    question, more = TextPart("what is it"), TextPart(" and this?")
    contents: list[tuple[Part, ...]] = [
        (question,),
        (question, image),
        (question, second),
        (image, question),
        (question, image, more),
        (question, more, image),
    ]
    keys = {cache_key("mock:echo", GenerationParams(), [Message("user", c)]) for c in contents}
    assert len(keys) == len(contents)
    moved = photo.rename(tmp_path / "moved.png")  # the same bytes elsewhere: the same key
    assert cache_key("mock:echo", GenerationParams(), [Message("user", (question, image))]) == (
        cache_key("mock:echo", GenerationParams(), [Message("user", (question, load_image(moved)))])
    )


def test_a_reader_of_text_alone_is_told_where_each_image_was(photo: Path) -> None:
    image = load_image(photo)
    message = Message("user", (TextPart("Look:"), image, TextPart("What is it?")))
    assert message.text == "Look:What is it?"
    assert message.plain() == (
        f"Look:\n[image {photo} (image/png, {len(image.data):,} bytes)]\nWhat is it?"
    )


def test_ask_sends_the_image_to_a_vision_model_and_skips_the_others_with_a_note(
    paths, photo: Path
) -> None:
    result = run_cli(
        "ask", "-m", "echo", "-m", "lorem", "--attach", str(photo), "what is it", "--json"
    )
    assert result.exit_code == 0, result.output
    answers = {r["model"]: r for r in json.loads(result.output)["responses"]}
    assert (
        answers["mock:echo"]["text"]
        == f"what is it\n[image {photo} (image/png, {photo.stat().st_size:,} bytes)]"
    )
    lorem = answers["mock:lorem"]
    assert lorem["status"] == "skipped"
    assert lorem["cost"] == 0  # never sent: nothing spent (it read '$?', and so did the total)
    assert lorem["error"] == (
        "not sent — mock:lorem does not take images (its catalog entry has no `vision: true`)"
    )
    with sqlite3.connect(paths.database) as db:
        (metadata,) = db.execute(
            "SELECT metadata FROM interactions WHERE type = 'prompt'"
        ).fetchone()
        requested = [row[0] for row in db.execute("SELECT model FROM requests")]
    assert requested == ["mock:echo"]  # the skipped model made no request
    assert json.loads(metadata)["attachments"] == [
        {
            "path": str(photo),
            "media_type": "image/png",
            "bytes": photo.stat().st_size,
            "sha256": hashlib.sha256(photo.read_bytes()).hexdigest(),
            "at": len("what is it"),
        }
    ]
    stored = paths.database.read_bytes()
    assert base64.b64encode(photo.read_bytes()) not in stored and tiny_png() not in stored


def test_a_provider_limit_below_the_image_skips_that_model(
    paths, photo: Path, write_models
) -> None:
    write_models("providers:\n  mock: {max_image_bytes: 10}\n")
    result = run_cli("ask", "-m", "echo", "--attach", str(photo), "what", "--json")
    (answer,) = json.loads(result.output)["responses"]
    assert answer["status"] == "skipped"
    assert "photo.png is 73 bytes; mock takes images of at most 10 bytes" in answer["error"]


def test_the_markdown_export_says_what_was_attached(paths, photo: Path) -> None:
    run_cli("ask", "-m", "echo", "--attach", str(photo), "what is it")
    session = json.loads(run_cli("history", "list", "--json").output)[0]["id"]
    exported = run_cli("history", "export", session, "-f", "markdown").output
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    size = photo.stat().st_size
    assert f"- Attached: `{photo}` (image/png, {size:,} bytes, sha256 {digest})" in exported


async def sent_and_stored(services, prompt: tuple[Part, ...], model: str):  # type: ignore[no-untyped-def]
    """The stored detail of a session that sent ``prompt`` to ``model``."""
    run = services.orchestrator.fan_out(prompt, [model])
    await run.wait()
    await services.recorder.flush()
    return await services.sessions.detail(run.session_id)


async def test_the_session_detail_says_what_was_attached(services, photo: Path) -> None:
    from orchestrator_tui.tui.screens.session_detail import render_item

    detail = await sent_and_stored(
        services, (TextPart("what is it"), load_image(photo)), "mock:echo"
    )
    prompt = next(i for i in detail.interactions if i.type == "prompt")
    shown = render_item(detail, prompt).plain.splitlines()
    assert shown[1:] == ["what is it", f"attached: {photo} (image/png, 73 bytes)"]


async def test_a_skipped_answer_reads_as_a_note_not_an_error(services, photo: Path) -> None:
    """Seen in the session detail: 'error: not sent — mock:lorem does not take images'."""
    from orchestrator_tui.store.export import to_markdown
    from orchestrator_tui.tui.screens.session_detail import render_item

    detail = await sent_and_stored(services, (TextPart("what"), load_image(photo)), "mock:lorem")
    skipped = next(i for i in detail.interactions if i.status == "skipped")
    shown = render_item(detail, skipped).plain
    assert "note: not sent — mock:lorem does not take images" in shown and "error" not in shown
    assert "> Note: not sent — mock:lorem" in to_markdown(detail)
