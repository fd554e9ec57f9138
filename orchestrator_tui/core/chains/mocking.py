"""``--mock``: the same chain with every model swapped for an offline one, for a dry run.

Writers become ``mock:lorem`` (Markdown of a realistic length), reviewers and judges
``mock:judge`` (a JSON verdict), so every step kind runs its real code path without a key.
"""

from __future__ import annotations

from dataclasses import replace

from orchestrator_tui.core.chains.model import Chain, Step

MOCK_WRITER = "mock:lorem"
MOCK_JUDGE = "mock:judge"


def mock_step(step: Step) -> Step:
    return replace(
        step,
        model=MOCK_WRITER if step.model else None,
        models=tuple(MOCK_WRITER for _ in step.models),
        reviewer=MOCK_JUDGE if step.reviewer else None,
        judge=MOCK_JUDGE if step.judge else None,
    )


def mock_chain(chain: Chain) -> Chain:
    return replace(chain, steps=tuple(mock_step(s) for s in chain.steps))
