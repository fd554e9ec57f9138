"""``orch-tui history``: list, search, show, export, import, rename, fork, delete and restore past
sessions; per-model stats; vacuum and backup of the database.

Sessions are named by id or any unique prefix of it (as git names commits). ``--json`` gives what
a script wants: epoch seconds, full ids, nothing truncated.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from orchestrator_tui.cli.common import fail, run_async, warn_config
from orchestrator_tui.cli.terminal import echo
from orchestrator_tui.core import display
from orchestrator_tui.core.storable import decoded
from orchestrator_tui.core.text import terminal_safe
from orchestrator_tui.store.listing import STATUSES, SessionFilter, SessionSummary
from orchestrator_tui.store.search import SearchHit
from orchestrator_tui.store.sessions import SessionStore, UnknownSession

T = TypeVar("T")


def export_formats() -> list[str]:
    """The built-in export formats and those installed plugins add."""
    from orchestrator_tui.plugins import load_plugins
    from orchestrator_tui.store.export import EXPORTERS

    load_plugins()
    return list(EXPORTERS)


KINDS = ("compare", "chat", "chain", "conversation")
DAY = 86_400.0


@click.group()
def history() -> None:
    """Browse, search, export and tidy the sessions kept in the history database."""


def _with_store(body: Callable[[SessionStore], Awaitable[T]]) -> T:
    """Open the history, run ``body``; unknown ids and bad input become one-line errors."""

    async def main() -> T:
        async with _store() as store:
            try:
                return await body(store)
            except (UnknownSession, ValueError) as exc:
                fail(str(exc))

    return run_async(main())


@asynccontextmanager
async def _store() -> AsyncIterator[SessionStore]:
    from orchestrator_tui.config import load_config
    from orchestrator_tui.services import open_services

    config = load_config()
    warn_config(config)
    services = await open_services(config=config)
    try:
        yield services.sessions
    finally:
        await services.aclose()


def parse_when(text: str | None) -> float | None:
    """``YYYY-MM-DD``, an ISO date-time (local time unless it says), or ``N`` days ago as ``7d``."""
    if text is None:
        return None
    text = text.strip()
    if text.endswith("d") and text[:-1].isdigit():
        return time.time() - int(text[:-1]) * DAY
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        fail(f"{text!r} is not a date: use YYYY-MM-DD, an ISO date-time, or 7d for 7 days ago")


def _filters(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS)),
            click.option("-m", "--model", "models", multiple=True, help="provider:model; repeat."),
            click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES)),
            click.option("--since", help="From this date (YYYY-MM-DD, ISO, or 7d)."),
            click.option("--until", help="Before this date."),
            click.option("--trash", is_flag=True, help="Deleted sessions instead."),
        ]
    ):
        f = option(f)
    return f


def _filter(
    kinds: tuple[str, ...],
    models: tuple[str, ...],
    statuses: tuple[str, ...],
    since: str | None,
    until: str | None,
    trash: bool,
) -> SessionFilter:
    return SessionFilter(
        tuple(kinds), tuple(models), tuple(statuses), parse_when(since), parse_when(until), trash
    )


@history.command("list")
@_filters
@click.option("-n", "--limit", default=30, show_default=True, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
def list_(limit: int, as_json: bool, **filters: Any) -> None:
    """Sessions, newest first."""
    flt = _filter(**filters)

    async def body(store: SessionStore) -> None:
        rows: list[SessionSummary] = []
        after = None
        while len(rows) < limit:
            page = await store.page(flt, after=after, limit=min(200, limit - len(rows)))
            rows += page.rows
            after = page.next
            if after is None:
                break
        if as_json:
            click.echo(json.dumps([asdict(r) for r in rows], indent=2))
            return
        if not rows:
            click.echo("no sessions" + (" in the trash" if flt.trash else ""))
            return
        click.echo(SUMMARY_HEADER)
        for row in rows:
            echo(summary_line(row))

    _with_store(body)


SUMMARY_HEADER = (
    f"{'id':<8}  {'created':<16}  {'kind':<12} {'status':<11} {'tokens':>11} {'cost':>9}  "
    f"{'score':<4}  {'models':<24}  title"
)
"""The header row of ``history list``, aligned with ``summary_line``."""


def summary_line(row: SessionSummary) -> str:
    score = display.score(row.best_score)
    cost = display.cost(row.cost)
    models = ",".join(display.model_names(row.models)) or "-"
    return (
        f"{row.id[:8]}  {_local(row.created_at)}  {row.kind:<12} {row.status:<11} "
        f"{row.tokens:>7} tok {cost:>9}  {score}  {models:<24.24}  {row.title}"
    )


@history.command()
@click.argument("words", nargs=-1, required=True)
@_filters
@click.option("-n", "--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
def search(words: tuple[str, ...], limit: int, as_json: bool, **filters: Any) -> None:
    """Prompts and answers containing WORDS (the last may be a prefix); prompts first."""
    flt = _filter(**filters)

    async def body(store: SessionStore) -> None:
        hits = await store.search(" ".join(words), flt, limit=limit)
        if as_json:
            echo(json.dumps([asdict(h) for h in hits], indent=2, ensure_ascii=False))
            return
        if not hits:
            click.echo("no matches")
        for hit in hits:
            who = hit.model or "you"
            echo(f"{hit.session_id[:8]}  {hit.type:<9} {who:<28.28} {hit.session_title}")
            click.echo(f"    {_excerpt(hit)}", color=True)

    _with_store(body)


def _excerpt(hit: SearchHit) -> str:
    """Matches in bold reverse on a terminal (the text between made safe), brackets in a pipe."""
    if sys.stdout.isatty():
        return "".join(
            f"\x1b[1;7m{terminal_safe(part)}\x1b[0m" if matched else terminal_safe(part)
            for part, matched in hit.parts()
        )
    return hit.marked()


@history.command()
@click.argument("session")
@click.option("--json", "as_json", is_flag=True, help="The full session as JSON.")
def show(session: str, as_json: bool) -> None:
    """A session's prompts, answers, reviews, usage and cost."""

    async def body(store: SessionStore) -> None:
        session_id = await store.resolve(session)
        echo(await store.export([session_id], "json" if as_json else "markdown"), nl=False)
        if not as_json:
            echo(f"\nInteractions (orch-tui history fork {session_id[:8]} --at ID):")
            for item in await store.interactions(session_id):
                who = item.model or "you"
                echo(f"  {item.id}  {item.type:<9} {who:<28.28} {_first_line(item.content)}")

    _with_store(body)


