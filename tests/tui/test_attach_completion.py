"""Tab in the prompt box completes the path after /attach."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator_tui.tui.widgets.prompt_box import PromptBox


async def test_tab_completes_the_file_after_attach(
    open_workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "meeting-notes.md").write_text("# notes\n")
    monkeypatch.chdir(tmp_path)
    async with open_workspace() as ws:
        box = ws.screen.query_one(PromptBox)
        box.focus()
        await ws.pilot.press(*"/attach mee", "tab")
        await ws.pilot.pause()
        assert box.text == "/attach meeting-notes.md"
        assert ws.screen.focused is box  # Tab completed; it did not move the focus away
