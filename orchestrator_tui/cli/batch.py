"""``orch-tui batch``: run a chain or a conversation once per input row, resumable.

Embedded: the items are queued in the history database and an in-process pool runs them; kill
the process at any point and ``batch resume NAME`` finishes the rest. Every item is a normal
session tagged with its batch. Exit codes: 0 every item done, 1 some failed or were left
(budget, limit, cancel), 2 bad input or options.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

import click

from orchestrator_tui.cli.batch_info import cancel, export, list_batches, status
from orchestrator_tui.cli.batch_setup import (
    Job,
    build_or_fail,
    chain_text,
    connect_broker,
    open_store,
    user_config,
)
from orchestrator_tui.cli.common import fail, run_async
from orchestrator_tui.core.batch.inputs import (
    FORMATS,
    LINE_FIELD,
    BadRow,
    Row,
    format_for,
    read_rows,
)
from orchestrator_tui.core.batch.model import Progress
from orchestrator_tui.core.batch.spec import BatchSpec, parse_turns
from orchestrator_tui.core.chains.model import Chain
from orchestrator_tui.core.errors import ConfigError

if TYPE_CHECKING:
    from orchestrator_tui.broker.redis_streams import RedisBroker
    from orchestrator_tui.config import Config
    from orchestrator_tui.core.batch.model import BatchItem, ItemOutcome
    from orchestrator_tui.core.batch.pool import Estimate
    from orchestrator_tui.services import Services
    from orchestrator_tui.store.batches import BatchRow, BatchStore


REDIS_LIST = "redis-list:"
"""``--inputs redis-list:KEY`` reads the rows from a list on the --broker server."""


@click.group()
def batch() -> None:
    """Run a chain or a conversation over many inputs; resume, watch and export batches."""


@batch.command()
@click.argument("chain", required=False)
@click.option(
    "--inputs",
    "source",
    required=True,
    help="JSONL, CSV or one topic per line; - for stdin; redis-list:KEY (with --broker).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["auto", *FORMATS]), default="auto", show_default=True
)
@click.option("--steps", help='An inline chain: "model/persona -> model/persona".')
@click.option("--conversation", help="Models that take turns on each row's topic: A,B[,C].")
@click.option(
    "--turns", default="6", show_default=True, help="A conversation's turn limit: N or MIN-MAX."
)
@click.option("--name", help="How to address the batch later (a name is made up otherwise).")
@click.option("--concurrency", type=click.IntRange(1, 1024), default=8, show_default=True)
@click.option("--mock", is_flag=True, help="Swap every model for an offline mock.")
@click.option("--budget", type=click.FloatRange(min=0), help="Dollars: no item starts past it.")
@click.option("--limit", type=click.IntRange(min=1), help="Run at most this many items now.")
@click.option("--strict", is_flag=True, help="Refuse to start when a row is malformed.")
@click.option(
    "--broker", metavar="URL", help="redis://HOST:PORT/DB: workers anywhere run the items."
)
def run(
    chain: str | None,
    source: str,
    fmt: str,
    steps: str | None,
    conversation: str | None,
    turns: str,
    name: str | None,
    concurrency: int,
    mock: bool,
    budget: float | None,
    limit: int | None,
    strict: bool,
    broker: str | None,
) -> None:
    """Run CHAIN (or --steps, or --conversation) once per row of --inputs.

    With --broker, the items go through Redis Streams to `orch-tui worker` processes and the
    results come back into this history; without it, this process runs them.
    """
    if sum(x is not None for x in (chain, steps, conversation)) != 1:
        fail("give one of CHAIN, --steps or --conversation")
    models = tuple(m.strip() for m in (conversation or "").split(",") if m.strip())
    try:
        span = parse_turns(turns)
    except ConfigError as exc:
        fail(str(exc))
    if broker is not None and (budget is not None or limit is not None):
        fail("--budget and --limit work in the embedded mode only (without --broker)")
    listed = source.startswith(REDIS_LIST)
    if listed and broker is None:
        fail(f"--inputs {source}: a Redis list needs --broker (the server it is on)")
    if fmt == "auto":
        fmt = "lines" if source == "-" or listed else format_for(source)
    config = user_config()
    lines = _redis_list(broker, source[len(REDIS_LIST) :]) if listed else _open(source)  # type: ignore[arg-type]
    rows = read_rows(lines, fmt, LINE_FIELD)  # type: ignore[arg-type]
    fields: tuple[str, ...] = ()
    if steps and fmt != "lines":  # an inline chain takes the fields of the first row
        first, rows = _peek(rows)
        fields = tuple(first.fields) if isinstance(first, Row) else ()
    text = chain_text(config, chain) if chain else None
    spec = BatchSpec(chain, steps, models, span, fields, mock, text)
    loaded, personas = build_or_fail(config, spec)
    if fmt == "lines" and loaded.inputs and loaded.inputs[0].name != LINE_FIELD:
        rows = _renamed(rows, loaded.inputs[0].name)
    job = Job(loaded, personas, spec, concurrency, budget, limit, broker)
    sys.exit(run_async(_start(config, job, rows, name or _made_up_name(), strict)))


def _renamed(rows: Iterator[Row | BadRow], field: str) -> Iterator[Row | BadRow]:
    """Plain lines fill the chain's first input, whatever its name."""
    for row in rows:
        yield Row(row.line, {field: row.fields[LINE_FIELD]}) if isinstance(row, Row) else row


