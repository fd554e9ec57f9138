"""The profile picker on Keys & settings: the profiles listed with the one in use marked, a new
one created from a typed name, and Enter on another ending the app with the switch."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Static

from orchestrator_tui.config import Config, Paths, load_config
from orchestrator_tui.config.profiles import create_profile, profile_names
from orchestrator_tui.tui.app import OrchApp, ProfileSwitch
from orchestrator_tui.tui.screens.workspace import WorkspaceScreen
from orchestrator_tui.tui.widgets.profile_picker import ProfilePicker
from tests.tui.test_settings_keys import open_settings, settle


def listed(picker: ProfilePicker) -> list[str]:
    options = picker.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def message(picker: ProfilePicker) -> str:
    return str(picker.query_one("#profile-message", Static).render())


async def test_profiles_are_listed_with_the_one_in_use_marked(paths: Paths) -> None:
    create_profile(paths, "work")
    app = OrchApp(config=load_config(Paths.default(profile="work")), warm_sdks=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        picker = screen.query_one(ProfilePicker)
        await settle(pilot)
        assert listed(picker) == ["  default", "● work (in use)"]
        assert picker.query_one(OptionList).highlighted == 1


async def test_a_typed_name_creates_a_profile_and_enter_on_it_asks_for_the_switch(
    config: Config,
) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        picker = screen.query_one(ProfilePicker)
        await settle(pilot)
        options = picker.query_one(OptionList)
        options.focus()
        await pilot.press("enter")  # the profile in use: nothing to switch to
        assert "default is the one in use" in message(picker)
        assert app.is_running

        await pilot.press("w", "space")  # typed on the list: it goes to the name field
        field = picker.query_one("#new-profile", Input)
        assert field.has_focus and field.value == "w "
        field.value = ""
        options.focus()
        await pilot.press(*"work")
        assert field.has_focus and field.value == "work"
        await pilot.press("enter")
        assert profile_names(config.paths) == ["work"]
        assert field.value == "" and options.has_focus
        assert listed(picker)[1] == "  work" and options.highlighted == 1
        await pilot.press("enter")
    assert app.return_value == ProfileSwitch("work")


async def test_a_bad_or_taken_name_is_refused_and_stays_to_be_corrected(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        picker = screen.query_one(ProfilePicker)
        await settle(pilot)
        field = picker.query_one("#new-profile", Input)
        field.focus()
        for typed, said in (
            ("sk-ant SECRET-9", "Not a profile name: use up to 40 letters"),
            ("default", "'default' is the profile without a name"),
            ("", "Type a name for the new profile first"),
        ):
            field.value = typed
            await pilot.press("enter")
            assert said in message(picker) and "SECRET" not in message(picker)
            assert field.value == typed
        assert profile_names(config.paths) == []
        create_profile(config.paths, "work")
        field.value = "work"
        await pilot.press("enter")
        assert "profile 'work' exists already" in message(picker)
        await pilot.press("escape")  # leaves the settings, not the app
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, WorkspaceScreen)


async def test_choosing_the_default_profile_from_another_asks_for_the_default(
    paths: Paths,
) -> None:
    create_profile(paths, "work")
    app = OrchApp(config=load_config(Paths.default(profile="work")), warm_sdks=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await settle(pilot)
        screen.query_one(ProfilePicker).query_one(OptionList).focus()
        await pilot.press("up", "enter")
    assert app.return_value == ProfileSwitch(None)


async def test_a_profile_whose_history_cannot_open_can_still_be_left(config: Config) -> None:
    """F2 says what is wrong instead of crashing, and another profile can still be chosen."""
    config.paths.database.mkdir()  # a folder where the database file should be
    create_profile(config.paths, "work")
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.wait_paths()
        await pilot.press("f2")
        await settle(pilot)
        assert "could not open the history database" in str(
            app.screen.query_one("#key-message", Static).render()
        )
        picker = app.screen.query_one(ProfilePicker)
        assert listed(picker) == ["● default (in use)", "  work"]
        picker.query_one(OptionList).focus()
        await pilot.press("down", "enter")
    assert app.return_value == ProfileSwitch("work")
