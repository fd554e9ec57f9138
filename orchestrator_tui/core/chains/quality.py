"""Conversation quality as seed 004 defines it: length, model diversity, natural flow, completion.

One score in [0, 1] per conversation, stored beside the judge's score:

    quality = 0.3 * length + 0.2 * diversity + 0.3 * flow + 0.2 * completion

- length: 1 for the ideal 5-8 turns; t/5 below 5 turns; 1 - (t - 8)/8 above 8 (0 from 16 turns).
- diversity: how many models spoke, d: 0 for one model, (1 - 1/d) / (1 - 1/3) capped at 1, so two
  models give 0.75 and three or more 1.
- flow: the share of turns after the first that answer the turn before them (they share a content
  word of four letters or more with it) without restating it (less than 60% of their words in
  common); a heuristic that needs no model, cheap enough for every conversation of a batch.
- completion: 1 when the dialogue ended itself (a closing phrase: a smart ending), 0.5 at the
  turn limit, 0.25 when it was stopped for repeating itself, 0 when cut short (failed, cancelled).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

WEIGHTS = {"length": 0.3, "diversity": 0.2, "flow": 0.3, "completion": 0.2}
IDEAL_TURNS = (5, 8)
RESTATED = 0.6
_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True, slots=True)
class Quality:
    score: float
    factors: dict[str, float]


def length_factor(turns: int) -> float:
    low, high = IDEAL_TURNS
    if turns < low:
        return turns / low
    if turns <= high:
        return 1.0
    return max(0.0, 1 - (turns - high) / high)


def diversity_factor(models: Sequence[str]) -> float:
    distinct = len(set(models))
    if distinct <= 1:
        return 0.0
    return min(1.0, (1 - 1 / distinct) / (1 - 1 / 3))


def flow_factor(texts: Sequence[str]) -> float:
    if len(texts) < 2:
        return 0.0
    words = [set(_WORD.findall(text.lower())) for text in texts]
    natural = 0
    for before, after in pairwise(words):
        shared = len(before & after)
        if shared and shared < RESTATED * max(len(after), 1):
            natural += 1
    return natural / (len(texts) - 1)


def completion_factor(stopped: str) -> float:
    if stopped.startswith("closing phrase"):
        return 1.0
    return {"turn limit": 0.5, "repetition": 0.25}.get(stopped, 0.0)


def conversation_quality(models: Sequence[str], texts: Sequence[str], stopped: str) -> Quality:
    """``models[i]`` spoke ``texts[i]``; ``stopped`` is the dialogue's stop reason."""
    factors = {
        "length": length_factor(len(texts)),
        "diversity": diversity_factor(models),
        "flow": flow_factor(texts),
        "completion": completion_factor(stopped),
    }
    score = sum(WEIGHTS[name] * value for name, value in factors.items())
    return Quality(round(score, 3), {k: round(v, 3) for k, v in factors.items()})
