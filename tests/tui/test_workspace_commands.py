"""Slash commands in the workspace: /chain opens what it names, a failed command keeps the line."""

from __future__ import annotations

from orchestrator_tui.tui.screens.chain_editor import ChainEditorScreen
from orchestrator_tui.tui.screens.choice import ChoiceDialog
from orchestrator_tui.tui.widgets.prompt_box import PromptBox


async def test_chain_with_a_name_opens_that_chain(open_workspace) -> None:
    async with open_workspace() as ws:
        await ws.send("/chain debate")
        await ws.until(lambda: isinstance(ws.app.screen, ChainEditorScreen), "the editor")
        editor = ws.app.screen
        await ws.until(lambda: editor.doc.name == "debate", "the debate chain loaded")


async def test_chain_alone_offers_the_list_and_opens_the_choice(open_workspace) -> None:
    async with open_workspace() as ws:
        await ws.send("/chain")
        await ws.until(lambda: isinstance(ws.app.screen, ChoiceDialog), "the list")
        labels = [str(o.prompt) for o in ws.app.screen.query_one("OptionList").options]
        assert labels[0].startswith("a new chain")
        assert any(label.startswith("code-review") for label in labels)
        ws.app.screen.query_one("OptionList").highlighted = next(
            i for i, label in enumerate(labels) if label.startswith("red-team")
        )
        await ws.pilot.press("enter")
        await ws.until(lambda: isinstance(ws.app.screen, ChainEditorScreen), "the editor")
        editor = ws.app.screen
        await ws.until(lambda: editor.doc.name == "red-team", "the chosen chain loaded")


async def test_an_unknown_chain_or_command_keeps_the_line_to_fix(open_workspace) -> None:
    async with open_workspace() as ws:
        await ws.send("/chain debtae")
        box = ws.screen.query_one(PromptBox)
        await ws.until(lambda: box.text == "/chain debtae", "the line kept")
        assert any("no chain named 'debtae'" in note for note in ws.notes)
        box.clear()
        await ws.send("/modles mock:echo")
        assert box.text == "/modles mock:echo"


async def test_an_unknown_mode_or_vote_keeps_the_line_to_fix(open_workspace) -> None:
    """Seen in tmux: '/mode nosuch' said so and emptied the box, unlike every other command."""
    async with open_workspace() as ws:
        box = ws.screen.query_one(PromptBox)
        await ws.send("/mode degub")
        await ws.until(lambda: box.text == "/mode degub", "the line kept")
        assert any("no mode named 'degub'" in note for note in ws.notes)
        assert ws.screen.session.mode is None
        box.clear()
        await ws.send("/vote maybe")
        await ws.until(lambda: box.text == "/vote maybe", "the line kept")
        box.clear()
        await ws.send("/mode debug")
        await ws.until(lambda: ws.screen.session.mode is not None, "the mode in use")
        assert box.text == ""
