"""Profiles: each has its own configuration overlay, history database and keys."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.config import PROFILE_ENV, Paths, load_config
from orchestrator_tui.config.profiles import create_profile, profile_names
from orchestrator_tui.entry import PROFILE_ENV as ENTRY_PROFILE_ENV
from orchestrator_tui.entry import app_profile
from orchestrator_tui.store.keys import keystore_for


def run_cli(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    """One command; the environment is given back afterwards (``--profile`` sets a variable)."""
    runner = CliRunner(env={PROFILE_ENV: ""})
    return runner.invoke(cli, list(args), input=input, catch_exceptions=False)


def make_profiles(*names: str) -> None:
    for name in names:
        assert run_cli("profiles", "create", name).exit_code == 0


def test_a_key_saved_in_one_profile_is_not_visible_in_another(orch_home) -> None:
    make_profiles("work", "personal")
    result = run_cli(
        "--profile", "work", "keys", "set", "openai", input="sk-work-key-000000000001\n"
    )
    assert result.exit_code == 0, result.output
    work = keystore_for(load_config(Paths.default(profile="work")))
    personal = keystore_for(load_config(Paths.default(profile="personal")))
    default = keystore_for(load_config(Paths.default()))
    assert work.get("openai") == "sk-work-key-000000000001"
    assert personal.get("openai") is None
    assert default.get("openai") is None
    listed = json.loads(run_cli("--profile", "personal", "keys", "list", "--json").output)
    assert {row["provider"]: row["source"] for row in listed}["openai"] == "missing"
    listed = json.loads(run_cli("--profile", "work", "keys", "list", "--json").output)
    assert {row["provider"]: row["source"] for row in listed}["openai"] == "keyring"


def test_searches_do_not_cross_profiles(orch_home) -> None:
    make_profiles("work", "personal")
    assert run_cli("--profile", "work", "ask", "-m", "echo", "zebra quarterly plan").exit_code == 0
    found = run_cli("--profile", "work", "history", "search", "zebra", "--json")
    assert "zebra quarterly plan" in found.output
    elsewhere = run_cli("--profile", "personal", "history", "search", "zebra", "--json")
    assert elsewhere.exit_code == 0 and json.loads(elsewhere.output) == []
    assert json.loads(run_cli("history", "search", "zebra", "--json").output) == []
    work, default = Paths.default(profile="work"), Paths.default()
    assert work.database != default.database and work.database.exists()


def test_profiles_are_created_listed_and_deleted_with_their_keys(orch_home, memory_keyring) -> None:
    assert run_cli("profiles", "create", "work").exit_code == 0
    assert run_cli("profiles", "create", "work").exit_code == 2
    run_cli("--profile", "work", "keys", "set", "mistral", input="mistral-key-0000000001\n")
    assert run_cli("profiles", "list").output.splitlines() == ["* default", "  work"]
    listed = CliRunner(env={"ORCH_TUI_PROFILE": "work"}).invoke(cli, ["profiles", "list"])
    assert listed.output.splitlines() == ["  default", "* work"]
    result = run_cli("profiles", "delete", "work", "--yes")
    assert result.exit_code == 0 and "1 saved key(s) removed" in result.output
    assert memory_keyring.get_password("orch-tui/work", "mistral") is None
    assert run_cli("profiles", "list").output.splitlines() == ["* default"]
    assert not (orch_home / "config" / "profiles" / "work").exists()


def test_a_bad_profile_name_is_one_clear_line() -> None:
    result = CliRunner().invoke(cli, ["--profile", "../etc", "models"])
    assert result.exit_code == 2 and "profile name '../etc'" in result.output


def test_a_profile_that_does_not_exist_is_one_clear_line_and_makes_nothing(orch_home) -> None:
    """A typo must not open an empty history (and save keys where no one looks)."""
    make_profiles("work")
    result = run_cli("--profile", "wrok", "history", "list")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "orch-tui: error: no profile 'wrok': `orch-tui profiles create wrok` makes it"
        " (`orch-tui profiles list` shows the profiles there are)"
    )
    assert run_cli("profiles", "list").output.splitlines() == ["* default", "  work"]
    named = CliRunner(env={PROFILE_ENV: "wrok"})  # the variable names it: listing and making work
    assert named.invoke(cli, ["profiles", "list"]).output.splitlines() == ["  default", "  work"]
    assert named.invoke(cli, ["profiles", "create", "wrok"]).exit_code == 0
    assert named.invoke(cli, ["history", "list"]).exit_code == 0


def test_the_app_opens_with_only_a_profile_option_and_no_click() -> None:
    assert ENTRY_PROFILE_ENV == PROFILE_ENV
    assert app_profile([]) == ""
    assert app_profile(["--profile", "work"]) == "work"
    assert app_profile(["--profile=work"]) == "work"
    assert app_profile(["--profile", "work", "ask"]) is None
    assert app_profile(["models"]) is None


def test_a_profile_made_from_the_app_is_listed_and_a_bad_or_taken_name_makes_nothing(
    paths: Paths,
) -> None:
    made = create_profile(paths, "work")
    assert made.profile == "work" and made.database.parent.is_dir()
    assert made.profile_config_dir is not None
    assert (made.profile_config_dir / "config.yaml").read_text().startswith("# Settings of")
    assert profile_names(paths) == ["work"]
    for bad, said in (
        ("work", "exists already"),
        ("../etc", "profile name '../etc'"),
        ("default", "'default' is the profile without a name"),
    ):
        with pytest.raises(ValueError, match=re.escape(said)):
            create_profile(paths, bad)
    assert profile_names(paths) == ["work"]
    assert run_cli("profiles", "list").output.splitlines() == ["* default", "  work"]


def test_what_the_app_remembers_is_kept_per_profile(paths: Paths) -> None:
    """Earlier prompts are history: "personal" never recalls what was typed in "work"."""
    create_profile(paths, "work")
    create_profile(paths, "personal")
    work, personal = Paths.default(profile="work"), Paths.default(profile="personal")
    assert len({paths.user_state, work.user_state, personal.user_state}) == 3
    assert work.user_state.parent == work.database.parent
