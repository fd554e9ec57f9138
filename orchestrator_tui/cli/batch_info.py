"""``batch status|list|cancel|export``: reading and steering batches by name."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import TYPE_CHECKING

import click

from orchestrator_tui.cli.batch_setup import open_store, user_config
from orchestrator_tui.cli.common import run_async
from orchestrator_tui.cli.terminal import echo

if TYPE_CHECKING:
    from orchestrator_tui.store.batches import BatchCounts, BatchRow


@click.command()
@click.argument("name")
def cancel(name: str) -> None:
    """Start no more items of batch NAME (items in flight finish); resume starts them again."""
    config = user_config()

    async def body() -> None:
        async with open_store(config) as (_, store):
            row = await store.get(name)
            count = await store.cancel(row.id)
            click.echo(f"batch {row.name}: cancelled ({max(count - 1, 0)} items will not start)")

    run_async(body())


@click.command()
@click.argument("name")
def status(name: str) -> None:
    """Counts, cost, tokens, quality and the last failures of batch NAME."""
    config = user_config()

    async def body() -> None:
        async with open_store(config) as (services, store):
            row = await store.get(name)
            lines = status_lines(row, await store.counts(row.id))
            url = row.follow_url()
            if url is not None:
                lines.append(await services.broker_line(url, row.id))
            echo("\n".join(lines))

    run_async(body())


def status_lines(row: BatchRow, counts: BatchCounts) -> list[str]:
    from orchestrator_tui.core import display
    from orchestrator_tui.core.batch.spec import BatchSpec

    state = f"running (process {row.pid})" if row.running_elsewhere else row.status
    if row.status == "running" and not row.running_elsewhere:
        state = "interrupted (resume it)"
    lines = [
        f"batch {row.name}: {BatchSpec.from_dict(row.spec).describe()}",
        f"status: {state} · created {time.strftime('%Y-%m-%d %H:%M', time.localtime(row.created_at))}",
        f"items: {row.total} · {counts.of('done')} done · {counts.of('failed')} failed · "
        f"{counts.in_flight} in flight · {counts.of('queued')} queued · "
        f"{counts.of('cancelled')} cancelled",
        f"cost: {display.cost(counts.cost)} · tokens: {counts.input_tokens} in, "
        f"{counts.output_tokens} out"
        + (
            f" · quality: {counts.quality:.2f} (mean of done)" if counts.quality is not None else ""
        ),
    ]
    if row.bad_rows:
        lines.append(f"rows skipped as malformed: {row.bad_rows}")
    if counts.failures:
        lines.append("last failures:")
        lines += [f"  item {i} (line {line}): {error}" for i, line, error in counts.failures]
    return lines


@click.command(name="list")
def list_batches() -> None:
    """Every batch, newest first."""
    config = user_config()

    async def body() -> None:
        async with open_store(config) as (_, store):
            rows = await store.list()
            if not rows:
                click.echo("no batches yet (orch-tui batch run --help)")
            for row in rows:
                counts = await store.counts(row.id)
                echo(
                    f"{row.name}  {row.status}  {counts.of('done')}/{row.total} done  "
                    f"{counts.of('failed')} failed  "
                    f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(row.created_at))}"
                )

    run_async(body())


@click.command()
@click.argument("name")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="A file (default: stdout).")
@click.option("-f", "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
def export(name: str, output: str | None, fmt: str) -> None:
    """One line per item of batch NAME: inputs, outputs, scores, tokens, cost, status."""
    from orchestrator_tui.cli.batch_export import write_items

    config = user_config()

    async def body() -> int:
        async with open_store(config) as (_, store):
            row = await store.get(name)
            with contextlib.ExitStack() as stack:
                out = (
                    sys.stdout
                    if output is None
                    else stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
                )
                return await write_items(store.items(row.id), out, fmt)

    count = run_async(body())
    if output is not None:
        click.echo(f"{count} items written to {output}")
