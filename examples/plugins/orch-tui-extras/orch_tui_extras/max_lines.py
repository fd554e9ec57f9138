"""A ``max_lines`` check: full marks up to ``lines`` lines, less for each line over."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orchestrator_tui.core.review import ScoreRequest
from orchestrator_tui.core.types import Review


class MaxLines:
    fields = ("lines",)

    def __init__(self, lines: int) -> None:
        self.lines = lines
        self.name = f"max_lines({lines})"

    @classmethod
    def make(cls, settings: Mapping[str, Any]) -> MaxLines:
        lines = settings.get("lines")
        if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
            raise ValueError("`lines` must be a whole number of at least 1")
        return cls(lines)

    async def score(self, request: ScoreRequest) -> Review:
        count = len(request.answer.splitlines())
        if count <= self.lines:
            return Review(1.0, f"{count} lines, within {self.lines}.", reviewer=self.name)
        score = round(self.lines / count, 4)
        return Review(score, f"{count} lines; keep it to {self.lines}.", reviewer=self.name)