def _peek(rows: Iterator[Row | BadRow]) -> tuple[Row | BadRow | None, Iterator[Row | BadRow]]:
    first = next(rows, None)
    if first is None:
        return None, iter(())

    def again() -> Iterator[Row | BadRow]:
        yield first
        yield from rows

    return first, again()


class BadInput(Exception):
    """A row the user asked us to refuse (``--strict``)."""


def _estimator(services: Services, job: Job) -> Estimate | None:
    """The budget's per-item bound; a chain that cannot be bounded is refused up front."""
    if job.budget is None:
        return None
    from orchestrator_tui.core.batch.budget import Unbounded, item_cost_bound
    from orchestrator_tui.core.batch.pool import chain_inputs

    catalog = services.config.catalog
    try:
        item_cost_bound(catalog, job.chain, {})
    except Unbounded as exc:
        fail(f"--budget: {exc}")
    return lambda item, chain: item_cost_bound(catalog, chain, chain_inputs(chain, item.inputs))


def _open(source: str) -> IO[str]:
    if source == "-":
        return sys.stdin
    try:
        return open(source, encoding="utf-8", newline="")
    except OSError as exc:
        fail(f"--inputs: cannot read {source}: {exc.strerror or exc}")


def _redis_list(url: str, key: str) -> Iterator[str]:
    """The elements of a Redis list (seed 004's ``topics:queue``), one row each, read in pages;
    the list is left as it is."""
    from orchestrator_tui.broker.redis_streams import read_list

    return read_list(url, key)


def _made_up_name() -> str:
    from orchestrator_tui.core.conversation import new_id

    return time.strftime("batch-%Y%m%d-%H%M%S-") + new_id()[:4]


def _admitted(chain: Chain, rows: Iterator[Row | BadRow], strict: bool, bad: list[str]):  # type: ignore[no-untyped-def]
    """Good rows as ``(line, fields)``; each bad one reported on stderr (``--strict``: refused)."""
    from orchestrator_tui.core.batch.pool import missing_inputs

    for row in rows:
        if isinstance(row, Row):
            missing = missing_inputs(chain, row.fields)
            if not missing:
                yield row.line, row.fields
                continue
            names = ", ".join(repr(n) for n in missing)
            row = BadRow(row.line, f"missing chain input {names}")
        bad.append(str(row))
        if strict:
            raise BadInput(str(row))
        click.echo(f"orch-tui: warning: {row}; skipped", err=True)


async def _start(
    config: Config, job: Job, rows: Iterator[Row | BadRow], name: str, strict: bool
) -> int:
    from orchestrator_tui.services import open_services

    broker = await connect_broker(job.broker)
    services = await open_services(config=config)
    try:
        store = services.batches
        created = await store.create(
            name,
            job.spec.as_dict(),
            concurrency=job.concurrency,
            budget=job.budget,
            broker=broker.where if broker else None,
        )
        bad: list[str] = []
        try:
            total = await store.add_items(created.id, _admitted(job.chain, rows, strict, bad))
        except BadInput as exc:
            await store.delete(created.id)
            fail(f"{exc} (--strict: the batch was not started)")
        await store.set_counts(created.id, total, len(bad))
        click.echo(
            f"batch {name}: {total} items queued" + (f", {len(bad)} rows skipped" if bad else "")
        )
        return await _work(services, store, await store.get(created.id), job, broker)
    finally:
        await services.aclose()
        if broker is not None:
            await broker.aclose()