@history.command()
@click.argument("sessions", nargs=-1, required=True)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(export_formats()),
    default="markdown",
    show_default=True,
    help="markdown, json, jsonl, or a format a plugin adds",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def export(sessions: tuple[str, ...], fmt: str, output: Path | None) -> None:
    """Write sessions as Markdown, JSON, JSONL (one line per interaction, for datasets) or a
    plugin's format.

    Several sessions go into one file (JSON: one document per line). An existing output file is
    never overwritten.
    """
    if output is not None and output.exists():
        fail(f"{output} already exists; choose a new file name")

    async def body(store: SessionStore) -> None:
        ids = [await store.resolve(s) for s in sessions]
        text = await store.export(ids, fmt)
        if output is None:
            echo(text, nl=False)
        else:
            with output.open("x", encoding="utf-8") as handle:
                handle.write(text)
            click.echo(f"wrote {len(ids)} session(s) to {output}", err=True)

    _with_store(body)


@history.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Add sessions from a JSON or JSONL export of orch-tui (sessions already here are refused)."""
    from orchestrator_tui.store.export import ExportFormatError, from_document, from_jsonl

    text = decoded(file.read_bytes())
    try:
        try:
            details = [from_document(json.loads(text))]
        except json.JSONDecodeError:  # JSONL: lines end at "\n" only (U+2028 may be in a text)
            details = from_jsonl(text.split("\n"))
    except ExportFormatError as exc:
        fail(f"{file}: {exc}")

    async def body(store: SessionStore) -> None:
        for detail in details:
            if await store.get(detail.session.id) is not None:
                fail(f"session {detail.session.id[:8]} is already in the history")
            await store.import_detail(detail)
            echo(f"imported {detail.session.id[:8]}  {detail.session.title}")

    _with_store(body)


@history.command()
@click.argument("session")
@click.argument("title")
def rename(session: str, title: str) -> None:
    """Give SESSION a new TITLE."""

    async def body(store: SessionStore) -> None:
        session_id = await store.resolve(session)
        before = await store.get(session_id)
        await store.rename(session_id, title)
        old = before.title if before else ""
        echo(f"renamed {session_id[:8]}: {_first_line(old)!r} → {_first_line(title)!r}")

    _with_store(body)


@history.command()
@click.argument("session")
@click.option("--at", "at", required=True, help="Interaction id (or unique prefix) to fork at.")
@click.option("--title", help="Title of the new session.")
def fork(session: str, at: str, title: str | None) -> None:
    """A new session with SESSION's interactions up to --at; prints its id."""

    async def body(store: SessionStore) -> None:
        session_id = await store.resolve(session)
        items = [i.id for i in await store.interactions(session_id) if i.id.startswith(at)]
        if len(items) != 1:
            fail(f"{'no' if not items else 'more than one'} interaction {at!r} in that session")
        click.echo(await store.fork(session_id, items[0], title))

    _with_store(body)


