"""Themes: YAML files (shipped in ``themes/``, the user's in the config dir) turned into Textual themes.

Besides Textual's colours, a theme gives the app's own CSS variables: ``$model-accent-1`` ..
``$model-accent-8`` (one per response pane, in selection order) and ``$score-low``, ``$score-mid``,
``$score-high`` (review-score badges). A file that cannot be used is reported with its path and line,
never fatal: the app keeps the default theme.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme

if TYPE_CHECKING:  # the app imports this module before its first paint: config and YAML load later
    from orchestrator_tui.config import Config, Paths
    from orchestrator_tui.core.yamlsource import Located

DEFAULT_THEME = "orch-dark"
ACCENT_COUNT = 8
SCORE_LEVELS = ("low", "mid", "high")
COLOR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
TOP_KEYS = {"name", "dark", "colors", "models", "scores", "variables"}
TEXT_STYLES = {"none", "bold", "dim", "italic", "underline", "reverse", "strike", "blink", "not"}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ALPHA = re.compile(r"^(?P<color>.+?)\s+(?P<alpha>\d{1,3})%$")

# Used by any theme that does not set them (Textual's own themes, for instance).
APP_VARIABLE_DEFAULTS: dict[str, str] = {
    **{
        f"model-accent-{i + 1}": color
        for i, color in enumerate(
            ("#5b9cf5", "#f0a35e", "#b48ef0", "#5fcfbf", "#e87fa8", "#c6d05b", "#7fb8e8", "#e0906b")
        )
    },
    "score-low": "#e0626b",
    "score-mid": "#e8b04b",
    "score-high": "#5fbf7f",
}


class ThemeError(ValueError):
    """A theme file that cannot be used; the message starts with ``file:line``."""


@dataclass(frozen=True, slots=True)
class ThemeProblem:
    path: Path
    name: str
    """The theme's name if the file got that far, else the file's stem."""
    message: str


@dataclass(slots=True)
class ThemeSet:
    """Every usable theme by name, and the files that could not be used."""

    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[ThemeProblem] = field(default_factory=list)

    def problem_for(self, name: str) -> ThemeProblem | None:
        return next((p for p in self.problems if p.name == name), None)


def score_level(score: float) -> str:
    """``low`` below 0.5, ``mid`` below 0.8, else ``high``: picks ``$score-<level>``."""
    if score < 0.5:
        return "low"
    if score < 0.8:
        return "mid"
    return "high"


def score_style(score: float) -> str:
    """A score badge: the background of ``$score-<level>``, so the level reads at a glance."""
    return f"bold $background on $score-{score_level(score)}"


def accent_variable(index: int) -> str:
    """The CSS variable (without ``$``) of the accent for the pane at ``index`` (0-based)."""
    return f"model-accent-{index % ACCENT_COUNT + 1}"


ACCENT_CLASSES = tuple(f"-accent-{i + 1}" for i in range(ACCENT_COUNT))
"""Classes that give a widget the border of ``$model-accent-N`` (rules in ``responses.tcss``)."""


def accent_class(index: int) -> str:
    return ACCENT_CLASSES[index % ACCENT_COUNT]


def theme_dirs(paths: Paths) -> list[Path]:
    """Shipped themes first, then the user's and a project's, so a later file replaces a theme."""
    from orchestrator_tui.config import bundled_dir

    return [bundled_dir("themes"), *paths.theme_folders()]


def load_themes(folders: Iterable[Path]) -> ThemeSet:
    from orchestrator_tui.core.yamlsource import YamlError, load_located_file

    found = ThemeSet()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            try:
                located = load_located_file(path)
                theme = parse_theme(located)
            except (YamlError, ThemeError) as exc:
                found.problems.append(ThemeProblem(path, _name_guess(path), str(exc)))
                continue
            found.themes[theme.name] = theme
    return found


def parse_theme(doc: Located) -> Theme:
    data = doc.data
    if not isinstance(data, dict):
        raise ThemeError(f"{doc.where()}: a theme is a mapping with name and colors")
    unknown = sorted(set(map(str, data)) - TOP_KEYS)
    if unknown:
        raise ThemeError(
            f"{doc.where(unknown[0])}: unknown key {unknown[0]!r} "
            f"(a theme has {', '.join(sorted(TOP_KEYS))})"
        )
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ThemeError(
            f"{doc.where('name')}: name must be lower-case letters, digits, '-' or '_'"
        )
    colors = _mapping(doc, "colors")
    if "primary" not in colors:
        raise ThemeError(f"{doc.where('colors')}: colors.primary is required")
    for key, value in colors.items():
        if key not in COLOR_KEYS:
            raise ThemeError(f"{doc.where('colors', key)}: unknown colour {key!r}")
        _color(doc, value, "colors", key)
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(f"{doc.where('dark')}: dark must be true or false")
    variables = {**_accents(doc), **_scores(doc), **_variables(doc)}
    return Theme(name=name, dark=dark, variables=variables, **colors)


def _mapping(doc: Located, key: str) -> dict[str, Any]:
    value = doc.data.get(key, {})
    if not isinstance(value, dict):
        raise ThemeError(f"{doc.where(key)}: {key} must be a mapping")
    return {str(k): v for k, v in value.items()}


def _color(doc: Located, value: Any, *where: str | int) -> str:
    try:
        Color.parse(str(value))
    except ColorParseError:
        label = ".".join(map(str, where))
        raise ThemeError(
            f"{doc.where(*where)}: {label}: {value!r} is not a colour (try '#rrggbb')"
        ) from None
    return str(value)


def _accents(doc: Located) -> dict[str, str]:
    models = doc.data.get("models", [])
    if not isinstance(models, list) or len(models) > ACCENT_COUNT:
        raise ThemeError(f"{doc.where('models')}: models must be a list of up to 8 colours")
    colors = [_color(doc, value, "models", i) for i, value in enumerate(models)]
    return {accent_variable(i): colors[i % len(colors)] for i in range(ACCENT_COUNT) if colors}


def _scores(doc: Located) -> dict[str, str]:
    scores = _mapping(doc, "scores")
    for key in scores:
        if key not in SCORE_LEVELS:
            raise ThemeError(f"{doc.where('scores', key)}: scores are low, mid and high")
    return {f"score-{key}": _color(doc, value, "scores", key) for key, value in scores.items()}


def _variables(doc: Located) -> dict[str, str]:
    """Textual's own variables: a colour (optionally ``50%`` alpha), or a text style for ``*-style``."""
    variables = _mapping(doc, "variables")
    for key, value in variables.items():
        text = str(value)
        if key.endswith("-style"):
            if not set(text.split()) <= TEXT_STYLES:
                raise ThemeError(f"{doc.where('variables', key)}: {text!r} is not a text style")
            continue
        match = _ALPHA.match(text)
        _color(doc, match.group("color") if match else text, "variables", key)
    return {key: str(value) for key, value in variables.items()}


