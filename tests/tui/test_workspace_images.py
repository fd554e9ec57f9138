"""/attach with an image: it goes to the models that take images; the others say they were skipped."""

from __future__ import annotations

from tests.images import tiny_png


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
        assert lorem.status == "failed"
        note = str(lorem.query_one(".pane-note").render())
        assert "mock:lorem does not take images" in note


async def test_attaching_a_binary_file_that_is_no_image_says_so(open_workspace, tmp_path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00\x01\x02" * 10)
    async with open_workspace() as ws:
        await ws.send(f"/attach {blob}")
        await ws.pilot.pause()
        assert any("only text files and images" in note for note in ws.notes)