@history.command()
@click.argument("sessions", nargs=-1)
@click.option("--empty-trash", is_flag=True, help="Delete everything in the trash for good.")
def delete(sessions: tuple[str, ...], empty_trash: bool) -> None:
    """Move sessions to the trash (restore them with `history restore`)."""
    if not sessions and not empty_trash:
        fail("name the sessions to delete, or give --empty-trash")

    async def body(store: SessionStore) -> None:
        if sessions:
            ids = [await store.resolve(s) for s in sessions]
            moved = await store.delete(ids)
            click.echo(f"moved {moved} session(s) to the trash")
        if empty_trash:
            click.echo(f"deleted {await store.empty_trash()} session(s) for good")

    _with_store(body)


@history.command()
@click.argument("sessions", nargs=-1, required=True)
def restore(sessions: tuple[str, ...]) -> None:
    """Bring sessions back from the trash."""

    async def body(store: SessionStore) -> None:
        ids = [await store.resolve(s) for s in sessions]
        click.echo(f"restored {await store.restore(ids)} session(s)")

    _with_store(body)


@history.command()
@click.option("--days", type=click.IntRange(1), default=30, show_default=True)
@click.option("--since", help="From this date instead (YYYY-MM-DD or ISO).")
@click.option("--until", help="Up to this date (default: now).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
def stats(days: int, since: str | None, until: str | None, as_json: bool) -> None:
    """Per model: calls, success rate, median time to first token and latency, tokens, cost,
    mean review score."""
    end = parse_when(until) or time.time()
    start = parse_when(since) or end - days * DAY

    async def body(store: SessionStore) -> None:
        rows = await store.stats(start, end)
        if as_json:
            doc = {
                "since": start,
                "until": end,
                "models": [{**asdict(r), "success_rate": r.success_rate} for r in rows],
            }
            click.echo(json.dumps(doc, indent=2))
            return
        click.echo(f"{_local(start)} → {_local(end)}")
        click.echo(
            f"{'model':<30} {'calls':>6} {'ok':>6} {'empty':>6} {'ttft':>7} {'latency':>8} "
            f"{'tokens':>10} {'cost':>10} {'score':>6}"
        )
        for r in rows:
            echo(
                f"{r.model:<30.30} {r.calls:>6} {r.success_rate:>6.0%} {r.empty:>6}"
                f" {display.seconds(r.median_ttft):>7}"
                f" {display.seconds(r.median_latency):>8} {r.input_tokens + r.output_tokens:>10}"
                f" {display.cost(r.cost):>10} {display.score(r.mean_score):>6}"
            )
        if not rows:
            click.echo("no calls in that period")

    _with_store(body)


@history.command()
def vacuum() -> None:
    """Compact the database and its search indexes."""

    async def body(store: SessionStore) -> None:
        before, after = await store.vacuum()
        click.echo(f"{_mb(before)} → {_mb(after)}")

    _with_store(body)


@history.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup(target: Path) -> None:
    """A consistent copy of the database at TARGET, safe while orch-tui runs."""

    async def body(store: SessionStore) -> None:
        size = await store.backup(target)
        click.echo(f"backed up {_mb(size)} to {target}")

    _with_store(body)


def _first_line(text: str, limit: int = 60) -> str:
    """The start of a text on one line (print it with ``echo``: stored text is untrusted)."""
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _local(at: float) -> str:
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
