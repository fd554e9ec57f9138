"""What ``batch`` commands and ``worker`` share: the chain of a spec, the job, the store, the broker."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator_tui.cli.common import fail, warn_config
from orchestrator_tui.core.batch.spec import BatchSpec, conversation_chain
from orchestrator_tui.core.chains.model import Chain, ChainInvalid, Persona
from orchestrator_tui.core.errors import ConfigError

if TYPE_CHECKING:
    from orchestrator_tui.broker.redis_streams import RedisBroker
    from orchestrator_tui.config import Config
    from orchestrator_tui.services import Services
    from orchestrator_tui.store.batches import BatchStore


def build_chain(config: Config, spec: BatchSpec) -> tuple[Chain, Mapping[str, Persona]]:
    """The chain a spec names, validated as any chain is, and the personas it may speak in.

    Raises ``ChainInvalid`` or ``ConfigError``.
    """
    from orchestrator_tui.cli.chains import open_library
    from orchestrator_tui.cli.run import load
    from orchestrator_tui.core.chains.mocking import mock_chain
    from orchestrator_tui.core.chains.validation import validate

    library = open_library(config)
    if spec.conversation:
        chain = conversation_chain(spec.conversation, spec.turns)
        chain = mock_chain(chain) if spec.mock else chain
        issues = validate(chain, personas=library.personas, catalog=library.catalog)
        if issues:
            raise ChainInvalid(issues)
        return chain, library.personas
    if spec.chain_text is not None:
        from orchestrator_tui.core.chains.loader import load_chain

        chain = load_chain(
            spec.chain_text,
            f"{spec.chain} (as the batch was started)",
            personas=library.personas,
            catalog=library.catalog,
            transform=mock_chain if spec.mock else None,
        )
        return chain, library.personas
    names = {name: "" for name in spec.inputs}
    return load(library, spec.chain, spec.steps, names, spec.mock), library.personas


def chain_text(config: Config, name: str) -> str:
    """The text of a named chain or file, kept with the batch: resume and remote workers run
    the chain as it was when the batch started (a worker validates it like a local file)."""
    from orchestrator_tui.cli.chains import open_library

    path = open_library(config).find(name).path
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read the chain {path}: {exc}")


@dataclass(frozen=True, slots=True)
class Job:
    """What a run or resume works with: the chain and how fast and how far to go."""

    chain: Chain
    personas: Mapping[str, Persona]
    spec: BatchSpec
    concurrency: int
    budget: float | None
    limit: int | None
    broker: str | None = None
    """The broker's URL, password included: used to connect, never stored or shown."""


def build_or_fail(config: Config, spec: BatchSpec) -> tuple[Chain, Mapping[str, Persona]]:
    try:
        return build_chain(config, spec)
    except (ChainInvalid, ConfigError) as exc:
        fail(str(exc))


def user_config() -> Config:
    from orchestrator_tui.config import load_config

    config = load_config()
    warn_config(config)
    return config


async def connect_broker(url: str | None) -> RedisBroker | None:
    """The broker, checked to answer (one clear line and exit 2 when it does not)."""
    if url is None:
        return None
    from orchestrator_tui.broker.redis_streams import RedisBroker

    return await RedisBroker.open(url)


@contextlib.asynccontextmanager
async def open_store(config: Config) -> AsyncIterator[tuple[Services, BatchStore]]:
    from orchestrator_tui.services import open_services

    services = await open_services(config=config)
    try:
        yield services, services.batches
    finally:
        await services.aclose()
