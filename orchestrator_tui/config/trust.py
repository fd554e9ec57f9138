"""Trusting a project's ``.orch-tui`` folder once, as direnv and editors' workspace trust do.

A project folder arrives with whatever repository the user cloned. Until the user trusts it, it
may not change where a provider's requests (and so its key) go. Trust is remembered per folder
together with a hash of its configuration files, so a later change to them asks again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.yamlsource import Located

TRUSTED_FILES = ("config.yaml", "models.yaml")
"""The files whose content trust covers: the ones that can point a provider elsewhere."""


def project_digest(folder: Path) -> str:
    """SHA-256 over the names and bytes of the folder's configuration files."""
    digest = hashlib.sha256()
    for name in TRUSTED_FILES:
        path = folder / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read(trust_file: Path) -> dict[str, str]:
    if not trust_file.is_file():
        return {}
    try:
        data = json.loads(trust_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def is_trusted(trust_file: Path, folder: Path) -> bool:
    """True when ``folder`` was trusted and its configuration files have not changed since."""
    return _read(trust_file).get(str(folder.resolve())) == project_digest(folder)


def set_trust(trust_file: Path, folder: Path, *, trusted: bool = True) -> None:
    """Trust ``folder`` as it is now (or forget it), written atomically."""
    entries = _read(trust_file)
    key = str(folder.resolve())
    if trusted:
        entries[key] = project_digest(folder)
    else:
        entries.pop(key, None)
    try:
        trust_file.parent.mkdir(parents=True, exist_ok=True)
        scratch = trust_file.with_name(trust_file.name + ".tmp")
        scratch.write_text(json.dumps(entries, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(scratch, trust_file)
    except OSError as exc:
        raise ConfigError(f"{trust_file}: cannot save: {exc.strerror or exc}") from None


SAFE_PROVIDER_KEYS = frozenset(
    {
        "concurrency",
        "requests_per_minute",
        "max_attempts",
        "retry_base_delay",
        "retry_max_delay",
        "connect_timeout",
        "first_token_timeout",
        "idle_timeout",
        "total_timeout",
        "breaker_failures",
        "breaker_cooldown",
        "stream_usage",
        "discover",
    }
)
"""What an untrusted project may change of a provider: pacing and patience, never where requests
go or which key they carry (``base_url``, ``key_env``, ``type``, ``needs_key``, new providers).
``discover`` only lists a server's models, asked without a key, at the provider's own address."""

UNTRUSTED_MODEL_KEYS = frozenset({"options", "fallbacks"})
"""What an untrusted project may not set on a model: ``options`` are handed to the provider's code
as they are (``LLMRequest.options``), and a plugin's provider may read an address from them;
``fallbacks`` send a prompt addressed to this model to other providers, with their keys."""

TRUST_HINT = "the project folder is not trusted (`orch-tui trust` trusts it)"


def untrusted_models(doc: Located, earlier: Sequence[Located], warnings: list[str]) -> Located:
    """An untrusted project's ``models.yaml`` without anything that could send a key (or a
    prompt addressed to one provider) elsewhere: new providers and their models and aliases,
    a provider's address and key settings, models' ``options`` and ``fallbacks``, and aliases that would redirect
    a name defined before (``sonnet``, ``openai:gpt-4.1``), and a price lower than the one set
    before (which would hide spend from the budget). Each thing left out is named in
    ``warnings`` with its file and line; ``earlier`` are the layers below the project."""
    data = doc.data if isinstance(doc.data, dict) else {}
    known = _names(earlier, "providers")
    kept = dict(data)
    new: set[str] = set()
    if isinstance(data.get("providers"), dict):
        kept["providers"] = _providers(doc, data["providers"], known, warnings)
        new = {str(name) for name in data["providers"]} - known
    if isinstance(data.get("models"), dict):
        kept["models"] = _models(doc, data["models"], new, _prices(earlier), warnings)
    if isinstance(data.get("aliases"), dict):
        taken = _names(earlier, "aliases") | _names(earlier, "models")
        kept["aliases"] = _aliases(doc, data["aliases"], new, taken, warnings)
    return replace(doc, data=kept)


def untrusted_settings(
    doc: Located, earlier: Sequence[Mapping[str, Any]], warnings: list[str]
) -> Located:
    """An untrusted project's ``config.yaml`` may tighten the spending limits set below it, never
    loosen them: an amount above a limit set before (or one that is no amount) is left out and
    named; lower and new limits stand."""
    data = doc.data if isinstance(doc.data, dict) else {}
    below: dict[Any, Any] = {}
    for layer in earlier:
        if isinstance(layer.get("budget"), dict):
            below.update(layer["budget"])
    if "budget" not in data or not below:
        return doc
    asked = data["budget"]
    if not isinstance(asked, dict):
        warnings.append(f"{doc.where('budget')}: ignored budget {asked!r}: {TRUST_HINT}")
        return replace(doc, data={k: v for k, v in data.items() if k != "budget"})
    budget = _one_way(doc, ("budget",), asked, below, warnings, may_rise=False)
    return replace(doc, data={**data, "budget": budget})


def _one_way(
    doc: Located,
    path: tuple[str, ...],
    asked: dict[Any, Any],
    before: Mapping[Any, Any],
    warnings: list[str],
    *,
    may_rise: bool,
) -> dict[Any, Any]:
    """Dollar amounts an untrusted project may move only one way from those set before it: a
    budget limit only down, a price only up (spend is counted with it). An amount that goes the
    other way, or is no amount where one was set, is left out and named."""
    kept: dict[Any, Any] = {}
    for key, amount in asked.items():
        limit = before.get(key)
        if _dollars(limit) and not (
            _dollars(amount) and (amount >= limit if may_rise else amount <= limit)
        ):
            warnings.append(
                f"{doc.where(*path, key)}: ignored {'.'.join(path)}.{key} {amount!r}: "
                f"{'below' if may_rise else 'above'} the {limit} set before it: {TRUST_HINT}"
            )
        else:
            kept[key] = amount
    return kept


def _dollars(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _providers(
    doc: Located, providers: dict[Any, Any], known: set[str], warnings: list[str]
) -> dict[Any, Any]:
    kept: dict[Any, Any] = {}
    for name, entry in providers.items():
        if name not in known:
            warnings.append(
                f"{doc.where('providers', name)}: ignored new provider {name!r}: {TRUST_HINT}"
            )
            continue
        if not isinstance(entry, dict):
            kept[name] = entry
            continue
        for key in entry:
            if key not in SAFE_PROVIDER_KEYS:
                warnings.append(
                    f"{doc.where('providers', name, key)}: ignored providers.{name}.{key}: {TRUST_HINT}"
                )
        kept[name] = {k: v for k, v in entry.items() if k in SAFE_PROVIDER_KEYS}
    return kept


def _models(
    doc: Located,
    models: dict[Any, Any],
    new: set[str],
    prices: dict[str, dict[str, Any]],
    warnings: list[str],
) -> dict[Any, Any]:
    kept: dict[Any, Any] = {}
    for name, entry in models.items():
        provider = str(name).partition(":")[0]
        if provider in new:
            warnings.append(
                f"{doc.where('models', name)}: ignored model {name!r} of the ignored provider "
                f"{provider!r}: {TRUST_HINT}"
            )
            continue
        if isinstance(entry, dict):
            for key in sorted(UNTRUSTED_MODEL_KEYS & set(entry)):
                warnings.append(
                    f"{doc.where('models', name, key)}: ignored models.{name}.{key}: {TRUST_HINT}"
                )
            entry = {k: v for k, v in entry.items() if k not in UNTRUSTED_MODEL_KEYS}
            if isinstance(entry.get("price"), dict) and str(name) in prices:
                entry["price"] = _one_way(
                    doc,
                    ("models", str(name), "price"),
                    entry["price"],
                    prices[str(name)],
                    warnings,
                    may_rise=True,
                )
        kept[name] = entry
    return kept


def _prices(docs: Sequence[Located]) -> dict[str, dict[str, Any]]:
    """Each model's price as the layers below the project leave it, key by key."""
    prices: dict[str, dict[str, Any]] = {}
    for doc in docs:
        models = doc.data.get("models") if isinstance(doc.data, dict) else None
        for name, entry in models.items() if isinstance(models, dict) else ():
            if isinstance(entry, dict) and isinstance(entry.get("price"), dict):
                prices.setdefault(str(name), {}).update(entry["price"])
    return prices


def _aliases(
    doc: Located, aliases: dict[Any, Any], new: set[str], taken: set[str], warnings: list[str]
) -> dict[Any, Any]:
    kept: dict[Any, Any] = {}
    for alias, target in aliases.items():
        where = doc.where("aliases", alias)
        if str(target).partition(":")[0] in new:
            warnings.append(
                f"{where}: ignored alias {alias!r}: it points at the ignored provider "
                f"{str(target).partition(':')[0]!r}: {TRUST_HINT}"
            )
        elif str(alias) in taken or ":" in str(alias):
            warnings.append(
                f"{where}: ignored alias {alias!r}: it would send what is addressed to "
                f"{alias!r} to {target!r}: {TRUST_HINT}"
            )
        else:
            kept[alias] = target
    return kept


def _names(docs: Sequence[Located], section: str) -> set[str]:
    """The names a section of these documents defines (providers, models or aliases)."""
    names: set[str] = set()
    for doc in docs:
        entries = doc.data.get(section) if isinstance(doc.data, dict) else None
        if isinstance(entries, dict):
            names.update(str(n) for n in entries)
    return names
