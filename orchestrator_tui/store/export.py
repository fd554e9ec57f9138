"""Sessions as Markdown (to read), JSON (one document per session) and JSONL (one line per
interaction, for datasets). JSON and JSONL read back into the same ``SessionDetail``: nothing of
the interactions, their usage, their reviews or the votes on them is lost on the way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

from orchestrator_tui.core import display
from orchestrator_tui.core.arena.votes import Vote
from orchestrator_tui.store.attached_images import attachments_of
from orchestrator_tui.store.detail import ChainStepRow, RequestRow, ReviewRow, SessionDetail
from orchestrator_tui.store.rows import InteractionRow, SessionRow

FORMAT = "orch-tui.session"
VERSION = 1
OPTIONAL = frozenset({"best"})
"""Interaction fields newer than version 1's first exports: a file without them still reads."""


class ExportFormatError(ValueError):
    """The text is not an orch-tui export (or one from a newer version)."""


@dataclass(frozen=True, slots=True)
class Exporter:
    """One export format: ``render`` turns one or more sessions into the text of one file."""

    name: str
    suffix: str
    render: Callable[[Sequence[SessionDetail]], str]
    description: str = ""


def _json_documents(details: Sequence[SessionDetail]) -> str:
    """One session: an indented document; several: one document per line."""
    if len(details) == 1:
        return to_json(details[0]) + "\n"
    return "".join(json.dumps(to_document(d), ensure_ascii=False) + "\n" for d in details)


EXPORTERS: dict[str, Exporter] = {}
"""Export formats by name: the built-ins below, then those plugins add (see ``register_exporter``)."""


def register_exporter(exporter: Exporter) -> None:
    """Add a format; a name already taken (a built-in's first of all) is refused."""
    if exporter.name in EXPORTERS:
        raise ValueError(f"export format {exporter.name!r} exists already")
    if not callable(exporter.render):
        raise ValueError(f"export format {exporter.name!r} has no render function")
    EXPORTERS[exporter.name] = exporter


def to_document(detail: SessionDetail) -> dict[str, Any]:
    """One JSON-ready document: the session, and each interaction with its requests and reviews."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "session": asdict(detail.session),
        "chain_steps": [asdict(step) for step in detail.chain_steps],
        "interactions": [_interaction(detail, item) for item in detail.interactions],
        "votes": [_vote(vote) for vote in detail.votes],
    }


def to_json(detail: SessionDetail) -> str:
    return json.dumps(to_document(detail), indent=2, ensure_ascii=False)


def to_jsonl(detail: SessionDetail) -> Iterator[str]:
    """One self-contained line per interaction: the session, the prompt it answers, its usage.

    Each line repeats the session, its chain steps and its votes (a few), so any line stands alone.
    """
    session = asdict(detail.session)
    steps = [asdict(step) for step in detail.chain_steps]
    votes = [_vote(vote) for vote in detail.votes]
    by_id = {item.id: item for item in detail.interactions}
    for item in detail.interactions:
        line = {
            "format": FORMAT,
            "version": VERSION,
            "session": session,
            "chain_steps": steps,
            "votes": votes,
            **_interaction(detail, item),
            "prompt": _prompt_of(item, by_id),
        }
        yield json.dumps(line, ensure_ascii=False)


def from_document(data: Any) -> SessionDetail:
    _check(data)
    try:
        session = SessionRow(**data["session"])
        steps = [
            ChainStepRow(**{**step, "scores": tuple(step.get("scores", ()))})
            for step in data.get("chain_steps", [])
        ]
        interactions, requests, reviews = [], [], []
        for item in data["interactions"]:
            interaction, item_requests, item_reviews = _read_interaction(item, session.id)
            interactions.append(interaction)
            requests += item_requests
            reviews += item_reviews
        votes = [_read_vote(vote, session.id) for vote in data.get("votes", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise ExportFormatError(f"not a complete orch-tui session export ({exc})") from None
    return SessionDetail(session, interactions, requests, reviews, steps, votes)


def from_json(text: str) -> SessionDetail:
    try:
        return from_document(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ExportFormatError(f"not JSON: {exc}") from None


def from_jsonl(lines: Iterable[str]) -> list[SessionDetail]:
    """Sessions from JSONL lines (several sessions may share a file), in order of appearance."""
    sessions: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExportFormatError(f"line {number}: not JSON: {exc}") from None
        _check(data)
        doc = sessions.setdefault(
            data["session"]["id"],
            {
                "format": FORMAT,
                "version": VERSION,
                "session": data["session"],
                "chain_steps": data.get("chain_steps", []),
                "votes": data.get("votes", []),
                "interactions": [],
            },
        )
        doc["interactions"].append(data)
    return [from_document(doc) for doc in sessions.values()]


def to_markdown(detail: SessionDetail) -> str:
    s = detail.session
    lines = [f"# {s.title or 'Untitled session'}", ""]
    facts = [f"{s.kind}", s.status, _when(s.created_at)]
    if s.chain_name:
        facts.insert(1, f"chain {s.chain_name}")
    lines += [" · ".join(facts), ""]
    totals = f"{detail.input_tokens + detail.output_tokens} tokens"
    if detail.cost is not None:
        totals += f" · ${detail.cost:.4f}"
    lines += [f"Models: {', '.join(detail.models) or '—'} · {totals}", ""]
    for step in detail.chain_steps:
        lines.append(f"- step **{step.step_id}** ({step.kind}): {step.outcome}")
    if detail.chain_steps:
        lines.append("")
    for item in detail.interactions:
        lines += _markdown_item(detail, item)
    if detail.votes:
        lines += ["## Votes", ""]
        lines += [f"- {vote_summary(vote)}" for vote in detail.votes]
    return "\n".join(lines).rstrip() + "\n"


def vote_summary(vote: Vote) -> str:
    """``user, blind: mock:echo beat mock:lorem`` (or ``... tied`` / ``... all bad``)."""
    who = vote.voter + (", blind" if vote.blind else "")
    if vote.outcome == "win":
        first = vote.winning_contestant
        rest = [c for a, c in zip(vote.answers, vote.contestants, strict=True) if a != vote.winner]
        verdict = f"{first} beat {', '.join(rest)}"
    else:
        verdict = ", ".join(vote.contestants) + (" tied" if vote.outcome == "tie" else " all bad")
    if vote.category:
        verdict += f" ({vote.category})"
    return f"{who}: {verdict}"


def _markdown_item(detail: SessionDetail, item: InteractionRow) -> list[str]:
    if item.type == "prompt":
        return ["## Prompt", "", item.content, "", *_attached(item)]
    heading = f"### {item.model or '?'} — {item.type}"
    if item.step_id:
        heading += f" (step {item.step_id})"
    if item.best:
        heading += " ♛ best"
    out = [heading, ""]
    usage = detail.usage_of(item.id)
    facts = [item.status]
    if usage:
        tokens = (usage.input_tokens or 0) + (usage.output_tokens or 0)
        facts.append(f"{tokens} tokens")
        if usage.ttft is not None:
            facts.append(f"first token {display.seconds(usage.ttft)}")
        if usage.latency is not None:
            facts.append(display.seconds(usage.latency))
        if usage.cost is not None:
            facts.append(f"${usage.cost:.4f}")
    out += [f"*{' · '.join(facts)}*", ""]
    if item.error:
        out += [f"> {display.reason_label(item.status).capitalize()}: {item.error}", ""]
    out += [item.content, ""]
    for review in detail.reviews_for(item.id):
        score = "failed" if review.score is None else display.score(review.score)
        out += [f"> **Review by {review.reviewer}: {score}** — {review.feedback}"]
        out += [f"> - {tip}" for tip in review.suggestions]
        out.append("")
    return out


def _attached(item: InteractionRow) -> list[str]:
    """What went with a prompt: each image's path, type, size and hash (the bytes are not kept)."""
    lines = [
        f"- Attached: `{a.get('path')}` ({a.get('media_type')}, {a.get('bytes', 0):,} bytes,"
        f" sha256 {a.get('sha256')})"
        for a in attachments_of(item)
    ]
    return [*lines, ""] if lines else []