def _name_guess(path: Path) -> str:
    """The ``name:`` line of a broken file if there is one, so a problem can be tied to a setting."""
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("name:"):
                return line.partition(":")[2].split("#")[0].strip().strip("'\"") or path.stem
    except (OSError, UnicodeDecodeError):
        pass
    return path.stem


def install_themes(app: App[Any], config: Config, found: ThemeSet) -> None:
    """Register ``found``, apply the configured theme (else the default, saying why), and from then
    on save the user's choice of theme to config.yaml whenever it changes."""
    wanted = config.settings.theme
    for theme in found.themes.values():
        app.register_theme(theme)
    for problem in found.problems:
        fallback = f"; using {DEFAULT_THEME}" if problem.name == wanted else ""
        app.notify(
            problem.message + fallback,
            title=f"Theme {problem.name!r} not loaded",
            severity="warning",
        )
    if wanted in app.available_themes:
        app.theme = wanted
    else:
        app.theme = DEFAULT_THEME
        if found.problem_for(wanted) is None:
            app.notify(
                f"{config.source('theme')}: theme {wanted!r} not found; using {DEFAULT_THEME}",
                title="Unknown theme",
                severity="warning",
            )
    _ThemeKeeper(app, config).watch()


class _ThemeKeeper:
    """Saves the theme when the person changes it (settings screen, palette), not when the app
    itself falls back to the default: the user's broken choice stays in config.yaml to be fixed."""

    def __init__(self, app: App[Any], config: Config) -> None:
        self.app = app
        self.config = config
        self.current = app.theme

    def watch(self) -> None:
        self.app.theme_changed_signal.subscribe(self.app, self._changed)

    def _changed(self, theme: Theme) -> None:
        if theme.name == self.current:
            return
        self.current = theme.name
        from orchestrator_tui.config import save_settings
        from orchestrator_tui.core.errors import ConfigError

        try:
            save_settings(self.config, theme=theme.name)
        except ConfigError as exc:
            self.app.notify(str(exc), title="Theme not saved", severity="error")
