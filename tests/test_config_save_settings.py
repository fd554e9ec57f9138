"""Saving settings from the app must never lose what the user wrote in config.yaml."""

from __future__ import annotations

import pytest

from orchestrator_tui.config import Config, load_config, save_settings
from orchestrator_tui.core.errors import ConfigError


def test_saving_the_theme_keeps_the_users_other_settings_and_comments(config: Config) -> None:
    path = config.paths.settings_file
    path.write_text(
        "# my settings\ntheme: orch-light  # was light\ncache: true\nkeymap:\n  help: f2\n",
        encoding="utf-8",
    )

    save_settings(config, theme="orch-contrast")

    text = path.read_text(encoding="utf-8")
    assert "# my settings" in text
    reloaded = load_config(config.paths)
    assert reloaded.settings.theme == "orch-contrast"
    assert reloaded.settings.cache is True
    assert reloaded.settings.keymap == {"help": "f2"}
    assert reloaded.warnings == []
    assert config.settings.theme == "orch-contrast"


def test_saving_into_a_missing_config_file_creates_it(config: Config) -> None:
    assert not config.paths.settings_file.exists()

    save_settings(config, theme="orch-light", default_models=("mock:echo", "mock:lorem"))

    reloaded = load_config(config.paths).settings
    assert reloaded.theme == "orch-light"
    assert reloaded.default_models == ("mock:echo", "mock:lorem")


def test_saving_a_block_value_rewrites_it_whole(config: Config) -> None:
    config.paths.settings_file.write_text("keymap:\n  help: f2\ntheme: x\n", encoding="utf-8")

    save_settings(config, keymap={"quit": "ctrl+x"})

    settings = load_config(config.paths).settings
    assert settings.keymap == {"quit": "ctrl+x"}
    assert settings.theme == "x"


def test_a_broken_config_file_is_not_overwritten(config: Config) -> None:
    broken = "theme: [unclosed\n"
    config.paths.settings_file.write_text(broken, encoding="utf-8")

    with pytest.raises(ConfigError, match=r"config\.yaml:\d+.*not saved"):
        save_settings(config, theme="orch-light")

    assert config.paths.settings_file.read_text(encoding="utf-8") == broken
