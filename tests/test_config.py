"""Configuration: defaults, the user's overrides, and bad files that never stop the program."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator_tui.config import Paths, load_config
from orchestrator_tui.core.errors import ConfigError


def test_orch_tui_home_puts_everything_under_one_folder(orch_home: Path) -> None:
    paths = Paths.default()
    assert paths.config_dir == orch_home / "config"
    assert paths.database.is_relative_to(orch_home / "data")
    assert paths.cache_dir == orch_home / "cache"


def test_defaults_know_every_provider_and_the_mock_models(config) -> None:
    catalog = config.catalog
    assert {"anthropic", "gemini", "mistral", "openai", "deepseek", "ollama", "mock"} <= set(
        catalog.providers
    )
    assert catalog.resolve("echo").name == "mock:echo"
    assert catalog.resolve("sonnet").price_output == 15
    assert config.warnings == []


def test_unlisted_model_of_a_known_provider_has_an_unknown_price(config) -> None:
    model = config.catalog.resolve("openai:some-future-model")
    assert model.price_input is None and model.price_output is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nope:x", "unknown provider 'nope'"),
        ("mock:nothing", "unknown model 'mock:nothing'"),
        ("no-colon", "unknown model 'no-colon'"),
    ],
)
def test_unknown_models_and_providers_are_named(config, name: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config.catalog.resolve(name)


def test_user_models_file_is_merged_over_the_defaults(paths, write_models) -> None:
    write_models(
        """
providers:
  anthropic: {base_url: "http://127.0.0.1:8080"}
  local: {type: openai_compat, base_url: "http://127.0.0.1:9000/v1", needs_key: false}
models:
  anthropic:claude-sonnet-4-6: {price: {input: 2.5}}
  local:tiny: {price: {input: 0, output: 0}}
aliases: {tiny: local:tiny}
"""
    )
    config = load_config(paths)
    assert config.warnings == []
    anthropic = config.catalog.providers["anthropic"]
    assert anthropic.base_url == "http://127.0.0.1:8080"
    assert anthropic.key_env == ("ANTHROPIC_API_KEY",)  # kept from the defaults
    sonnet = config.catalog.resolve("sonnet")
    assert (sonnet.price_input, sonnet.price_output) == (2.5, 15)
    assert config.catalog.resolve("tiny").ref.provider == "local"


def test_malformed_models_file_names_file_and_line_and_keeps_defaults(paths, write_models) -> None:
    path = write_models("models:\n  mock:echo: {price: {input: 1}}\nproviders: [oops\n")
    config = load_config(paths)
    assert len(config.warnings) == 1
    assert config.warnings[0].startswith(f"{path}:4:")
    assert config.catalog.resolve("echo").price_input == 0


def test_bad_entry_is_skipped_with_its_line(paths, write_models) -> None:
    path = write_models("models:\n  mock:echo:\n    price: {input: cheap}\n  mock:lorem: {}\n")
    config = load_config(paths)
    assert config.warnings == [
        f"{path}:2: model 'mock:echo': price.input must be a number, not 'cheap'"
    ]
    assert config.catalog.resolve("echo").price_input == 0


def test_bad_settings_are_reported_and_defaulted(paths) -> None:
    paths.settings_file.write_text("theme: 3\nbogus: true\ncache: true\n", encoding="utf-8")
    config = load_config(paths)
    assert config.settings.cache is True
    assert config.settings.theme == "orch-dark"
    assert any(":1: setting 'theme'" in w for w in config.warnings)
    assert any(":2: unknown setting 'bogus'" in w for w in config.warnings)


def test_unreadable_models_file_is_an_error(paths) -> None:
    paths.models_file.mkdir()
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(paths)
