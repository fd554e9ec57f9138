"""Deterministic sessions for the history tests: fixed ids, times, texts, usage and scores."""

from __future__ import annotations

from orchestrator_tui.store.detail import RequestRow, ReviewRow, SessionDetail
from orchestrator_tui.store.rows import InteractionRow, SessionRow

T0 = 1_750_000_000.0  # 2025-06-15, a fixed clock for every stored time
DAY = 86_400.0


def make_session(
    number: int,
    prompt: str,
    answers: dict[str, str],
    *,
    kind: str = "compare",
    status: str = "completed",
    day: float | None = None,
    scores: dict[str, float] | None = None,
    failed: tuple[str, ...] = (),
    retried: tuple[str, ...] = (),
) -> SessionDetail:
    """Session ``number`` (id ``s{number:031d}``): one prompt, one answer per model.

    Each answer of model ``m`` costs ``0.001 * tokens``, with ttft ``0.1 * number`` and latency
    ``1 + number``; ``failed`` models fail, ``retried`` ones needed two attempts.
    """
    at = T0 + (day if day is not None else number) * DAY
    sid = f"s{number:031d}"
    prompt_id = f"p{number:031d}"
    items = [InteractionRow(prompt_id, sid, None, None, "prompt", None, prompt, "ok", None, at, at)]
    requests: list[RequestRow] = []
    reviews: list[ReviewRow] = []
    for index, (model, text) in enumerate(answers.items()):
        aid = f"a{number:028d}{index:03d}"
        ok = model not in failed
        items.append(
            InteractionRow(
                aid,
                sid,
                prompt_id,
                None,
                "response",
                model,
                text,
                "ok" if ok else "failed",
                None if ok else "overloaded",
                at + 1,
                at + 2,
                {"output_tokens": 10 * (index + 1)},
            )
        )
        if model in retried:
            requests.append(
                RequestRow(aid, model.partition(":")[0], model, 1, "failed", at + 1, {}, "server")
            )
        requests.append(
            RequestRow(
                aid,
                model.partition(":")[0],
                model,
                2 if model in retried else 1,
                "ok" if ok else "failed",
                at + 2,
                {"temperature": 0.5},
                input_tokens=5,
                output_tokens=10 * (index + 1),
                ttft=0.1 * number,
                latency=1.0 + number,
                cost=0.001 * (5 + 10 * (index + 1)),
            )
        )
        if scores and model in scores:
            reviews.append(
                ReviewRow(aid, "mock:judge", scores[model], at + 3, "Fine.", ("Be brief.",))
            )
    session = SessionRow(
        sid, prompt[:40], kind, status, at, at + 3, None, {"models": list(answers)}
    )
    return SessionDetail(session, items, requests, reviews)
