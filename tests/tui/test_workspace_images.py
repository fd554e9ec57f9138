"""/attach with an image: it goes to the models that take images; the others say they were skipped."""

from __future__ import annotations

from orchestrator_tui.core.images import load_image
from orchestrator_tui.tui.screens.workspace import WorkspaceScreen
from tests.images import tiny_png

from .test_reopen_conversation import reopen_newest


async def test_an_attached_image_reaches_a_vision_model_and_the_other_pane_says_why_not(
    open_workspace, tmp_path
) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(tiny_png())
    async with open_workspace() as ws:
        await ws.send(f"/attach {photo}")
        await ws.pilot.pause()
        assert "photo.png" in str(ws.screen.query_one("#attachments").render())
        await ws.send("what is in it?")
        await ws.settled()
        echo, lorem = ws.pane("mock:echo"), ws.pane("mock:lorem")
        assert echo.status == "ok" and f"[image {photo} (image/png" in echo.text
        assert lorem.status == "skipped"  # not a failure: it was never sent
        note = str(lorem.query_one(".pane-note").render())
        assert "mock:lorem does not take images" in note


async def test_attaching_a_binary_file_that_is_no_image_says_so(open_workspace, tmp_path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00\x01\x02" * 10)
    async with open_workspace() as ws:
        await ws.send(f"/attach {blob}")
        await ws.pilot.pause()
        assert any("only text files and images" in note for note in ws.notes)


async def test_a_reopened_session_keeps_its_images_and_one_note_names_the_one_gone(
    open_workspace, tmp_path
) -> None:
    gone, kept = tmp_path / "gone.png", tmp_path / "kept.png"
    gone.write_bytes(tiny_png(3, 3))
    kept.write_bytes(tiny_png(2, 2))
    async with open_workspace() as ws:
        await ws.send("/models echo")
        for photo in (gone, kept):
            await ws.send(f"/attach {photo}")
            await ws.send(f"what is in {photo.name}?")
            await ws.settled()
        gone.unlink()
        await ws.screen.action_clear()
        await reopen_newest(ws)
        lost = [n for n in ws.notes if "continues without" in n]
        assert lost == [
            f"The conversation continues without an image sent earlier: {gone} (no longer there)"
        ]
        session = ws.screen.session
        history = session.conversation.histories["mock:echo"]
        assert [m.images for m in history if m.role == "user"] == [(), (load_image(kept),)]
        assert session.prompt is not None and session.prompt.images == (load_image(kept),)
        await ws.send("and now?")  # the conversation goes on
        await ws.settled()
        assert ws.pane("mock:echo").status == "ok" and ws.pane("mock:echo").text == "and now?"


async def test_a_rerun_from_the_history_sends_the_image_again(open_workspace, tmp_path) -> None:
    from orchestrator_tui.tui.screens.history_dialogs import ConfirmDialog

    photo = tmp_path / "photo.png"
    photo.write_bytes(tiny_png())
    async with open_workspace() as ws:
        await ws.send("/models echo")
        await ws.send(f"/attach {photo}")
        await ws.send("what is in it?")
        await ws.settled()
        await ws.pilot.press("ctrl+o")
        await ws.until(lambda: not isinstance(ws.app.screen, WorkspaceScreen), "history open")
        await ws.app.workers.wait_for_complete()
        await ws.pilot.press("down", "r")
        await ws.until(lambda: isinstance(ws.app.screen, ConfirmDialog), "asked first")
        question = ws.app.screen.question  # type: ignore[attr-defined]
        assert question.startswith("Send this prompt and its 1 image again to 1 model (mock:echo)")
        await ws.pilot.press("enter")
        await ws.until(lambda: isinstance(ws.app.screen, WorkspaceScreen), "back to work")
        await ws.settled()
        echo = ws.pane("mock:echo")
        assert echo.status == "ok" and f"[image {photo} (image/png" in echo.text
        await ws.services.recorder.flush()
        assert await ws.services.sessions.count() == 2  # in a new session
