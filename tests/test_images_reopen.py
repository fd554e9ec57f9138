"""A continued session sends its earlier images again when their files are unchanged, and goes on
without them, saying which and why, when they are gone or changed (history in a real SQLite file)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from orchestrator_tui.config import Paths
from orchestrator_tui.core.conversation import Conversation
from orchestrator_tui.core.images import load_image
from orchestrator_tui.core.types import Message, Part, TextPart
from orchestrator_tui.services import Services
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.migrations import MIGRATIONS, PROMPT_ATTACHMENTS
from orchestrator_tui.store.reopen import lost_note
from orchestrator_tui.store.sessions import SessionStore
from tests.images import tiny_png


async def converse(services: Services, *prompts: str | Sequence[Part]) -> Conversation:
    """Send each prompt to the echo model in one conversation, and store it all."""
    live = Conversation()
    for prompt in prompts:
        run = services.orchestrator.fan_out(prompt, ["mock:echo"], conversation=live)
        await run.wait()
    await services.recorder.flush()
    return live


async def test_a_reopened_session_sends_its_images_again_in_their_places(
    services: Services, paths: Paths, tmp_path: Path
) -> None:
    before, after = tmp_path / "before.png", tmp_path / "after.png"
    before.write_bytes(tiny_png(2, 2))
    after.write_bytes(tiny_png(3, 3))
    first = (TextPart("Before:"), load_image(before), TextPart("After:"), load_image(after))
    live = await converse(services, first, "And the colour?")

    reopened = await services.sessions.reopened(live.session_id)

    assert reopened.lost == ()
    assert reopened.conversation.histories == live.histories
    sent = reopened.conversation.histories["mock:echo"][0]
    assert sent == Message("user", first)  # text and images, each in its place
    assert reopened.prompt == Message("user", "And the colour?")
    assert tiny_png(2, 2) not in paths.database.read_bytes()  # path and hash, not the bytes


async def test_a_moved_or_changed_image_is_left_out_and_named_and_the_conversation_goes_on(
    services: Services, tmp_path: Path
) -> None:
    gone, changed = tmp_path / "gone.png", tmp_path / "changed.png"
    gone.write_bytes(tiny_png(2, 2))
    changed.write_bytes(tiny_png(3, 3))
    prompt = (TextPart("Compare"), load_image(gone), load_image(changed))
    live = await converse(services, prompt)
    gone.unlink()
    changed.write_bytes(tiny_png(4, 4))

    reopened = await services.sessions.reopened(live.session_id)

    assert reopened.lost == (
        f"{gone} (no longer there)",
        f"{changed} (changed since it was sent)",
    )
    assert lost_note(reopened.lost) == (
        f"The conversation continues without 2 images sent earlier: {gone} (no longer there);"
        f" {changed} (changed since it was sent)"
    )
    user, answer = reopened.conversation.histories["mock:echo"]
    assert user == Message("user", "Compare") and answer.text.startswith("Compare")
    assert reopened.prompt == Message("user", "Compare")
    follow = services.orchestrator.fan_out(
        "Still there?", ["mock:echo"], conversation=reopened.conversation
    )
    await follow.wait()
    (ended,) = follow.results.values()
    assert ended.status == "ok" and ended.text == "Still there?"


async def test_images_kept_on_the_session_by_an_older_history_move_to_its_first_prompt(
    tmp_path: Path,
) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(tiny_png(2, 2))
    image = load_image(picture)
    path = tmp_path / "old.sqlite3"
    before = MIGRATIONS.index(PROMPT_ATTACHMENTS)
    old = {"name": str(picture), "media_type": "image/png", "bytes": 1, "sha256": image.sha256}
    with sqlite3.connect(path) as conn:
        conn.executescript("".join(MIGRATIONS[:before]) + f"PRAGMA user_version = {before};")
        conn.execute(
            "INSERT INTO sessions (id, kind, status, created_at, updated_at, metadata)"
            " VALUES ('s', 'conversation', 'completed', 1, 1, ?)",
            (json.dumps({"models": ["mock:echo"], "attachments": [old]}),),
        )
        turns = [
            ("p1", None, "prompt", None, "What is it?"),
            ("a1", "p1", "response", "mock:echo", "A dot."),
            ("p2", "a1", "prompt", None, "And now?"),
            ("a2", "p2", "response", "mock:echo", "Still a dot."),
        ]
        for seq, row in enumerate(turns):
            conn.execute(
                "INSERT INTO interactions (id, parent_id, session_id, type, model, content,"
                " status, created_at) VALUES (?, ?, 's', ?, ?, ?, 'ok', ?)",
                (*row, seq),
            )
    db = await Database.open(path)
    try:
        reopened = await SessionStore(db).reopened("s")
        session = await db.fetchone("SELECT metadata FROM sessions WHERE id = 's'")
    finally:
        await db.close()
    first, _, second, _ = reopened.conversation.histories["mock:echo"]
    assert first == Message("user", (TextPart("What is it?"), image))
    assert second == Message("user", "And now?") and reopened.lost == ()
    assert "attachments" not in json.loads(session[0])
