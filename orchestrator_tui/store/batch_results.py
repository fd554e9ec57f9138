"""A result that came back through a broker, stored as a normal session of the user's history.

The session (prompt, every answer with its usage, the answer's step) and the item's result are
one transaction, written only while the item has no result: a duplicate changes nothing.
"""

from __future__ import annotations

from dataclasses import replace

from orchestrator_tui.core.batch.model import BatchItem, ItemOutcome
from orchestrator_tui.core.conversation import new_id
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.detail import ChainStepRow, RequestRow, SessionDetail
from orchestrator_tui.store.rows import InteractionRow, SessionRow
from orchestrator_tui.store.saving import statements

STATUS = {"done": "completed", "failed": "failed"}


async def store_result(db: Database, item: BatchItem, outcome: ItemOutcome, chain: str) -> bool:
    """Store ``outcome`` once; ``False`` when the item already had a result."""
    from orchestrator_tui.store.batches import store_outcome, tag_session

    row = await db.fetchone(
        "SELECT status FROM batch_items WHERE batch_id = ? AND item = ?", (item.batch_id, item.item)
    )
    if row is None or row["status"] in ("done", "failed"):
        return False
    detail = session_of(item, outcome, chain)
    stored = replace(outcome, session_id=detail.session.id)
    writes = [
        *statements(detail),
        tag_session(item, detail.session.id),
        store_outcome(item, stored),
    ]
    await db.write(writes)
    return True


def session_of(item: BatchItem, outcome: ItemOutcome, chain: str) -> SessionDetail:
    at = outcome.at
    session = SessionRow(
        new_id(),
        f"{chain}: {next(iter(item.inputs.values()), '')}"[:80],
        "chain",
        STATUS[outcome.status],
        at,
        at,
        chain,
        {"batch_item": item.key, "models": sorted({t.model for t in outcome.turns})},
    )
    prompt_id = new_id()
    prompt = "\n".join([f"Chain: {chain}", *(f"{k}: {v}" for k, v in item.inputs.items())])
    interactions = [
        InteractionRow(
            prompt_id, session.id, None, None, "prompt", None, prompt, "ok", None, at, at
        )
    ]
    requests = []
    parent = prompt_id
    for turn in outcome.turns:
        usage = {"input_tokens": turn.input_tokens, "output_tokens": turn.output_tokens}
        interactions.append(
            InteractionRow(
                turn.response_id,
                session.id,
                parent,
                turn.step_id,
                turn.role,
                turn.model,
                turn.text,
                turn.status,
                None,
                at,
                at,
                {**usage, "cost": turn.cost},
            )
        )
        requests.append(
            RequestRow(
                turn.response_id,
                turn.model.partition(":")[0],
                turn.model,
                1,
                turn.status,
                at,
                input_tokens=turn.input_tokens,
                output_tokens=turn.output_tokens,
                cost=turn.cost,
            )
        )
        parent = turn.response_id
    steps = []
    step_id = next((t.step_id for t in reversed(outcome.turns) if t.step_id), None)
    if step_id is not None:
        steps.append(
            ChainStepRow(
                new_id(),
                step_id,
                outcome.step_kind or "",
                0,
                "ok" if outcome.status == "done" else "failed",
                at,
                outcome.score,
                (),
                outcome.output,
                outcome.error,
                at,
                dict(outcome.details),
            )
        )
    return SessionDetail(session, interactions, requests, [], steps)
