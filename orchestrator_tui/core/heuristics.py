"""Heuristic scorers: cheap, deterministic checks on an answer's text, no model involved.

They follow the same ``Scorer`` protocol as the LLM judge (``core.review``), so a chain can gate a
refine loop on a word budget or required terms as easily as on a reviewer's verdict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator_tui.core.review import ScoreRequest
from orchestrator_tui.core.types import Review


def _words(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True, slots=True)
class LengthScorer:
    """1.0 inside the word bounds, falling off in proportion to how far outside they are."""

    min_words: int | None = None
    max_words: int | None = None
    name: str = "length"

    async def score(self, request: ScoreRequest) -> Review:
        count = _words(request.answer)
        if self.min_words and count < self.min_words:
            score = count / self.min_words
            feedback = f"{count} words; at least {self.min_words} are wanted."
            suggestion = "Expand the answer with more detail."
        elif self.max_words and count > self.max_words:
            score = self.max_words / count
            feedback = f"{count} words; at most {self.max_words} are wanted."
            suggestion = f"Cut the answer to {self.max_words} words or fewer."
        else:
            return Review(1.0, f"{count} words, within bounds.", reviewer=self.name)
        return Review(round(score, 4), feedback, (suggestion,), reviewer=self.name)


@dataclass(frozen=True, slots=True)
class KeywordScorer:
    """The share of required words or phrases present (case-insensitive, whole words)."""

    words: Sequence[str]
    name: str = "keywords"

    async def score(self, request: ScoreRequest) -> Review:
        missing = [w for w in self.words if not _contains(request.answer, w)]
        score = 1 - len(missing) / max(len(self.words), 1)
        if not missing:
            return Review(1.0, "every required term is present.", reviewer=self.name)
        listed = ", ".join(repr(w) for w in missing)
        return Review(
            round(score, 4), f"missing: {listed}.", (f"Mention {listed}.",), reviewer=self.name
        )


@dataclass(frozen=True, slots=True)
class RegexScorer:
    """1.0 when the pattern matches somewhere in the answer, else 0."""

    pattern: str
    name: str = "regex"

    async def score(self, request: ScoreRequest) -> Review:
        if re.search(self.pattern, request.answer, re.MULTILINE):
            return Review(1.0, f"matches /{self.pattern}/.", reviewer=self.name)
        return Review(
            0.0,
            f"does not match /{self.pattern}/.",
            (f"Make the answer match /{self.pattern}/.",),
            reviewer=self.name,
        )


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None
