"""Start-up wiring shared by the CLI and the TUI: config, database, recorder, keys, engine.

One place decides how the parts connect, so a run from the TUI is recorded exactly as one from
``orch-tui ask``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orchestrator_tui.config import Config, Paths, load_config
from orchestrator_tui.core.budget import BudgetGuard, start_of_today
from orchestrator_tui.core.feed import BoundedFeed
from orchestrator_tui.core.orchestrator import Orchestrator
from orchestrator_tui.core.ports import KeysLocked
from orchestrator_tui.plugins import load_plugins
from orchestrator_tui.store.cache import SqliteResponseCache
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.keys import KeyStore, keystore_for
from orchestrator_tui.store.recorder import Recorder
from orchestrator_tui.store.sessions import SessionStore

if TYPE_CHECKING:
    from orchestrator_tui.broker.redis_streams import RedisBroker
    from orchestrator_tui.core.chains.library import ChainLibrary
    from orchestrator_tui.core.modes import ModeLibrary
    from orchestrator_tui.store.batches import BatchStore


@dataclass(slots=True)
class Services:
    config: Config
    db: Database
    sessions: SessionStore
    recorder: Recorder
    keys: KeyStore
    orchestrator: Orchestrator
    cache: SqliteResponseCache | None = None
    feeds: list[BoundedFeed] = field(default_factory=list)
    """Plugins' run-event subscribers, each fed off the hot path."""
    _library: ChainLibrary | None = field(default=None, repr=False)
    _brokers: dict[str, RedisBroker] = field(default_factory=dict, repr=False)
    _modes: ModeLibrary | None = field(default=None, repr=False)

    @property
    def batches(self) -> BatchStore:
        """Batches and their items (the embedded queue) in the history database."""
        from orchestrator_tui.store.batches import BatchStore

        return BatchStore(self.db, self.recorder)

    async def broker_line(self, url: str, batch_id: str, window: float = 60.0) -> str:
        """What the workers of a distributed batch did lately, read from its broker, in a line
        (the Batch screen and ``batch status`` follow workers on other machines with it)."""
        from orchestrator_tui.core.errors import OrchError

        try:
            if url not in self._brokers:
                from orchestrator_tui.broker.redis_streams import RedisBroker

                self._brokers[url] = await RedisBroker.open(url)
            seen = await self._brokers[url].activity(batch_id, window)
        except OrchError as exc:
            return f"broker: {exc}"
        return (
            f"workers: {seen.workers} active · {seen.items} conversations under way · "
            f"{seen.turns} turns in the last minute"
        )

    async def chain_library(self) -> ChainLibrary:
        """The chains and personas (the presets, then the user's), read once in a thread.

        Raises ``ChainInvalid`` when the shipped presets are broken; problems in the user's
        ``personas.yaml`` are in the library's ``warnings``.
        """
        if self._library is None:
            from orchestrator_tui.core.chains.library import ChainLibrary  # the chain loader

            folders = self.config.paths.chain_folders()
            self._library = await asyncio.to_thread(ChainLibrary, self.config.catalog, folders)
        return self._library

    async def mode_library(self) -> ModeLibrary:
        """The modes (shipped, the user's, the project's), read once in a thread; problems in a
        user's file are in its ``warnings``."""
        if self._modes is None:
            from orchestrator_tui.core.modes import ModeLibrary

            folders = self.config.paths.chain_folders()
            self._modes = await asyncio.to_thread(ModeLibrary, folders)
        return self._modes

    def prepare_keys(self, models: Iterable[str]) -> None:
        """Look up the keys these models need now, before a run starts, so a locked vault asks
        for its password on the terminal first (not into a live view, and in the main thread,
        where Ctrl-C stops it). This blocks; the engine's own lookups later run off the event
        loop. A key that stays locked is reported by each answer that needs it."""
        catalog = self.config.catalog
        providers = {p.name: p for p in (catalog.provider_of(catalog.resolve(m)) for m in models)}
        for provider in (p for _, p in sorted(providers.items()) if p.needs_key):
            with contextlib.suppress(KeysLocked):
                self.keys.get(provider.name, provider.key_env)

    async def change_key(self, provider: str, key: str | None) -> str | bool:
        """Save ``key`` for ``provider`` (``None`` deletes the saved one), off the event loop, and
        drop what the engine built on the old key so the next request uses the new one.

        Returns where the key went, or for a deletion whether there was one; raises
        ``KeyStoreError``. The one way a front end changes a key while it runs.
        """
        try:
            if key is None:
                return await asyncio.to_thread(self.keys.delete, provider)
            return await asyncio.to_thread(self.keys.set, provider, key)
        finally:
            self.orchestrator.registry.forget(provider)

    async def limit_run(self, dollars: float | None) -> None:
        """``--budget``: the most one run may spend, over ``budget:`` in config.yaml."""
        guard = self.orchestrator.responder.budget
        if dollars is None or guard is None:
            return
        if not guard.limits.active:  # the day's spend was not read at start-up
            guard.spent_today = await self.sessions.spent_since(start_of_today())
        guard.limits = guard.limits.with_run_limit(dollars)

    async def continue_budget(self, session_id: str) -> None:
        """A reopened session's per-session budget counts what it spent before."""
        guard = self.orchestrator.responder.budget
        if guard is not None and guard.limits.per_session is not None:
            guard.seed_session(session_id, await self.sessions.spent_in(session_id))

    async def aclose(self) -> None:
        """Flush the recorder, close provider connections and the database, in that order.

        A plugin subscriber that lost events says so on stderr, once the screen is given back.
        """
        try:
            for feed in self.feeds:
                if (note := await feed.aclose()) is not None:
                    print(f"orch-tui: {note}", file=sys.stderr)
            try:
                await self.recorder.aclose()  # raises if the history cannot be written
            finally:
                await self.orchestrator.aclose()
                for broker in self._brokers.values():
                    await broker.aclose()
        finally:
            if self.cache is not None:
                await self.cache.aclose()
            await self.db.close()


async def open_services(
    paths: Paths | None = None,
    config: Config | None = None,
    *,
    cache: bool | None = None,
    vault_password: Callable[[bool], str] | None = None,
) -> Services:
    """Everything a front end needs, with interrupted sessions of a crashed run marked as such.

    ``cache`` turns the response cache on or off; ``None`` follows ``cache:`` in config.yaml.
    ``vault_password`` replaces the terminal prompt for the key vault's master password (the TUI
    must not let a background key lookup prompt; see ``store.vault.ask_password``).
    """
    config = config or load_config(paths)
    config.paths.ensure()
    db = await Database.open(config.paths.database)
    sessions = SessionStore(db)
    await sessions.recover_interrupted()
    recorder = Recorder(db)
    recorder.start()
    keys = keystore_for(config, password=vault_password)
    use_cache = config.settings.cache if cache is None else cache
    response_cache = await SqliteResponseCache.open(db) if use_cache else None
    feeds = [BoundedFeed(name, sub) for name, sub in load_plugins().subscribers.items()]
    limits = config.budget
    spent = await sessions.spent_since(start_of_today()) if limits.active else 0.0
    orchestrator = Orchestrator(
        config.catalog,
        keys=keys,
        listeners=[recorder, *feeds],
        cache=response_cache,
        context=config.context,
        budget=BudgetGuard(limits, spent_today=spent),
    )
    return Services(config, db, sessions, recorder, keys, orchestrator, response_cache, feeds)
