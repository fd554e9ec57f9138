"""``orch-tui arena``: the leaderboard of your own votes, the votes themselves, and judge runs.

Ratings are a Bradley-Terry fit with bootstrap 95% intervals (see ``core/arena/ratings.py``). The
board counts blind votes unless ``--all-votes`` asks for those cast with the names in view too.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from orchestrator_tui.cli.common import fail, run_async, warn_config
from orchestrator_tui.cli.history import parse_when
from orchestrator_tui.core.text import terminal_safe

if TYPE_CHECKING:
    from orchestrator_tui.core.arena.leaderboard import Standing
    from orchestrator_tui.core.arena.votes import Vote
    from orchestrator_tui.core.chains.model import Chain, Persona
    from orchestrator_tui.core.events import RunKind
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
    from orchestrator_tui.core import display

    rank = "prov" if row.rank is None else str(row.rank)
    ci = "" if row.ci_low is None else f"{row.ci_low:.0f}..{row.ci_high:.0f}"
    cost = display.cost(row.mean_cost) if row.mean_cost is not None else "—"
    latency = display.seconds(row.mean_latency) if row.mean_latency is not None else "—"
    return (
        f"{rank:>4}  {terminal_safe(row.model):<32.32} {row.rating:>6.0f}  {ci:<13} {row.votes:>6}"
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
    return f"{vote.session_id[:8]}  {when}  {terminal_safe(vote_summary(vote))}"


@arena.command()
@click.option("--judge", "judge_name", required=True, help="The judge model (provider:model).")
@click.option("--sessions", "session_ids", multiple=True, help="Session ids (or prefixes); repeat.")
@click.option(
    "-n",
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(1),
    help="Without --sessions: the latest sessions with answers to compare.",
)
@click.option("--category", help="Tag the judge's votes with this category.")
@click.option("--json", "as_json", is_flag=True, help="The report as one JSON object.")
def judge(
    judge_name: str,
    session_ids: tuple[str, ...],
    limit: int,
    category: str | None,
    as_json: bool,
) -> None:
    """Let a judge model compare stored answers pairwise, each pair in both orders.

    Never judges its own model's answers. Its verdicts become votes (voter: the judge); the
    report shows its consistency (same verdict in both orders) and its agreement with your votes.
    """

    async def body(services: Services) -> None:
        from orchestrator_tui.core.arena.judge import Judgement, report
        from orchestrator_tui.core.arena.votes import USER
        from orchestrator_tui.core.conversation import Conversation
        from orchestrator_tui.store.judging import comparisons
        from orchestrator_tui.store.votes import VoteFilter

        judge_model = services.config.catalog.resolve(judge_name).name
        services.prepare_keys([judge_model])
        sessions = services.sessions
        ids = [await sessions.resolve(s) for s in session_ids]
        if not ids:
            ids = [row.id for row in await sessions.list(limit=limit * 5)]
        judged: list[Judgement] = []
        user_votes: list[Vote] = []
        done = 0
        for session_id in ids:
            detail = await sessions.detail(session_id)
            found = comparisons(detail, category)
            if not any(
                len({a.contestant for a in c.answers if a.contestant != judge_model}) > 1
                for c in found
            ):
                continue
            kind = cast("RunKind", detail.session.kind)
            conversation = Conversation(session_id, kind, title=detail.session.title)
            started = services.orchestrator.judge(found, judge_model, conversation=conversation)
            await started.run.wait()
            await sessions.add_votes(v for j in started.judgements if (v := j.vote()) is not None)
            judged += started.judgements
            user_votes += await sessions.votes(
                VoteFilter(voter=USER, include_open=True, session_id=session_id)
            )
            done += 1
            if not as_json:
                failed = sum(j.verdict is None for j in started.judgements)
                click.echo(
                    f"{session_id[:8]}  {len(started.judgements)} judgements"
                    + (f", {failed} failed" if failed else ""),
                    err=True,
                )
            if not session_ids and done >= limit:
                break
        await services.recorder.flush()
        result = report(judge_model, judged, user_votes)
        if as_json:
            click.echo(json.dumps({**result.as_dict(), "sessions": done}, indent=2))
            return
        click.echo(judge_report_text(result, done))

    _with_services(body)


def judge_report_text(result: Any, sessions: int) -> str:
    """A judge run in a few lines: verdicts, failures, consistency, position, agreement."""
    lines = [
        f"judge {result.judge}: {result.judgements} judgements over {sessions} sessions"
        + (f", {result.failed} failed (no VERDICT line)" if result.failed else "")
    ]
    if result.consistency is None:
        lines.append("consistency: no pair was judged in both orders")
    else:
        verdict = "INCONSISTENT (position bias?)" if result.inconsistent else "consistent"
        lines.append(
            f"consistency: {result.consistent} of {result.pairs} pairs judged the same in both"
            f" orders ({result.consistency:.0%}): {verdict}"
        )
    if result.decided:
        lines.append(
            f"first shown won {result.first_shown_won} of {result.decided} decided verdicts"
            f" ({result.first_shown_won / result.decided:.0%}; a fair judge is near 50%)"
        )
    if result.agreement is None:
        lines.append("agreement with you: none of your votes covers a pair it judged consistently")
    else:
        lines.append(
            f"agreement with you: {result.agreed_with_user} of {result.compared_with_user}"
            f" pairs ({result.agreement:.0%})"
        )
    return "\n".join(lines)


@arena.command()
@click.argument("first")
@click.argument("second")
@click.option(
    "--inputs",
    "inputs_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSONL: one object per line (a chain's inputs; a model is asked its 'question').",
)
@click.option("--judge", "judge_name", required=True, help="The judge model (provider:model).")
@click.option("--category", help="Tag the judge's votes with this category.")
@click.option("--mock", is_flag=True, help="Chains run on offline mock models (a dry run).")
@click.option("--json", "as_json", is_flag=True, help="The result as one JSON object.")
def compare(
    first: str,
    second: str,
    inputs_file: Path,
    judge_name: str,
    category: str | None,
    mock: bool,
    as_json: bool,
) -> None:
    """Run FIRST and SECOND (models, or chain:NAME) over every input; a judge compares each pair
    of answers in both orders, and its verdicts join the leaderboard as votes.

    Answers whether an orchestration (a council, draft-review-refine) beats one model alone on
    your questions, and at what cost.
    """
    items = _read_inputs(inputs_file)

    async def body(services: Services) -> None:
        from dataclasses import replace

        from orchestrator_tui.core.arena import compare as arena
        from orchestrator_tui.core.arena.judge import report
        from orchestrator_tui.core.chains.mocking import mock_chain
        from orchestrator_tui.core.conversation import Conversation

        judge_model = services.config.catalog.resolve(judge_name).name
        chains: dict[str, Chain] = {}
        personas: dict[str, Persona] = {}
        for name in (first, second):
            if name.startswith(arena.CHAIN_PREFIX):
                library = await services.chain_library()
                chains[name] = library.load(
                    name.removeprefix(arena.CHAIN_PREFIX), transform=mock_chain if mock else None
                )
                personas = dict(library.personas)
            else:
                services.config.catalog.resolve(name)
        tallies = {first: arena.Tally(), second: arena.Tally()}
        judged = []
        for number, item in enumerate(items, start=1):
            entries = []
            for name in (first, second):
                try:
                    entry = await arena.answer(
                        services.orchestrator, name, item, chains.get(name), personas
                    )
                except arena.InputError as exc:
                    fail(f"{inputs_file}:{number}: {exc}")
                tallies[name].answered(entry)
                entries.append(entry)
            asked = "question" in item or "prompt" in item or len(item) == 1
            question = arena.question_of(item) if asked else json.dumps(item)
            pair = arena.comparison(question, entries[0], entries[1])
            if pair is None:
                continue
            pair = replace(pair, category=category)
            conversation = Conversation(pair.session_id, "compare")
            started = services.orchestrator.judge([pair], judge_model, conversation=conversation)
            await started.run.wait()
            await services.recorder.flush()
            await services.sessions.add_votes(
                v for j in started.judgements if (v := j.vote()) is not None
            )
            judged += started.judgements
            arena.settle(
                tallies[first], tallies[second], entries[0].answer_id or "", started.judgements
            )
        judge_report = report(judge_model, judged, [])
        result = {
            "judge": judge_model,
            "inputs": len(items),
            "contestants": {name: t.as_dict() for name, t in tallies.items()},
            "consistency": judge_report.consistency,
        }
        if as_json:
            click.echo(json.dumps(result, indent=2))
            return
        for name, t in tallies.items():
            cost = display_cost(t.cost) + (f" (+{t.unpriced} unpriced)" if t.unpriced else "")
            click.echo(
                f"{terminal_safe(name):<32.32} won {t.wins}, tied {t.ties}, lost {t.losses}"
                f" of {t.answers} · failed {t.failed} · cost {cost}"
            )
        if judge_report.consistency is not None:
            click.echo(
                f"judge {judge_model}: same verdict in both orders for"
                f" {judge_report.consistency:.0%} of the pairs"
            )

    _with_services(body)


def _read_inputs(path: Path) -> list[dict[str, str]]:
    """The JSONL lines as string fields; a bad line is a one-line error naming it."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"{path}:{number}: not JSON: {exc}")
        if not isinstance(data, dict) or not data:
            fail(f"{path}:{number}: each line must be a JSON object of inputs")
        items.append({str(k): str(v) for k, v in data.items()})
    if not items:
        fail(f"{path}: no inputs")
    return items


def display_cost(value: float) -> str:
    from orchestrator_tui.core import display

    return display.cost(value)
