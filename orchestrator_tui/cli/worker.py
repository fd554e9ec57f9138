"""``orch-tui worker --broker URL``: run the items of distributed batches, on any machine.

The worker uses this machine's own key store (keyring, environment or vault) for API keys; the
broker carries only data. It records nothing locally: results go back through the broker into
the history of the machine that started the batch.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import click

from orchestrator_tui.cli.common import run_async, warn_config

if TYPE_CHECKING:
    from orchestrator_tui.core.batch.worker import WorkerOptions


@click.command()
@click.option(
    "--broker",
    metavar="URL",
    required=True,
    envvar="ORCH_TUI_BROKER",
    show_envvar=True,
    help="redis://[:PASSWORD@]HOST:PORT/DB or rediss://; from the environment, the password "
    "stays out of the process list.",
)
@click.option("--concurrency", type=click.IntRange(1, 1024), default=32, show_default=True)
@click.option("--name", help="This worker's name in the consumer group (default: made up).")
@click.option("--max-attempts", type=click.IntRange(1, 100), default=3, show_default=True,
              help="Tries of an item before it goes to the dead letters.")  # fmt: skip
@click.option("--lock-ttl", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds an item's lock lives unless renewed.")  # fmt: skip
@click.option("--claim-idle", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              help="Seconds before the items of a silent worker are taken over.")  # fmt: skip
@click.option(
    "--exit-when-idle", type=click.FloatRange(min=0), help="Stop after this many idle seconds."
)
def worker(
    broker: str,
    concurrency: int,
    name: str | None,
    max_attempts: int,
    lock_ttl: float,
    claim_idle: float,
    exit_when_idle: float | None,
) -> None:
    """Run items of distributed batches from the broker until stopped (Ctrl-C or SIGTERM)."""
    from orchestrator_tui.core.batch.worker import WorkerOptions

    options = WorkerOptions(
        concurrency=concurrency,
        max_attempts=max_attempts,
        renew_every=lock_ttl / 4,
        exit_when_idle=exit_when_idle,
    )
    if name:
        options = replace(options, name=name)
    logging.basicConfig(
        level=logging.WARNING,
        format=f"orch-tui worker {options.name}: %(message)s",
        stream=sys.stderr,
    )
    sys.exit(run_async(_work(broker, options, lock_ttl, claim_idle)))


async def _work(url: str, options: WorkerOptions, lock_ttl: float, claim_idle: float) -> int:
    from orchestrator_tui.broker.redis_streams import RedisBroker, RedisSettings
    from orchestrator_tui.cli.batch_setup import build_chain
    from orchestrator_tui.config import load_config
    from orchestrator_tui.core.batch.worker import BatchWorker
    from orchestrator_tui.core.orchestrator import Orchestrator
    from orchestrator_tui.store.keys import keystore_for

    config = load_config()
    warn_config(config)  # what an untrusted project folder tried is said here too
    broker = await RedisBroker.open(url, RedisSettings(lock_ttl=lock_ttl, claim_idle=claim_idle))
    orchestrator = Orchestrator(config.catalog, keys=keystore_for(config))
    work = BatchWorker(broker, orchestrator, lambda spec: build_chain(config, spec), options)
    click.echo(
        f"worker {options.name}: taking items from {broker.where} ({options.concurrency} at a time)",
        err=True,
    )
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if task is not None:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        stats = await work.run()
    except asyncio.CancelledError:
        stats = work.stats
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        await orchestrator.aclose()
        await broker.aclose()
    click.echo(
        f"worker {options.name}: {stats.done} done, {stats.retried} retried, {stats.dead} dead, "
        f"{stats.discarded} late results discarded, {stats.handed_back} handed back",
        err=True,
    )
    return 0
