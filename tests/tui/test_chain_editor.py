"""The chain editor driven by Pilot: the form and the YAML stay in sync, validation shows as you
type, steps can be added, moved, duplicated and deleted, and a chain can be saved and dry-run."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, ListView, Select, Static, TextArea

from orchestrator_tui.config import Config
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.chain_editor import ChainEditorScreen
from orchestrator_tui.tui.screens.chain_inputs import ChainInputsScreen
from orchestrator_tui.tui.screens.chain_run import ChainRunScreen
from orchestrator_tui.tui.screens.choice import ChoiceDialog

SIZE = (150, 44)


async def open_editor(pilot: Pilot, chain: str | None = "draft-review-refine") -> ChainEditorScreen:
    app = pilot.app
    await app.wait_services()  # type: ignore[attr-defined]
    screen = ChainEditorScreen(chain)
    app.push_screen(screen)
    while screen.library is None or not screen.query("#f-id"):
        await pilot.pause()
    await pilot.pause()
    return screen


def yaml_of(screen: ChainEditorScreen) -> str:
    return screen.query_one("#editor-yaml", TextArea).text


def issues_of(screen: ChainEditorScreen) -> str:
    return str(screen.query_one("#editor-issues", Static).render())


async def test_opening_a_preset_shows_its_steps_form_and_yaml(config: Config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        assert len(screen.query_one("#editor-step-list", ListView)) == 2
        assert screen.query_one("#f-model", Input).value == "anthropic:claude-sonnet-4-6"
        assert "kind: refine" in yaml_of(screen)
        assert "valid" in issues_of(screen) and not screen.issues


async def test_typing_in_the_form_updates_the_yaml_and_validates_inline(config: Config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        model = screen.query_one("#f-model", Input)
        model.value = "nope:model"
        await pilot.pause()
        assert "model: nope:model" in yaml_of(screen)
        assert "unknown provider 'nope'" in issues_of(screen)
        assert model.has_class("-invalid")
        model.value = "mock:echo"
        await pilot.pause()
        assert not screen.issues and not model.has_class("-invalid")


async def test_editing_the_yaml_updates_the_form_and_the_step_list(config: Config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        area = screen.query_one("#editor-yaml", TextArea)
        area.load_text(area.text.replace("anthropic:claude-sonnet-4-6", "mock:lorem"))
        await pilot.pause()
        assert screen.query_one("#f-model", Input).value == "mock:lorem"
        area.load_text(area.text.replace("kind: refine", "kind: refinee"))
        await pilot.pause()
        assert "unknown kind 'refinee'" in issues_of(screen)
        area.load_text("steps: [unclosed")
        await pilot.pause()
        assert "invalid YAML" in issues_of(screen)


async def test_steps_are_added_duplicated_moved_and_deleted_with_keys(config: Config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        await pilot.press("ctrl+n")  # a generate step after "draft"
        await pilot.press("f3")  # its copy
        await pilot.pause()
        ids = [s["id"] for s in screen.doc.steps]
        assert ids == ["draft", "generate_1", "generate_2", "polish"]
        await pilot.press("alt+up")
        await pilot.pause()
        assert [s["id"] for s in screen.doc.steps][1] == "generate_2"
        await pilot.press("f4")
        await pilot.pause()
        assert [s["id"] for s in screen.doc.steps] == ["draft", "generate_1", "polish"]
        assert "generate_2" not in yaml_of(screen)
        assert len(screen.query_one("#editor-step-list", ListView)) == 3


async def test_changing_the_kind_shows_that_kinds_fields(config: Config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot, None)
        screen.query_one("#form-kind", Select).value = "refine"
        await pilot.pause()
        await pilot.pause()
        assert screen.query("#f-threshold") and screen.query("#f-target")
        assert "kind: refine" in yaml_of(screen)
        assert "needs `target`" in issues_of(screen)


async def test_a_chain_saved_under_a_name_is_listed_as_the_users(config: Config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot, None)
        screen.query_one("#editor-name", Input).value = "my-flow"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = config.paths.chains_dir / "my-flow.yaml"
        assert saved.read_text().startswith("name: my-flow\n")
        names = {e.name: e.origin for e in screen.library.entries()}  # type: ignore[union-attr]
        assert names["my-flow"] == "user"
        screen.query_one("#editor-open", Select).value = "my-flow"  # listed, so selectable


async def test_a_dry_run_asks_for_inputs_and_runs_on_mock_models(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, ChainInputsScreen)
        app.screen.query_one("#input-topic", Input).value = "otters"
        await pilot.press("enter")
        await pilot.pause()
        run_screen = app.screen
        assert isinstance(run_screen, ChainRunScreen)
        while run_screen.status is None:
            await pilot.pause()
        assert run_screen.status == "completed"
        assert set(run_screen.chain.models) == {"mock:lorem", "mock:judge"}
        services = app.services
        await services.recorder.flush()
        (session,) = await services.sessions.list()
        assert (session.kind, session.chain_name) == ("chain", "draft-review-refine")
        assert session.title == "draft-review-refine: otters"


async def test_an_invalid_chain_does_not_run(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        screen.query_one("#f-prompt", TextArea).load_text("{{ steps.nowhere.output }}")
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen is screen
        assert "no earlier step 'nowhere'" in issues_of(screen)


async def test_picking_a_step_shows_its_form_and_opening_a_chain_loads_it(
    config: Config,
) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        steps = screen.query_one("#editor-step-list", ListView)
        steps.index = 1
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one("#f-threshold", Input).value == "0.8"
        screen.query_one("#editor-open", Select).value = "debate"
        while screen.doc.name != "debate" or not screen.query("#f-turns"):
            await pilot.pause()
        assert screen.query_one("#f-models", Input).value == (
            "anthropic:claude-sonnet-4-6, openai:gpt-4.1-mini"
        )
        assert screen.query_one("#editor-name", Input).value == "debate"


async def test_the_chain_command_in_the_workspace_opens_the_editor(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_services()
        await pilot.pause()
        await pilot.press(*"/chain", "enter")  # no name: which chain? (a new one first)
        for _ in range(200):
            if isinstance(app.screen, ChoiceDialog):
                break
            await pilot.pause(0.02)
        await pilot.press("enter")
        for _ in range(200):
            if isinstance(app.screen, ChainEditorScreen):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, ChainEditorScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ChainEditorScreen)


def test_the_chain_editor_looks_right(config: Config, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def open_it(pilot: Pilot) -> None:
        await open_editor(pilot)

    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_it)


def test_the_chain_editor_shows_errors_inline(config: Config, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def break_it(pilot: Pilot) -> None:
        screen = await open_editor(pilot)
        screen.query_one("#f-model", Input).value = "nope:model"
        await pilot.pause()

    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=break_it)


async def test_the_editor_uses_the_services_chain_library(config: Config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        assert screen.library is await pilot.app.services.chain_library()  # type: ignore[attr-defined]


async def review_own_writing(pilot: Pilot) -> ChainEditorScreen:
    """The refine step reviewed by its writer's model (a warning), and an unknown persona (an error)."""
    screen = await open_editor(pilot)
    screen.query_one("#f-persona", Input).value = "nobody"
    await pilot.pause()
    screen.query_one("#editor-step-list", ListView).index = 1
    while not screen.query("#f-reviewer"):
        await pilot.pause()
    screen.query_one("#f-reviewer", Input).value = "anthropic:claude-sonnet-4-6"
    await pilot.pause()
    return screen


