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

STATUS = {"done": "completed", "failed": "failed", "interrupted": "interrupted"}
STEP_STATUS = {"done": "ok", "failed": "failed", "interrupted": "interrupted"}


async def store_result(db: Database, item: BatchItem, outcome: ItemOutcome, chain: str) -> bool:
    """Store ``outcome`` once; ``False`` when the item already had a result.

    An interrupted attempt is kept as an ``interrupted`` session linked to its item (once: it
    keeps the session id it had on the worker) and is never the item's result.
    """
    from orchestrator_tui.store.batches import store_outcome, tag_session

    if outcome.status == "interrupted":
        seen = await db.fetchone("SELECT 1 FROM sessions WHERE id = ?", (outcome.session_id,))
        if seen is None and outcome.session_id:
            detail = session_of(item, outcome, chain, outcome.session_id)
            await db.write([*statements(detail), tag_session(item, detail.session.id)])
        return False

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


def session_of(
    item: BatchItem, outcome: ItemOutcome, chain: str, session_id: str | None = None
) -> SessionDetail:
    at = outcome.at
    session = SessionRow(
        session_id or new_id(),
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
        # ids of their own: a turn taken over is in the attempt cut short and in the result
        answer_id = new_id()
        usage = {"input_tokens": turn.input_tokens, "output_tokens": turn.output_tokens}
        interactions.append(
            InteractionRow(
                answer_id,
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
                answer_id,
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
        parent = answer_id
    steps = []
    step_id = next((t.step_id for t in reversed(outcome.turns) if t.step_id), None)
    if step_id is not None:
        steps.append(
            ChainStepRow(
                new_id(),
                step_id,
                outcome.step_kind or "",
                0,
                STEP_STATUS[outcome.status],
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
