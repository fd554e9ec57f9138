"""Themes: the shipped ones, the user's own, and what happens when one is broken."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color

from orchestrator_tui.config import Config, Paths, bundled_dir, load_config
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.themes import (
    ACCENT_COUNT,
    DEFAULT_THEME,
    accent_class,
    accent_variable,
    load_themes,
    score_level,
    theme_dirs,
)

USER_THEME = """\
name: midnight
dark: true
colors:
  primary: "#ff00aa"
  background: "#000010"
models: ["#111111", "#222222"]
scores: {low: "#aa0000", mid: "#aaaa00", high: "#00aa00"}
"""


def write_theme(paths: Paths, file_name: str, text: str) -> Path:
    paths.themes_dir.mkdir(parents=True, exist_ok=True)
    path = paths.themes_dir / file_name
    path.write_text(text, encoding="utf-8")
    return path


def test_at_least_three_shipped_themes_load_with_every_app_colour(paths: Paths) -> None:
    found = load_themes([bundled_dir("themes")])

    assert found.problems == []
    assert DEFAULT_THEME in found.themes
    assert len(found.themes) >= 3
    assert {t.dark for t in found.themes.values()} == {True, False}
    for theme in found.themes.values():
        names = set(theme.variables)
        assert {"score-low", "score-mid", "score-high"} <= names, theme.name
        assert {accent_variable(i) for i in range(ACCENT_COUNT)} <= names, theme.name


def test_a_user_theme_with_a_few_accents_repeats_them_across_panes(paths: Paths) -> None:
    write_theme(paths, "midnight.yaml", USER_THEME)

    theme = load_themes(theme_dirs(paths)).themes["midnight"]

    assert theme.variables[accent_variable(0)] == "#111111"
    assert theme.variables[accent_variable(1)] == "#222222"
    assert theme.variables[accent_variable(2)] == "#111111"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("name: broken\ncolors: {primary: '#fff'\n", 3, "invalid YAML"),
        ("name: broken\ncolors:\n  background: '#000000'\n", 2, "colors.primary is required"),
        ("name: broken\ncolors:\n  primary: '#fff'\n  error: reddish\n", 4, "not a colour"),
        ("name: broken\ncolors: {primary: '#fff'}\nscores:\n  best: '#fff'\n", 4, "low, mid"),
        (
            "name: broken\ncolors: {primary: '#fff'}\nvariables:\n  border: 'nope 20%'\n",
            4,
            "colour",
        ),
        ("name: broken\ncolours: {primary: '#fff'}\n", 2, "unknown key 'colours'"),
    ],
)
def test_a_broken_user_theme_is_reported_with_its_file_and_line(
    paths: Paths, text: str, line: int, words: str
) -> None:
    path = write_theme(paths, "broken.yaml", text)

    found = load_themes(theme_dirs(paths))

    assert "broken" not in found.themes
    [problem] = found.problems
    assert problem.path == path
    assert problem.name == "broken"
    assert problem.message.startswith(f"{path}:{line}:")
    assert words in problem.message


def test_review_scores_map_to_low_mid_and_high() -> None:
    assert [score_level(s) for s in (0.0, 0.49, 0.5, 0.79, 0.8, 1.0)] == [
        "low",
        "low",
        "mid",
        "mid",
        "high",
        "high",
    ]


async def test_the_app_uses_the_theme_named_in_config_with_its_css_variables(
    paths: Paths,
) -> None:
    write_theme(paths, "midnight.yaml", USER_THEME)
    paths.settings_file.write_text("theme: midnight\n", encoding="utf-8")
    app = OrchApp(config=load_config(paths), warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        await pilot.pause()

        assert app.theme == "midnight"
        assert Color.parse(app.theme_variables["primary"]) == Color.parse("#ff00aa")
        assert app.theme_variables["score-high"] == "#00aa00"
        assert not [n for n in app._notifications if "Theme" in n.title]


async def test_an_invalid_user_theme_gives_a_notification_and_the_default(paths: Paths) -> None:
    path = write_theme(paths, "mine.yaml", "name: mine\ncolors:\n  primary: not-a-colour\n")
    paths.settings_file.write_text("theme: mine\n", encoding="utf-8")
    app = OrchApp(config=load_config(paths), warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        await pilot.pause()

        assert app.theme == DEFAULT_THEME
        messages = [n.message for n in app._notifications]
        assert any(str(path) in m and f"using {DEFAULT_THEME}" in m for m in messages), messages
    # The person's choice stays in config.yaml, to work again once the file is fixed.
    assert load_config(paths).settings.theme == "mine"


async def test_an_unknown_theme_name_in_config_is_reported(paths: Paths) -> None:
    paths.settings_file.write_text("theme: no-such-theme\n", encoding="utf-8")
    app = OrchApp(config=load_config(paths), warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        await pilot.pause()

        assert app.theme == DEFAULT_THEME
        assert any("'no-such-theme' not found" in n.message for n in app._notifications)


async def test_an_unknown_theme_is_reported_with_the_layer_that_named_it(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen with a project's config.yaml: the message named the user's config.yaml instead."""
    paths.settings_file.write_text("theme: orch-light\n", encoding="utf-8")
    monkeypatch.setenv("ORCH_TUI_THEME", "no-such-theme")
    config = load_config(paths)
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        await pilot.pause()

        [message] = [n.message for n in app._notifications if "'no-such-theme'" in n.message]
        assert message.startswith(config.source("theme"))
        assert "ORCH_TUI_THEME" in message and str(paths.settings_file) not in message


async def test_choosing_a_theme_in_settings_applies_it_and_saves_it(config: Config) -> None:
    config.paths.settings_file.write_text("# mine\ncache: true\n", encoding="utf-8")
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.press("f2")
        await pilot.pause()
        themes = app.screen.query_one("#themes")
        themes.focus()
        await pilot.pause()
        while app.screen.query_one("#themes").highlighted_option.id != "orch-light":
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()

        assert app.theme == "orch-light"
        assert app.current_theme.dark is False
    saved = load_config(config.paths).settings
    assert saved.theme == "orch-light"
    assert saved.cache is True
    assert config.paths.settings_file.read_text(encoding="utf-8").startswith("# mine\n")


async def test_each_response_pane_takes_the_themes_accent_for_its_place(config: Config) -> None:
    from orchestrator_tui.tui.widgets.response_pane import ResponsePane

    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.press(*"hi", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()

        panes = list(app.screen.query(ResponsePane))
        assert len(panes) == 2
        assert [p.has_class(accent_class(i)) for i, p in enumerate(panes)] == [True, True]
        app.screen.set_focus(None)
        await pilot.pause()
        borders = [p.styles.border_top[1] for p in panes]
        accents = [Color.parse(app.theme_variables[accent_variable(i)]) for i in range(2)]
        assert [b.rgb for b in borders] == [a.rgb for a in accents]
