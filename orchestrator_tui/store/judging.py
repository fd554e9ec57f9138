"""What a judge can compare in a stored session: the answers given to the same prompt.

Answers are grouped by the prompt (and chain step) they answer; only finished answers count, and
a group needs two different contestants. Reviews and refinements are not contestants.
"""

from __future__ import annotations

from orchestrator_tui.core.arena.judge import Comparison, Contender
from orchestrator_tui.store.detail import SessionDetail


def comparisons(detail: SessionDetail, category: str | None = None) -> list[Comparison]:
    by_id = {item.id: item for item in detail.interactions}
    groups: dict[tuple[str | None, str | None], list[Contender]] = {}
    for item in detail.interactions:
        if item.type != "response" or item.status != "ok" or not item.model:
            continue
        contender = Contender(item.id, item.model, item.content)
        groups.setdefault((item.parent_id, item.step_id), []).append(contender)
    out = []
    for (parent_id, _), answers in groups.items():
        prompt = by_id.get(parent_id or "")
        if prompt is None or prompt.type != "prompt":
            continue
        if len({a.contestant for a in answers}) < 2:
            continue
        out.append(Comparison(detail.session.id, prompt.content, tuple(answers), category))
    return out
