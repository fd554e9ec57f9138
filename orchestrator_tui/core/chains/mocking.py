"""``--mock``: the same chain with every model swapped for an offline one, for a dry run.

Writers become ``mock:lorem`` (Markdown of a realistic length), reviewers and judges
``mock:judge`` (a JSON verdict), so every step kind runs its real code path without a key. A
council's members become ``mock:peer-1``, ``mock:peer-2``, ... (they answer and rank each other)
and its chairman ``mock:lorem``.
"""

from __future__ import annotations

from dataclasses import replace

from orchestrator_tui.core.chains.model import Chain, Step

MOCK_WRITER = "mock:lorem"
MOCK_JUDGE = "mock:judge"
PEERS = 3
"""``mock:peer-1`` .. ``mock:peer-3``: mock models that answer and rank."""


def mock_step(step: Step) -> Step:
    if step.kind == "council":
        peers = tuple(f"mock:peer-{index % PEERS + 1}" for index in range(len(step.models)))
        return replace(step, model=MOCK_WRITER, models=peers)
    return replace(
        step,
        model=MOCK_WRITER if step.model else None,
        models=tuple(MOCK_WRITER for _ in step.models),
        reviewer=MOCK_JUDGE if step.reviewer else None,
        judge=MOCK_JUDGE if step.judge else None,
    )


def mock_chain(chain: Chain) -> Chain:
    return replace(chain, steps=tuple(mock_step(s) for s in chain.steps))
