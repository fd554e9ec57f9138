"""``orch-tui arena``: the leaderboard of your own votes, the votes themselves, and judge runs.

Ratings are a Bradley-Terry fit with bootstrap 95% intervals (see ``core/arena/ratings.py``). The
board counts blind votes unless ``--all-votes`` asks for those cast with the names in view too.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from orchestrator_tui.cli.common import fail, run_async, warn_config
from orchestrator_tui.cli.history import parse_when

if TYPE_CHECKING:
    from orchestrator_tui.core.arena.leaderboard import Standing
    from orchestrator_tui.core.arena.votes import Vote
    from orchestrator_tui.services import Services
    from orchestrator_tui.store.votes import VoteFilter

T = TypeVar("T")


@click.group()
def arena() -> None:
    """Which model is best for you: your votes, a judge's, and ratings with intervals."""


@asynccontextmanager
async def _services() -> AsyncIterator[Services]:
    from orchestrator_tui.config import load_config
    from orchestrator_tui.services import open_services

    config = load_config()
    warn_config(config)
    services = await open_services(config=config)
    try:
        yield services
    finally:
        await services.aclose()


def _with_services(body: Callable[[Services], Awaitable[T]]) -> T:
    async def main() -> T:
        async with _services() as services:
            try:
                return await body(services)
            except (LookupError, ValueError) as exc:
                fail(str(exc))

    return run_async(main())


def _vote_filters(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option(
                "--voter",
                default="all",
                show_default=True,
                help="you, judges, all, or one judge model (provider:model).",
            ),
            click.option("--category", help="Only votes with this category."),
            click.option("--since", help="From this date (YYYY-MM-DD, ISO, or 7d)."),
            click.option("--until", help="Before this date."),
        ]
    ):
        f = option(f)
    return f


def _filter(
    voter: str,
    category: str | None,
    since: str | None,
    until: str | None,
    all_votes: bool = True,
) -> VoteFilter:
    from orchestrator_tui.core.arena.votes import USER
    from orchestrator_tui.store.votes import JUDGES, VoteFilter

    who = {"all": None, "you": USER, "user": USER, "judges": JUDGES}.get(voter, voter)
    return VoteFilter(who, category, parse_when(since), parse_when(until), all_votes)


@arena.command()
@_vote_filters
@click.option("--all-votes", is_flag=True, help="Count votes cast with the names in view too.")
@click.option("--json", "as_json", is_flag=True, help="One object per model.")
@click.option("--resamples", default=1000, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--seed", default=0, show_default=True, type=int, help="The bootstrap's seed.")
@click.option(
    "--cost-quality", is_flag=True, help="Only models no other beats on both rating and cost."
)
def leaderboard(
    as_json: bool, resamples: int, seed: int, cost_quality: bool, **filters: Any
) -> None:
    """Ratings (Bradley-Terry, Elo-like scale) with 95% intervals, votes, win rate, cost, latency.

    Models with fewer than 10 votes are listed as provisional, not ranked.
    """
    flt = _filter(**filters)

    async def body(services: Services) -> None:
        from orchestrator_tui.core.arena import leaderboard as board
        from orchestrator_tui.store.votes import leaderboard as load

        rows = await load(services.db, flt, resamples=resamples, seed=seed)
        if cost_quality:
            rows = board.cost_quality(rows)
        if as_json:
            click.echo(json.dumps([row.as_dict() for row in rows], indent=2))
            return
        if not rows:
            hint = (
                "" if flt.include_open else " (counting blind votes; --all-votes adds the others)"
            )
            click.echo("no votes match" + hint)
            return
        click.echo(_header())
        for row in rows:
            click.echo(standing_line(row))

    _with_services(body)


def _header() -> str:
    return f"{'rank':>4}  {'model':<32} {'rating':>6}  {'95% CI':<13} {'votes':>6} {'win':>5} {'cost':>9} {'latency':>8}"


def standing_line(row: Standing) -> str:
    from orchestrator_tui.core.costs import format_cost

    rank = "prov" if row.rank is None else str(row.rank)
    ci = "" if row.ci_low is None else f"{row.ci_low:.0f}..{row.ci_high:.0f}"
    cost = format_cost(row.mean_cost) if row.mean_cost is not None else "—"
    latency = f"{row.mean_latency:.2f} s" if row.mean_latency is not None else "—"
    return (
        f"{rank:>4}  {row.model:<32.32} {row.rating:>6.0f}  {ci:<13} {row.votes:>6}"
        f" {row.win_rate:>5.0%} {cost:>9} {latency:>8}"
    )


@arena.command()
@_vote_filters
@click.option("-n", "--limit", default=50, show_default=True, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
def votes(limit: int, as_json: bool, **filters: Any) -> None:
    """Every vote (blind or not), newest first: who voted, on what, and the verdict."""
    flt = _filter(**filters)

    async def body(services: Services) -> None:
        from dataclasses import asdict

        found = await services.sessions.votes(flt, limit=limit)
        if as_json:
            click.echo(json.dumps([asdict(v) for v in found], indent=2, ensure_ascii=False))
            return
        if not found:
            click.echo("no votes yet")
        for vote in found:
            click.echo(vote_line(vote))

    _with_services(body)


def vote_line(vote: Vote) -> str:
    from datetime import datetime

    from orchestrator_tui.store.export import vote_summary

    when = datetime.fromtimestamp(vote.created_at).strftime("%Y-%m-%d %H:%M")
    return f"{vote.session_id[:8]}  {when}  {vote_summary(vote)}"
