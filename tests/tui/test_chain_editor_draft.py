"""F7 in the chain editor: a model writes the chain from a sentence, repaired with the checker's
errors; the draft opens in the editor to check and save."""

from __future__ import annotations

from textual.widgets import Input

from orchestrator_tui.config import load_config
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.chain_draft import DraftDialog
from tests.scripted_model import scripted_model
from tests.test_chains_new import INVALID, SENTENCE, VALID
from tests.tui.test_chain_editor import SIZE, issues_of, open_editor, yaml_of


async def test_f7_drafts_a_chain_that_opens_in_the_editor(paths, write_models) -> None:
    with scripted_model([INVALID, VALID]) as model:
        write_models(model.models_yaml())
        config = load_config(paths)
        async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
            screen = await open_editor(pilot, None)
            await pilot.press("f7")
            await pilot.pause()
            assert isinstance(pilot.app.screen, DraftDialog)
            pilot.app.screen.query_one("#draft-what", Input).value = SENTENCE
            pilot.app.screen.query_one("#draft-model", Input).value = "scripted:writer"
            pilot.app.screen.query_one("#draft-model", Input).focus()
            await pilot.press("enter")
            for _ in range(400):  # frames, not seconds
                if "critique-loop" in yaml_of(screen):
                    break
                await pilot.pause(0.02)
            assert "name: critique-loop" in yaml_of(screen)
            assert "reviewer: mock:judge" in yaml_of(screen)
            await pilot.pause()
            assert not screen.issues and "valid" in issues_of(screen)
    assert len(model.requests) == 2
    assert (
        "steps[0].model: a generate step needs `model`"
        in model.requests[1]["messages"][-1]["content"]
    )


async def test_escape_closes_the_dialog_without_drafting(config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot, None)
        before = yaml_of(screen)
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen and yaml_of(screen) == before
