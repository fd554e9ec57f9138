"""Bradley-Terry ratings by maximum likelihood, with bootstrap confidence intervals.

The model: P(a beats b) = 1 / (1 + 10 ** ((R_b - R_a) / 400)), ratings centred on 1000 (the scale
Chatbot Arena reports). A tie counts half a win for each side, so the log-likelihood of a battle
with score s for a is s·log P + (1 - s)·log(1 - P).

Battles are pooled per pair of contestants (how many, and a's total score), so the fit costs the
same for a hundred or a hundred thousand votes. The fit is Newton's method on the natural-log
strengths, with a very small ridge (``RIDGE``) that keeps an unbeaten contestant's rating finite
and the answer unique; it moves ordinary ratings by far less than a point. Many fits run at once
as one batch (``fit_batch``): that is what makes 1,000 bootstrap resamples cheap.

The bootstrap resamples battles with replacement (a multinomial draw over the pooled cells:
pair x outcome, the same distribution as drawing battles one by one), refits, and takes the
2.5th and 97.5th percentiles. A vote over N answers contributes its pairwise battles, each
resampled on its own. Everything is deterministic for a seed.

numpy loads with this module; only the leaderboard imports it, never before the TUI's first paint.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from orchestrator_tui.core.arena.votes import Battle

SCALE = 400.0
BASE = 10.0
CENTER = 1000.0
RIDGE = 1e-4
"""Penalty on the squared natural-log strengths: tiny beside one battle's information (≤ 0.25)."""
Floats = NDArray[np.float64]
Indices = NDArray[np.intp]
RESAMPLES = 1000
MAX_STEP = 4.0
"""Largest Newton step (natural-log units) per iteration: keeps a lopsided resample stable."""
MAX_ITERATIONS = 100
TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Pooled:
    """Battles pooled by pair: ``first[p] < second[p]`` index ``contestants``; per pair the
    number of times ``first`` won, tied and lost."""

    contestants: tuple[str, ...]
    first: Indices
    second: Indices
    wins: Floats
    ties: Floats
    losses: Floats

    @property
    def count(self) -> Floats:
        return self.wins + self.ties + self.losses

    @property
    def score(self) -> Floats:
        return self.wins + 0.5 * self.ties


def pool(battles: Iterable[Battle | tuple[str, str, float]]) -> Pooled:
    """Battles counted per pair and outcome, contestants in sorted order. A battle is (a, b, a's
    score) with an optional fourth item, how many times it happened."""
    tally: dict[tuple[str, str], list[int]] = {}
    for a, b, score, *times in battles:
        if a == b:
            continue
        if a > b:
            a, b, score = b, a, 1.0 - score
        cell = tally.setdefault((a, b), [0, 0, 0])
        cell[0 if score == 1.0 else 1 if score == 0.5 else 2] += times[0] if times else 1
    names = tuple(sorted({name for pair in tally for name in pair}))
    index = {name: i for i, name in enumerate(names)}
    pairs = sorted(tally)
    counts = np.array([tally[p] for p in pairs], dtype=float).reshape(-1, 3)
    return Pooled(
        names,
        np.array([index[a] for a, _ in pairs], dtype=np.intp),
        np.array([index[b] for _, b in pairs], dtype=np.intp),
        counts[:, 0],
        counts[:, 1],
        counts[:, 2],
    )


def fit_batch(
    first: Indices,
    second: Indices,
    count: Floats,
    score: Floats,
    size: int,
    start: Floats | None = None,
) -> Floats:
    """Ratings (Elo-like scale) for each row of ``count``/``score`` (shape: fits x pairs).

    Row r's data: pair p was played ``count[r, p]`` times and ``first[p]`` scored ``score[r, p]``;
    every contestant must be in some pair. ``start``: natural-log strengths to start from (one row
    or one per fit). Returns shape fits x ``size``, each row centred on ``CENTER``.

    Sums per contestant use ``reduceat`` over the pairs sorted by contestant rather than a matrix
    product: BLAS threads fighting over a busy machine made the product ten times slower.
    """
    fits, pairs = count.shape
    theta = np.zeros((fits, size)) if start is None else np.broadcast_to(start, (fits, size)).copy()
    ends = np.concatenate([first, second])
    order = np.argsort(ends, kind="stable")
    bounds = np.searchsorted(ends[order], np.arange(size))
    signs = np.concatenate([np.ones(pairs), -np.ones(pairs)])[order]
    upper, lower = first * size + second, second * size + first
    diagonal = np.arange(size) * (size + 1)
    ridge = np.eye(size) * RIDGE

    def per_contestant(values: Floats, signed: bool) -> Floats:
        both = np.concatenate([values, values], axis=1)[:, order]
        return np.add.reduceat(both * signs if signed else both, bounds, axis=1)

    for _ in range(MAX_ITERATIONS):
        p = 1.0 / (1.0 + np.exp(theta[:, second] - theta[:, first]))
        gradient = per_contestant(score - count * p, signed=True) - RIDGE * theta
        weight = count * p * (1.0 - p)
        hessian = np.broadcast_to(ridge, (fits, size, size)).copy()
        flat = hessian.reshape(fits, size * size)
        flat[:, upper] = -weight
        flat[:, lower] = -weight
        flat[:, diagonal] += per_contestant(weight, signed=False)
        step = np.linalg.solve(hessian, gradient[..., None])[..., 0]
        np.clip(step, -MAX_STEP, MAX_STEP, out=step)
        theta += step
        if np.abs(step).max() < TOLERANCE:
            break
    theta -= theta.mean(axis=1, keepdims=True)
    return CENTER + theta * (SCALE / math.log(BASE))


def fit(pooled: Pooled) -> Floats:
    """The maximum-likelihood ratings of ``pooled.contestants``, in that order."""
    if not pooled.contestants:
        return np.zeros(0)
    fitted: Floats = fit_batch(
        pooled.first,
        pooled.second,
        pooled.count[None, :],
        pooled.score[None, :],
        len(pooled.contestants),
    )[0]
    return fitted


def bootstrap(
    pooled: Pooled, *, resamples: int = RESAMPLES, seed: int = 0, chunk: int = 250
) -> Floats:
    """Ratings refitted on ``resamples`` resamples of the battles: shape resamples x contestants.

    Resamples are fitted ``chunk`` at a time so memory stays small (fits x contestants²).
    """
    size = len(pooled.contestants)
    if not size:
        return np.zeros((resamples, 0))
    cells = np.concatenate([pooled.wins, pooled.ties, pooled.losses])
    total = int(cells.sum())
    rng = np.random.default_rng(seed)
    drawn = rng.multinomial(total, cells / total, size=resamples).astype(float)
    pairs = len(pooled.first)
    wins, ties = drawn[:, :pairs], drawn[:, pairs : 2 * pairs]
    count = wins + ties + drawn[:, 2 * pairs :]
    score = wins + 0.5 * ties
    point = (fit(pooled) - CENTER) * (math.log(BASE) / SCALE)  # resamples start near it
    out = np.empty((resamples, size))
    for begin in range(0, resamples, chunk):
        part = slice(begin, begin + chunk)
        out[part] = fit_batch(pooled.first, pooled.second, count[part], score[part], size, point)
    return out


def interval(samples: Floats, level: float = 0.95) -> tuple[Floats, Floats]:
    """Percentile interval of bootstrap ``samples`` (resamples x contestants)."""
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail], axis=0)
    return low, high


def win_probability(rating_a: float, rating_b: float) -> float:
    """P(a beats b) under the model, for ratings on this scale."""
    return 1.0 / (1.0 + math.pow(BASE, (rating_b - rating_a) / SCALE))