async def test_a_refine_step_reviewed_by_its_own_writer_is_warned_about_next_to_errors(
    config: Config,
) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await review_own_writing(pilot)
        shown = issues_of(screen)
        assert "✗" in shown and "nobody" in shown
        assert "⚠" in shown and "reviews its own writing" in shown
        assert shown.index("✗") < shown.index("⚠")  # errors first
        panel = screen.query_one("#editor-issues", Static).content
        warning = next(line for line in panel.split("\n") if "⚠" in line.plain)
        assert any("warning" in str(span.style) for span in warning.spans)
        assert screen.query_one("#f-reviewer", Input).has_class("-warned")
        screen.query_one("#f-reviewer", Input).value = "mock:judge"
        await pilot.pause()
        assert not screen.warnings and "⚠" not in issues_of(screen)
        assert not screen.query_one("#f-reviewer", Input).has_class("-warned")


def test_the_chain_editor_shows_warnings_beside_errors(config: Config, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=review_own_writing)


def test_the_chain_editor_at_80x24(config: Config, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def open_it(pilot: Pilot) -> None:
        pilot.app.theme = "textual-dark"
        screen = await open_editor(pilot)
        screen.query_one("#f-model", Input).value = "nope:model"
        await pilot.pause()

    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_it)


async def test_f2_opens_settings_from_the_chain_editor_as_everywhere(config: Config) -> None:
    from orchestrator_tui.tui.screens.settings import SettingsScreen

    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SettingsScreen)
        assert len(screen.doc.steps) == 2  # no step was added


async def test_clicking_a_step_selects_it_and_shows_its_form(config: Config) -> None:
    from orchestrator_tui.tui.widgets.chain_steps import StepItem

    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        second = list(screen.query(StepItem))[1]
        await pilot.click(second)
        for _ in range(20):
            if screen.query("#f-threshold"):
                break
            await pilot.pause()
        assert screen.selected == 1
        assert screen.query_one("#f-threshold", Input).value == "0.8"
        assert screen.query_one("#editor-steps").has_pseudo_class("focus-within")


async def test_a_model_field_completes_names_from_the_catalog(config: Config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        model = screen.query_one("#f-model", Input)
        model.focus()
        model.value = ""
        await pilot.press(*"mock:lo")
        for _ in range(20):
            if model._suggestion:
                break
            await pilot.pause()
        await pilot.press("right")  # takes the suggestion
        await pilot.pause()
        assert model.value == "mock:lorem"
        assert "model: mock:lorem" in yaml_of(screen)


async def test_running_an_invalid_chain_lists_its_errors_once(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        screen.query_one("#f-model", Input).value = "nope:model"
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen is screen
        assert issues_of(screen).count("unknown provider 'nope'") == 1
        assert notes == ["Fix 1 error listed under the editor first."]


async def test_at_80_columns_f6_switches_between_the_form_and_the_yaml(config: Config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=(80, 24)) as pilot:
        screen = await open_editor(pilot)
        form, yaml = screen.query_one("#editor-form"), screen.query_one("#editor-yaml-col")
        assert form.display and not yaml.display
        await pilot.press("f6")
        await pilot.pause()
        assert yaml.display and not form.display
        assert screen.focused is screen.query_one("#editor-yaml")
        await pilot.press("f6")
        await pilot.pause()
        assert form.display and not yaml.display


async def test_a_valid_chain_says_what_dry_run_and_run_do(config: Config) -> None:
    async with OrchApp(config=config, warm_sdks=False).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot)
        assert "F5 dry-runs it on free mock models" in issues_of(screen)
        assert "F9 runs it on its own (paid) models" in issues_of(screen)