def _interaction(detail: SessionDetail, item: InteractionRow) -> dict[str, Any]:
    data = asdict(item)
    data.pop("session_id")
    data["requests"] = [_without_id(asdict(r)) for r in detail.requests_for(item.id)]
    data["reviews"] = [_without_id(asdict(r)) for r in detail.reviews_for(item.id)]
    return data


def _read_interaction(
    data: dict[str, Any], session_id: str
) -> tuple[InteractionRow, list[RequestRow], list[ReviewRow]]:
    names = {f.name for f in fields(InteractionRow)} - {"session_id"}
    known = {k: data[k] for k in names if k in data or k not in OPTIONAL}
    interaction = InteractionRow(session_id=session_id, **known)
    requests = [
        RequestRow(**{**r, "interaction_id": interaction.id, "cached": bool(r.get("cached"))})
        for r in data.get("requests", [])
    ]
    reviews = [
        ReviewRow(
            **{
                **r,
                "interaction_id": interaction.id,
                "suggestions": tuple(r.get("suggestions", ())),
            }
        )
        for r in data.get("reviews", [])
    ]
    return interaction, requests, reviews


def _vote(vote: Vote) -> dict[str, Any]:
    data = asdict(vote)
    data.pop("session_id")
    return data


def _read_vote(data: dict[str, Any], session_id: str) -> Vote:
    return Vote(
        **{
            **data,
            "session_id": session_id,
            "answers": tuple(data["answers"]),
            "contestants": tuple(data["contestants"]),
        }
    )


def _without_id(data: dict[str, Any]) -> dict[str, Any]:
    data.pop("interaction_id")
    return data


def _prompt_of(item: InteractionRow, by_id: dict[str, InteractionRow]) -> str | None:
    """The user prompt an interaction answers: the nearest prompt among its ancestors."""
    seen: set[str] = set()
    current: InteractionRow | None = item
    while current is not None and current.id not in seen:
        if current.type == "prompt":
            return current.content if current is not item else None
        seen.add(current.id)
        current = by_id.get(current.parent_id or "")
    return None


def _check(data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ExportFormatError("not an orch-tui session export")
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise ExportFormatError(
            f"export version {data.get('version')} is newer than this orch-tui reads ({VERSION})"
        )


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


for _builtin in (
    Exporter(
        "markdown",
        ".md",
        lambda details: "\n".join(to_markdown(d) for d in details),
        "to read",
    ),
    Exporter("json", ".json", _json_documents, "one document per session; imports back"),
    Exporter(
        "jsonl",
        ".jsonl",
        lambda details: "".join(line + "\n" for d in details for line in to_jsonl(d)),
        "one line per interaction, for datasets; imports back",
    ),
):
    register_exporter(_builtin)
