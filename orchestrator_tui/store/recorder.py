"""Writes run events to the database: structure at once, streaming text in batches.

The recorder is a run listener: ``__call__`` is synchronous and cheap (it only queues), and a
background task writes. Text is flushed at least every ``interval`` seconds and at the end of each
response, so a crash loses at most about that much of an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

from orchestrator_tui.core.conversation import new_id
from orchestrator_tui.core.events import (
    AttemptFailed,
    BestMarked,
    ContextCompacted,
    ResponseEnded,
    ResponseStarted,
    ReviewReady,
    RunEvent,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    TextDelta,
    VotesCast,
)
from orchestrator_tui.store.attached_images import attachment_records
from orchestrator_tui.store.db import Database, DatabaseError
from orchestrator_tui.store.detail import ChainStepRow, RequestRow, ReviewRow
from orchestrator_tui.store.saving import (
    best_update,
    request_insert,
    review_insert,
    step_insert,
)
from orchestrator_tui.store.votes import best_vote_statements, vote_insert
from orchestrator_tui.store.writer import this_process

log = logging.getLogger(__name__)
Statement = tuple[str, Sequence[Any]]
SESSION_STATUS = {
    "completed": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
    "budget": "budget",
}


def make_title(prompt: str, limit: int = 60) -> str:
    """A session title from its first prompt: the first line, cut at a word boundary."""
    line = next((part.strip() for part in prompt.splitlines() if part.strip()), "")
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut.rstrip(",.;:") + "…"


class Recorder:
    def __init__(self, db: Database, interval: float = 0.5) -> None:
        self.db = db
        self.interval = interval
        self._pending: list[Statement] = []
        self._streaming: dict[str, list[str]] = {}
        self._dirty: set[str] = set()
        self._additions: set[str] = set()
        """Runs that add to answers already there (a review, a synthesis): their outcome is on
        what they add, never the session's, which stays that of its answers."""
        self._wake = asyncio.Event()
        self._closing = False
        self._writer: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def start(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_loop(), name="recorder")

    def __call__(self, event: RunEvent) -> None:
        if type(event) is TextDelta:  # the hot path: one per token, kept to a list append
            pieces = self._streaming.get(event.response_id)
            if pieces is not None:
                pieces.append(event.text)
                self._dirty.add(event.response_id)
            return
        match event:
            case RunStarted():
                if event.prompt_id is None:
                    self._additions.add(event.run_id)
                self._pending += _run_started(event)
            case ResponseStarted():
                self._streaming[event.response_id] = []
                self._pending.append(_insert_response(event))
            case AttemptFailed(retry_in=None):
                return  # the final attempt is written with the response's end
            case AttemptFailed():
                self._pending.append(_retried_attempt(event))
            case ReviewReady():
                self._pending.append(_insert_review(event))
            case ResponseEnded():
                self._streaming.pop(event.response_id, None)
                self._dirty.discard(event.response_id)
                self._pending += _response_ended(event)
            case ContextCompacted():
                self._pending.append(_context_marker(event))
            case StepStarted():
                self._pending.append(_step_started(event))
            case StepFinished():
                self._pending.append(_step_finished(event))
            case VotesCast():
                self._pending += [vote_insert(vote) for vote in event.votes]
            case BestMarked():
                statement = best_update(event.session_id, event.answers, event.best)
                if statement is not None:
                    self._pending.append(statement)
                    shown = list(zip(event.answers, event.models, strict=False))
                    self._pending += best_vote_statements(event.session_id, shown, event.best)
            case RunFinished():
                addition = event.run_id in self._additions
                self._additions.discard(event.run_id)
                status = "completed" if addition else SESSION_STATUS[event.status]
                self._pending.append(
                    (
                        "UPDATE sessions SET status = ?, updated_at = ?, pid = NULL, pid_start = NULL"
                        " WHERE id = ?",
                        (status, event.at, event.session_id),
                    )
                )
        self._wake.set()

    def add(self, statement: Statement) -> None:
        """Write ``statement`` with the events queued so far, in the same transaction.

        A listener called right after the recorder (no await between) lands in the transaction
        that records the same event: a batch item's result and its session's end, for example.
        """
        self._pending.append(statement)
        self._wake.set()

    async def flush(self) -> None:
        """Write everything queued so far, including streaming text.

        If the file cannot be written (locked, damaged), the rows stay queued for the next flush
        and ``DatabaseError`` is raised: the last flush (``aclose``) reports it.
        """
        async with self._lock:
            statements = self._pending
            self._pending = []
            for rid in self._dirty:
                pieces = self._streaming.get(rid)
                if pieces is not None:
                    statements.append(
                        ("UPDATE interactions SET content = ? WHERE id = ?", ("".join(pieces), rid))
                    )
            self._dirty.clear()
            if statements:
                await self._write(statements)

    async def _write(self, statements: list[Statement]) -> None:
        """One transaction; if a row is refused, every other row still goes in (and the one
        refused is named in the log), so a run never stays ``active`` for one bad value."""
        try:
            try:
                await self.db.write(statements)
            except (sqlite3.Error, ValueError, OverflowError):
                for index, exc in await self.db.write_each(statements):
                    sql = " ".join(statements[index][0].split()[:3])
                    log.error("one row was not recorded (%s ...): %s", sql, exc)
        except DatabaseError:
            self._pending[:0] = statements  # kept, in order, ahead of what came meanwhile
            raise

    async def aclose(self) -> None:
        self._closing = True
        self._wake.set()
        if self._writer is not None:
            await self._writer
            self._writer = None
        await self.flush()

    async def _write_loop(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            try:
                await self.flush()
            except DatabaseError:
                # A locked or damaged file: retried quietly; the last flush (``aclose``) raises
                # it for the front end to say in one line if it lasts.
                await asyncio.sleep(self.interval)
            except Exception:
                log.exception("recording to the history database failed")
                await asyncio.sleep(self.interval)


def _run_started(event: RunStarted) -> list[Statement]:
    fields: dict[str, object] = {"models": list(event.models), "params": event.params.as_dict()}
    if event.mode:
        fields["mode"] = event.mode
    prompt = event.prompt
    statements: list[Statement] = [
        (
            "INSERT INTO sessions (id, title, kind, status, chain_name, created_at, updated_at,"
            " pid, pid_start, metadata) VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET status = 'active', updated_at = excluded.updated_at,"
            " pid = excluded.pid, pid_start = excluded.pid_start",
            (
                event.session_id,
                event.title or make_title(prompt.text if prompt else ""),
                event.kind,
                event.chain_name,
                event.at,
                event.at,
                *this_process(),
                json.dumps(fields),
            ),
        )
    ]
    if prompt is not None:
        attachments = attachment_records(prompt)
        if attachments:
            fields["attachments"] = attachments
        statements.append(
            (
                "INSERT INTO interactions (id, session_id, parent_id, type, content, status,"
                " created_at, finished_at, metadata) VALUES (?, ?, ?, 'prompt', ?, 'ok', ?, ?, ?)",
                (
                    event.prompt_id,
                    event.session_id,
                    event.parent_id,
                    prompt.text,
                    event.at,
                    event.at,
                    json.dumps(fields),
                ),
            )
        )
    return statements


def _insert_review(event: ReviewReady) -> Statement:
    feedback = event.feedback if event.error is None else event.error
    row = ReviewRow(
        event.target_id, event.reviewer, event.score, event.at, feedback, event.suggestions
    )
    return review_insert(event.session_id, row)


def _step_started(event: StepStarted) -> Statement:
    return (
        "INSERT INTO chain_steps (session_id, run_id, step_id, kind, position, status, started_at)"
        " VALUES (?, ?, ?, ?, ?, 'running', ?)",
        (event.session_id, event.run_id, event.step_id, event.kind, event.index, event.at),
    )


def _step_finished(event: StepFinished) -> Statement:
    """An upsert: a skipped step finishes without having started."""
    row = ChainStepRow(
        event.run_id,
        event.step_id,
        event.kind,
        event.index,
        event.status,
        event.at,
        event.score,
        event.scores,
        event.output,
        event.error,
        event.at,
        event.details,
    )
    return step_insert(event.session_id, row, _STEP_FINISHED)


_STEP_FINISHED = (
    " ON CONFLICT(run_id, step_id) DO UPDATE SET status = excluded.status,"
    " score = excluded.score, scores = excluded.scores, output = excluded.output,"
    " error = excluded.error, details = excluded.details, finished_at = excluded.finished_at"
)


def _context_marker(event: ContextCompacted) -> Statement:
    """The marker of a conversation shortened to fit: where, how, and the summary it points to."""
    metadata = {
        "strategy": event.strategy,
        "dropped": event.dropped,
        "kept": event.kept,
        "summary_id": event.summary_id,
    }
    return (
        "INSERT INTO interactions (id, session_id, parent_id, type, model, content, status,"
        " created_at, finished_at, metadata) VALUES (?, ?, ?, 'context', ?, ?, 'ok', ?, ?, ?)",
        (
            new_id(),
            event.session_id,
            event.prompt_id,
            event.model,
            event.note,
            event.at,
            event.at,
            json.dumps(metadata),
        ),
    )


def _insert_response(event: ResponseStarted) -> Statement:
    return (
        "INSERT INTO interactions (id, session_id, parent_id, step_id, type, model, status,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, 'streaming', ?)",
        (
            event.response_id,
            event.session_id,
            event.parent_id,
            event.step_id,
            event.role,
            event.model,
            event.at,
        ),
    )


def _request(event: AttemptFailed | ResponseEnded, attempt: int, **fields: Any) -> Statement:
    """The ``requests`` row of one attempt of ``event``'s response; ``fields`` as in ``RequestRow``."""
    provider = event.model.partition(":")[0]
    row = RequestRow(
        event.response_id, provider, event.model, attempt, created_at=event.at, **fields
    )
    return request_insert(event.session_id, row)


def _retried_attempt(event: AttemptFailed) -> Statement:
    return _request(
        event,
        event.attempt,
        status="failed",
        error_kind=event.error_kind,
        error=event.error,
        latency=event.latency,
    )


def _response_ended(event: ResponseEnded) -> list[Statement]:
    metadata = {
        "input_tokens": event.usage.input_tokens,
        "output_tokens": event.usage.output_tokens,
        "ttft": event.ttft,
        "latency": event.latency,
        "cost": event.cost,
        "attempts": event.attempts,
        "cached": event.cached,
        "error_kind": event.error_kind,
    }
    if event.fallback_from:
        metadata["fallback_from"] = event.fallback_from
    update: Statement = (
        "UPDATE interactions SET content = ?, model = ?, status = ?, error = ?,"
        " finished_at = ?, metadata = ? WHERE id = ?",
        (
            event.text,
            event.model,
            event.status,
            event.error,
            event.at,
            json.dumps(metadata),
            event.response_id,
        ),
    )
    refused = event.status == "budget" and event.usage.input_tokens is None
    if event.error_kind == "skipped" or refused:  # refused: the budget stopped it before sending
        return [update]  # never sent, so no request to record
    return [
        update,
        _request(
            event,
            event.attempts,
            status=event.status,
            params=event.params.as_dict(),
            error_kind=event.error_kind,
            error=event.error,
            input_tokens=event.usage.input_tokens,
            output_tokens=event.usage.output_tokens,
            ttft=event.ttft,
            latency=event.latency,
            cost=event.cost,
            cached=event.cached,
        ),
    ]
