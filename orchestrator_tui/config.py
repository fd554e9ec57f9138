"""Where files live, and the configuration: package defaults, then the user's files, then the environment.

A malformed user file never stops the program: it is reported (file and line) in ``Config.warnings``
and the defaults are used in its place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.types import ModelRef
from orchestrator_tui.yamlsource import (
    Located,
    UnreadableFile,
    YamlError,
    load_located,
    load_located_file,
)

APP_NAME = "orch-tui"
HOME_ENV = "ORCH_TUI_HOME"
PROVIDER_TYPES = ("mock", "anthropic", "gemini", "mistral", "openai_compat")


@dataclass(frozen=True, slots=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls) -> Paths:
        """``$ORCH_TUI_HOME/{config,data,cache}`` when set, else the platform's usual places."""
        home = os.environ.get(HOME_ENV)
        if home:
            root = Path(home).expanduser()
            return cls(root / "config", root / "data", root / "cache")
        import platformdirs

        return cls(
            Path(platformdirs.user_config_dir(APP_NAME)),
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_cache_dir(APP_NAME)),
        )

    @property
    def database(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def vault_file(self) -> Path:
        """The encrypted key vault, used where the system has no keyring."""
        return self.data_dir / "keys.vault"

    @property
    def models_file(self) -> Path:
        return self.config_dir / "models.yaml"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "config.yaml"

    @property
    def themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def chains_dir(self) -> Path:
        return self.config_dir / "chains"

    def ensure(self) -> None:
        """Create the folders; one that cannot be (a file is in the way) is a ``ConfigError``."""
        for folder in (self.config_dir, self.data_dir, self.cache_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(_unusable_folder(folder, exc)) from None


def _unusable_folder(folder: Path, exc: OSError) -> str:
    home = os.environ.get(HOME_ENV)
    if home and Path(home).expanduser().exists() and not Path(home).expanduser().is_dir():
        return f"{HOME_ENV}={home} is a file, not a folder; point it at a folder (nothing was changed)"
    return f"cannot create the folder {folder}: {exc.strerror or exc} (nothing was changed)"


def bundled_dir(name: str) -> Path:
    """A folder shipped with the package (``themes``, ``presets``): inside the wheel, or the repo root."""
    inside = Path(str(resources.files("orchestrator_tui"))) / name
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parent.parent / name


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    name: str
    type: str
    base_url: str | None = None
    key_env: tuple[str, ...] = ()
    needs_key: bool = True
    settings: dict[str, Any] = field(default_factory=dict)
    """Everything else in the entry: concurrency, requests_per_minute, timeouts, mock speeds."""


@dataclass(frozen=True, slots=True)
class ModelConfig:
    ref: ModelRef
    price_input: float | None = None
    price_output: float | None = None
    context_window: int | None = None
    vision: bool = False
    streaming: bool = True
    description: str = ""
    api_name: str | None = None
    fallbacks: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.ref)

    @property
    def wire_name(self) -> str:
        """The model id sent to the provider (``api_name`` lets an entry rename it)."""
        return self.api_name or self.ref.name


@dataclass(frozen=True, slots=True)
class Catalog:
    """Providers, models and aliases: the merged ``models.yaml``."""

    providers: dict[str, ProviderConfig]
    models: dict[str, ModelConfig]
    aliases: dict[str, str]

    def resolve(self, name: str) -> ModelConfig:
        """The model for a name or alias; a provider's unlisted model is allowed, price unknown."""
        target = self.aliases.get(name.strip(), name.strip())
        if target in self.models:
            return self.models[target]
        try:
            ref = ModelRef.parse(target)
        except ValueError:
            raise ConfigError(
                f"unknown model {name!r}: use provider:model or an alias (see `orch-tui models`)"
            ) from None
        provider = self.providers.get(ref.provider)
        if provider is None:
            known = ", ".join(sorted(self.providers))
            raise ConfigError(f"unknown provider {ref.provider!r} in {name!r} (known: {known})")
        if provider.type == "mock":
            raise ConfigError(f"unknown model {name!r} (see `orch-tui models`)")
        return ModelConfig(ref=ref)

    def provider_of(self, model: ModelConfig) -> ProviderConfig:
        return self.providers[model.ref.provider]


@dataclass(frozen=True, slots=True)
class Settings:
    """``config.yaml``: app-wide switches."""

    theme: str = "orch-dark"
    cache: bool = False
    default_models: tuple[str, ...] = ()
    keymap: dict[str, str] = field(default_factory=dict)
    reviewer: str = "mock:judge"
    judge: str = "mock:judge"


@dataclass(slots=True)
class Config:
    paths: Paths
    catalog: Catalog
    settings: Settings
    warnings: list[str] = field(default_factory=list)


def load_config(paths: Paths | None = None) -> Config:
    paths = paths or Paths.default()
    warnings: list[str] = []
    defaults = load_located(
        (resources.files("orchestrator_tui") / "defaults" / "models.yaml").read_text("utf-8"),
        "models.yaml (defaults)",
    )
    catalog = _catalog(defaults, None, warnings)
    user_models = _read_user_file(paths.models_file, warnings)
    if user_models is not None:
        catalog = _catalog(defaults, user_models, warnings)
    settings = _settings(_read_user_file(paths.settings_file, warnings), warnings)
    return Config(paths, catalog, settings, warnings)


def _read_user_file(path: Path, warnings: list[str]) -> Located | None:
    if not path.exists():
        return None
    try:
        located = load_located_file(path)
    except UnreadableFile as exc:
        raise ConfigError(str(exc)) from None
    except YamlError as exc:
        warnings.append(f"{exc}; using the defaults instead")
        return None
    if located.data is None:
        return None
    if not isinstance(located.data, dict):
        warnings.append(f"{located.where()}: expected a mapping at the top; using the defaults")
        return None
    return located


def _catalog(defaults: Located, user: Located | None, warnings: list[str]) -> Catalog:
    """Merge the user's entries over the defaults, entry by entry; a bad entry is skipped and named."""
    providers: dict[str, ProviderConfig] = {}
    models: dict[str, ModelConfig] = {}
    aliases: dict[str, str] = {}
    for doc in (defaults, user):
        if doc is None:
            continue
        for name, entry in _section(doc, "providers", warnings).items():
            base = providers.get(name)
            try:
                providers[name] = _provider(str(name), entry, base)
            except ValueError as exc:
                warnings.append(f"{doc.where('providers', name)}: provider {name!r}: {exc}")
        for name, entry in _section(doc, "models", warnings).items():
            try:
                model = _model(str(name), entry, models.get(str(name)))
            except ValueError as exc:
                warnings.append(f"{doc.where('models', name)}: model {name!r}: {exc}")
                continue
            if model.ref.provider not in providers:
                warnings.append(
                    f"{doc.where('models', name)}: model {name!r}: "
                    f"unknown provider {model.ref.provider!r}"
                )
                continue
            models[model.name] = model
        for alias, target in _section(doc, "aliases", warnings).items():
            aliases[str(alias)] = str(target)
    return Catalog(providers, models, aliases)


def _section(doc: Located, key: str, warnings: list[str]) -> dict[Any, Any]:
    value = doc.data.get(key) if isinstance(doc.data, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        warnings.append(f"{doc.where(key)}: {key!r} must be a mapping; ignored")
        return {}
    return value


def _provider(name: str, entry: Any, base: ProviderConfig | None) -> ProviderConfig:
    if not isinstance(entry, dict):
        raise ValueError("must be a mapping")
    merged: dict[str, Any] = {}
    if base is not None:
        merged = {
            "type": base.type,
            "base_url": base.base_url,
            "key_env": list(base.key_env),
            "needs_key": base.needs_key,
            **base.settings,
        }
    merged.update(entry)
    kind = merged.pop("type", "openai_compat")
    if kind not in PROVIDER_TYPES:
        raise ValueError(f"type {kind!r} is not one of {', '.join(PROVIDER_TYPES)}")
    key_env = merged.pop("key_env", [])
    if isinstance(key_env, str):
        key_env = [key_env]
    base_url = merged.pop("base_url", None)
    needs_key = merged.pop("needs_key", kind != "mock")
    return ProviderConfig(
        name=name,
        type=kind,
        base_url=str(base_url) if base_url else None,
        key_env=tuple(str(k) for k in key_env),
        needs_key=bool(needs_key),
        settings=merged,
    )


def _model(name: str, entry: Any, base: ModelConfig | None) -> ModelConfig:
    ref = ModelRef.parse(name)
    entry = entry or {}
    if not isinstance(entry, dict):
        raise ValueError("must be a mapping")
    price = entry.get("price", {})
    if not isinstance(price, dict):
        raise ValueError("price must be {input: N, output: N}")

    def number(value: Any, field_name: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{field_name} must be a number, not {value!r}")
        return float(value)

    old = base or ModelConfig(ref=ref)
    fallbacks = entry.get("fallbacks", list(old.fallbacks))
    if not isinstance(fallbacks, list):
        raise ValueError("fallbacks must be a list of model names")
    options = entry.get("options", old.options)
    if not isinstance(options, dict):
        raise ValueError("options must be a mapping")
    window = entry.get("context_window", old.context_window)
    return ModelConfig(
        ref=ref,
        price_input=number(price.get("input", old.price_input), "price.input"),
        price_output=number(price.get("output", old.price_output), "price.output"),
        context_window=int(window) if window is not None else None,
        vision=bool(entry.get("vision", old.vision)),
        streaming=bool(entry.get("streaming", old.streaming)),
        description=str(entry.get("description", old.description)),
        api_name=entry.get("api_name", old.api_name),
        fallbacks=tuple(str(f) for f in fallbacks),
        options=dict(options),
    )


def _settings(doc: Located | None, warnings: list[str]) -> Settings:
    if doc is None:
        return Settings()
    data = doc.data
    known = set(Settings.__dataclass_fields__)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            warnings.append(f"{doc.where(key)}: unknown setting {key!r}; ignored")
            continue
        expected = type(getattr(Settings(), key))
        if expected is tuple and isinstance(value, list):
            value = tuple(str(v) for v in value)
        if not isinstance(value, expected):
            warnings.append(
                f"{doc.where(key)}: setting {key!r} must be {expected.__name__}; using the default"
            )
            continue
        values[key] = value
    return Settings(**values)


def save_settings(config: Config, **changes: Any) -> Settings:
    """Write ``changes`` to config.yaml and ``config.settings``, keeping every other key the user has.

    A changed key whose value sits on one line is replaced in place, so the file's comments survive;
    an unreadable file is left alone (``ConfigError``) rather than overwritten.
    """
    import yaml

    fields = Settings.__dataclass_fields__
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}")
    path = config.paths.settings_file
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        doc = load_located(text, path)
    except YamlError as exc:
        raise ConfigError(f"{exc}; not saved, so as not to overwrite it") from None
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{doc.where()}: expected a mapping at the top; not saved")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    plain = {k: list(v) if isinstance(v, tuple) else v for k, v in changes.items()}
    for key, value in plain.items():
        entry = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True)
        line = doc.line(key) if key in data else None
        if line is None:
            lines.append(entry)
        elif _single_line(lines, line - 1):
            lines[line - 1] = entry
        else:
            lines = yaml.safe_dump({**data, **plain}, sort_keys=False).splitlines(keepends=True)
            break
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text("".join(lines), encoding="utf-8")
    os.replace(scratch, path)
    config.settings = replace(
        config.settings, **{k: tuple(v) if isinstance(v, list) else v for k, v in plain.items()}
    )
    return config.settings


def _single_line(lines: list[str], index: int) -> bool:
    """True when the top-level entry on ``lines[index]`` has its whole value on that line."""
    if lines[index][:1].isspace() or lines[index].rstrip().endswith((":", "|", ">", "|-", ">-")):
        return False
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return not following[:1].isspace() or not following.strip()
