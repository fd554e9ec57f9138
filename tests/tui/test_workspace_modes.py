"""/mode in the workspace: the mode's prompt and models apply, the header shows it, the session
stores it."""

from __future__ import annotations

from orchestrator_tui.core.modes import ModeLibrary


async def test_slash_mode_applies_its_prompt_and_models_shows_and_stores_it(
    open_workspace, paths
) -> None:
    folder = paths.config_dir / "modes"
    folder.mkdir(parents=True)
    (folder / "terse.yaml").write_text(
        "description: one line\nsystem: Answer in one line.\nmodels: [echo]\n", encoding="utf-8"
    )
    async with open_workspace() as ws:
        await ws.send("/mode terse")
        await ws.pilot.pause()
        assert ws.screen.session.models == ["mock:echo"]
        assert "mode terse" in str(ws.screen.query_one("HeaderTitle").render())
        await ws.send("Explain tides")
        await ws.settled()
        await ws.services.recorder.flush()
        (session,) = await ws.services.sessions.list()
        assert session.metadata["mode"] == "terse"
        assert session.metadata["params"]["system"] == "Answer in one line."
        await ws.send("/mode nope")
        assert any("no mode named 'nope'" in note for note in ws.notes)
        await ws.send("/mode off")
        await ws.pilot.pause()
        assert "mode" not in str(ws.screen.query_one("HeaderTitle").render())
        assert ws.screen.session.conversation.mode is None


async def test_slash_mode_alone_lists_the_modes(open_workspace, paths) -> None:
    async with open_workspace() as ws:
        await ws.send("/mode")
        await ws.pilot.pause()
        listing = ws.notes[-1]
        assert all(name in listing for name in ModeLibrary(paths.chain_folders()).modes)


async def test_a_reopened_session_brings_back_its_mode(open_workspace, paths) -> None:
    from orchestrator_tui.core.conversation import Conversation

    async with open_workspace() as ws:
        header = ws.screen.query_one("HeaderTitle")
        assert await ws.screen.continue_session(Conversation(mode="debug"), ["mock:echo"])
        await ws.pilot.pause()
        assert ws.screen.session.mode is not None and ws.screen.session.mode.name == "debug"
        assert "mode debug" in str(header.render())
        assert await ws.screen.continue_session(Conversation(), ["mock:echo"])
        await ws.pilot.pause()
        assert ws.screen.session.mode is None and "mode" not in str(header.render())