async def _work(
    services: Services,
    store: BatchStore,
    row: BatchRow,
    job: Job,
    broker: RedisBroker | None = None,
    *,
    publish: bool = False,
) -> int:
    """Run the batch's queued items to the end (or the budget or limit); the exit code.

    With a broker, workers run them; this process publishes and collects the results.
    """
    from orchestrator_tui.cli.batch_view import BatchView
    from orchestrator_tui.core.batch.pool import BatchPool, PoolOptions
    from orchestrator_tui.core.batch.spec import chain_for

    before = await store.counts(row.id)
    finished = before.of("done") + before.of("failed")
    progress = Progress(
        row.total,
        before.of("done"),
        before.of("failed"),
        cost=before.cost or 0.0,
        cost_known=before.cost is not None,
        finished_before=finished,
    )
    pool = BatchPool(
        services.orchestrator,
        store.queue(row.id),
        chain_for(job.chain, job.spec),
        progress,
        PoolOptions(job.concurrency, job.budget, job.limit),
        personas=job.personas,
        estimate=_estimator(services, job),
    )
    if broker is None:
        services.prepare_keys(job.chain.models)
        work = pool.run()
    else:
        work = _produce(store, row, job, broker, progress, publish)
    await store.set_status(row.id, "running")
    try:
        async with BatchView(row.name, progress):
            await work
    finally:
        await services.recorder.flush()
        after = await store.counts(row.id)
        current = await store.get(row.id)
        if current.status != "cancelled":
            await store.set_status(row.id, "stopped" if after.of("queued") else "completed")
    if progress.stopped:
        click.echo(
            f"batch {row.name}: stopped at the {progress.stopped}; `orch-tui batch resume {row.name}` goes on"
        )
    return 0 if after.of("failed") == after.of("queued") == after.of("cancelled") == 0 else 1


@batch.command()
@click.argument("name")
@click.option("--concurrency", type=click.IntRange(1, 1024), help="Default: the batch's own.")
@click.option("--budget", type=click.FloatRange(min=0), help="Dollars, the whole batch's spend.")
@click.option("--limit", type=click.IntRange(min=1), help="Run at most this many items now.")
@click.option("--retry-failed", is_flag=True, help="Run the failed items again too.")
@click.option("--broker", metavar="URL", help="The broker of a distributed batch (with password).")
def resume(
    name: str,
    concurrency: int | None,
    budget: float | None,
    limit: int | None,
    retry_failed: bool,
    broker: str | None,
) -> None:
    """Finish batch NAME: items not done yet (and those cut short by a crash) run again.

    A distributed batch collects what the workers finished meanwhile and goes on through its
    broker (give --broker again when its URL has a password: passwords are never stored).
    """
    config = user_config()
    sys.exit(run_async(_resume(config, name, concurrency, budget, limit, retry_failed, broker)))


async def _resume(
    config: Config,
    name: str,
    concurrency: int | None,
    budget: float | None,
    limit: int | None,
    retry_failed: bool,
    broker_url: str | None,
) -> int:
    from orchestrator_tui.core.batch.spec import BatchSpec

    async with open_store(config) as (services, store):
        row = await store.get(name)
        if row.running_elsewhere:
            fail(f"batch {row.name} is running in process {row.pid}")
        if row.status == "loading":
            fail(f"batch {row.name} stopped while reading its input; run it again with that --name")
        if row.broker and "***" in row.broker and broker_url is None:
            fail(f"batch {row.name} runs through {row.broker}: give --broker with its password")
        url = broker_url or row.broker
        if url is not None and (budget is not None or limit is not None):
            fail("--budget and --limit work in the embedded mode only (without --broker)")
        spec = BatchSpec.from_dict(row.spec)
        chain, personas = build_or_fail(config, spec)
        broker = await connect_broker(url)
        try:
            requeued = await store.requeue(row.id, failed=retry_failed)
            job = Job(
                chain, personas, spec, concurrency or row.concurrency, budget or row.budget, limit
            )
            return await _work(services, store, row, job, broker, publish=requeued > 0)
        finally:
            if broker is not None:
                await broker.aclose()


async def _produce(
    store: BatchStore,
    row: BatchRow,
    job: Job,
    broker: RedisBroker,
    progress: Progress,
    publish: bool,
) -> Progress:
    """Publish (all that has no result, when ``publish`` or the broker lost the batch) and
    collect into the history until every item has its result."""
    from orchestrator_tui.core.batch.producer import BatchProducer

    click.echo(
        f"batch {row.name}: published on {broker.where}; start workers with "
        f"`orch-tui worker --broker URL`"
    )

    async def collect(item: BatchItem, outcome: ItemOutcome) -> bool:
        return await store.collect(item, outcome, job.chain.name)

    producer = BatchProducer(
        broker, row.id, job.spec.as_dict(), lambda: store.unfinished(row.id), collect, progress
    )
    return await producer.run(publish=publish)


batch.add_command(cancel)
batch.add_command(export)
batch.add_command(list_batches)
batch.add_command(status)
