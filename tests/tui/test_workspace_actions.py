"""Review, synthesis, attachments, slash commands, per-model parameters and pane actions."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from orchestrator_tui.tui.screens.choice import ChoiceDialog
from orchestrator_tui.tui.screens.model_params import ModelParamsScreen
from orchestrator_tui.tui.widgets.model_picker import ModelPicker
from orchestrator_tui.tui.widgets.prompt_box import PromptBox


async def test_review_puts_a_score_badge_on_every_answer_and_records_it(open_workspace) -> None:
    async with open_workspace() as ws:
        await ws.send("What is a monad?")
        await ws.settled()
        await ws.send("/review")
        await ws.settled()
        for key in ("mock:lorem", "mock:echo"):
            pane = ws.pane(key)
            assert pane.review is not None and pane.review.score is not None
            assert "★" in str(pane.query_one(".pane-header").render())
        ws.pane("mock:echo").focus()
        await ws.pilot.press("f")
        await ws.services.recorder.flush()
        rows = await ws.services.db.fetchall("SELECT score FROM reviews")
        assert len(rows) == 2


async def test_ctrl_t_asks_who_synthesizes_once_and_streams_into_its_own_pane(
    open_workspace,
) -> None:
    async with open_workspace() as ws:
        await ws.send("Name a colour")
        await ws.settled()
        await ws.pilot.press("ctrl+t")
        await ws.until(lambda: isinstance(ws.app.screen, ChoiceDialog), "the question")
        labels = [label for _, label in ws.app.screen.choices]
        keyless = [i for i, label in enumerate(labels) if label.endswith("(no API key)")]
        assert keyless and keyless == list(range(keyless[0], len(labels)))  # said so, and last
        assert "anthropic:claude-sonnet-4-6  (no API key)" in labels
        await ws.pilot.press("down", "enter")  # the second model that answered: mock:echo
        await ws.settled()
        synthesis = ws.pane("synthesis")
        assert synthesis.status == "ok" and synthesis.text
        assert not synthesis.text.lstrip().startswith("{")  # an answer, not a judge's verdict
        assert synthesis.title == "synthesis · mock:echo"
        await ws.pilot.press("ctrl+t")  # remembered for the session: no question
        await ws.pilot.pause()
        assert not isinstance(ws.app.screen, ChoiceDialog)
        await ws.settled()
        await ws.services.recorder.flush()
        rows = await ws.services.db.fetchall(
            "SELECT status, model FROM interactions WHERE type = 'synthesis'"
        )
        assert [(r["status"], r["model"]) for r in rows] == [("ok", "mock:echo")] * 2


async def test_attached_text_file_goes_with_the_next_prompt(open_workspace, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("the attached line\n", encoding="utf-8")
    async with open_workspace() as ws:
        await ws.send(f"/attach {notes}")
        await ws.until(lambda: ws.screen.session.attachments, "attached")
        assert "notes.md" in str(ws.screen.query_one("#attachments").render())
        await ws.send("summarise")
        await ws.settled()
        assert "the attached line" in ws.pane("mock:echo").text
        assert ws.screen.session.attachments == []
        await ws.send(f"/attach {notes}")
        await ws.until(lambda: ws.screen.session.attachments, "attached again")
        await ws.send("/attach off")
        await ws.until(lambda: not ws.screen.session.attachments, "dropped")
        assert not ws.screen.query_one("#attachments").display


async def test_binary_and_oversized_files_are_refused(open_workspace, tmp_path: Path) -> None:
    binary = tmp_path / "data.bin"  # binary and no image (an image would be attached as one)
    binary.write_bytes(b"\x00\x01\x02\x03\x00\x00\x00")
    big = tmp_path / "big.txt"
    big.write_text("x" * 300_000)
    async with open_workspace() as ws:
        for path in (binary, big, tmp_path / "missing.txt"):
            await ws.send(f"/attach {path}")
            await ws.pilot.pause(0.1)
        assert ws.screen.session.attachments == []
        messages = ws.notes
        assert any("binary" in m for m in messages)
        assert any("limit" in m for m in messages)
        assert any("no such file" in m for m in messages)


async def test_tab_completes_slash_commands_and_the_hint_lists_them(open_workspace) -> None:
    async with open_workspace() as ws:
        prompt = ws.screen.query_one(PromptBox)
        prompt.focus()
        await ws.pilot.press("/", "s")
        assert "/synthesize" in str(ws.screen.query_one("#hint").render())
        await ws.pilot.press("y", "n", "tab")
        assert prompt.text == "/synthesize "
        await ws.pilot.press("ctrl+a")
        prompt.text = ""
        await ws.pilot.press("a", "alt+enter", "b", "ctrl+j", "c")
        assert prompt.text == "a\nb\nc"


async def test_per_model_parameters_apply_to_that_model_only(open_workspace) -> None:
    async with open_workspace() as ws:
        picker = ws.screen.query_one(ModelPicker)
        lorem_index = picker.query_one("SelectionList").get_option_index("mock:lorem")
        picker.query_one("SelectionList").highlighted = lorem_index
        picker.query_one("SelectionList").focus()
        await ws.pilot.press("p")
        await ws.until(lambda: isinstance(ws.app.screen, ModelParamsScreen), "dialog open")
        ws.app.screen.query_one("#max_tokens", Input).value = "5"
        await ws.pilot.press("ctrl+s")
        await ws.until(lambda: "mock:lorem" in ws.screen.session.params, "saved")
        assert ws.screen.session.params["mock:lorem"].max_tokens == 5
        assert "mock:echo" not in ws.screen.session.params
        # what the model then receives: tests/test_workspace_session.py (per-model parameters)


async def test_pane_actions_copy_maximize_and_mark_best(open_workspace) -> None:
    async with open_workspace() as ws:
        await ws.send("code please")
        await ws.settled()
        lorem = ws.pane("mock:lorem")
        lorem.focus()
        await ws.pilot.press("c")
        assert ws.app.clipboard == lorem.text
        await ws.pilot.press("b")
        assert ws.app.clipboard == lorem.body.code_blocks()[0]
        await ws.pilot.press("m")
        assert ws.screen.maximized is lorem
        await ws.pilot.press("m")
        assert ws.screen.maximized is None
        await ws.pilot.press("v")
        assert lorem.best and not ws.pane("mock:echo").best
        assert "best" in str(lorem.query_one(".pane-header").render())


async def test_typing_on_an_answer_goes_to_the_prompt_box_not_to_its_keys(open_workspace) -> None:
    """Seen in tmux: Tab, then a prompt typed on the focused answer: the text was lost, and its
    letters ran the pane's keys (r retried, a paid request with real models)."""
    async with open_workspace() as ws:
        await ws.send("first")
        await ws.settled()
        ws.pane("mock:lorem").focus()
        await ws.pilot.press(*"hello there")
        box = ws.screen.query_one(PromptBox)
        assert box.has_focus and box.text == "hello there"
        ws.screen.query_one(ModelPicker).query_one("SelectionList").focus()
        box.clear()
        await ws.pilot.press(*"next one")
        assert box.has_focus and box.text == "next one"
        await ws.pilot.press("enter")
        await ws.settled()
        assert ws.pane("mock:echo").text.endswith("next one")  # sent once, whole


async def test_unknown_model_in_models_command_is_reported(open_workspace) -> None:
    async with open_workspace() as ws:
        await ws.send("/models nosuch:model")
        await ws.pilot.pause()
        assert ws.screen.session.models == ["mock:lorem", "mock:echo"]
        assert any("nosuch" in note for note in ws.notes)
