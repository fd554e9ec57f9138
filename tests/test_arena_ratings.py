"""Bradley-Terry ratings: recovered from simulated votes, intervals that cover, ties, seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orchestrator_tui.core.arena import ratings
from orchestrator_tui.core.arena.leaderboard import Figures, cost_quality, standings
from orchestrator_tui.core.arena.votes import Vote, battles

TRUE = np.linspace(800.0, 1200.0, 8)  # 8 models spread evenly over 400 points
NAMES = [f"mock:m{i}" for i in range(8)]


def simulate(rng: np.random.Generator, count: int) -> list[tuple[str, str, float]]:
    """``count`` battles between random pairs, won as the Bradley-Terry model says (no ties)."""
    a = rng.integers(0, 8, count)
    b = rng.integers(0, 7, count)
    b = b + (b >= a)
    p = 1.0 / (1.0 + 10.0 ** ((TRUE[b] - TRUE[a]) / 400.0))
    won = rng.random(count) < p
    return [(NAMES[x], NAMES[y], 1.0 if w else 0.0) for x, y, w in zip(a, b, won, strict=True)]


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


def by_name(pooled: ratings.Pooled, values: np.ndarray) -> np.ndarray:
    order = [pooled.contestants.index(name) for name in NAMES]
    return values[order]


@pytest.mark.parametrize("seed", range(5))
def test_2000_simulated_votes_recover_the_true_order(seed: int) -> None:
    pooled = ratings.pool(simulate(np.random.default_rng(seed), 2000))
    fitted = by_name(pooled, ratings.fit(pooled))
    assert spearman(fitted, TRUE) >= 0.95
    # on the true scale, too: centred on 1000, each within 60 points of the truth
    assert abs(fitted.mean() - 1000.0) < 1e-6
    assert np.abs(fitted - TRUE).max() < 60


def test_95_percent_intervals_contain_the_true_rating_in_at_least_90_percent_of_runs() -> None:
    """200 simulations of 2,000 votes; 200 resamples each (the 2.5/97.5 percentiles then rest on
    the 5th and 195th of 200 refits: coarse, but unbiased, and 5x faster than 1,000)."""
    rng = np.random.default_rng(2026)
    covered = np.zeros(8)
    runs = 200
    for run in range(runs):
        pooled = ratings.pool(simulate(rng, 2000))
        low, high = ratings.interval(ratings.bootstrap(pooled, resamples=200, seed=run))
        low, high = by_name(pooled, low), by_name(pooled, high)
        covered += (low <= TRUE) & (high >= TRUE)
    coverage = covered / runs
    assert coverage.mean() >= 0.90, coverage
    assert coverage.mean() <= 0.99, "intervals this wide say nothing"


def test_two_models_that_only_tie_rate_equal() -> None:
    pooled = ratings.pool([("a", "b", 0.5)] * 12)
    assert ratings.fit(pooled) == pytest.approx([1000.0, 1000.0])
    # with a third model they both meet on the same terms, still equal
    mixed = [("a", "b", 0.5)] * 10 + [("a", "c", 1.0), ("b", "c", 1.0)] * 4
    mixed += [("c", "a", 1.0), ("c", "b", 1.0)] * 2
    pooled = ratings.pool(mixed)
    a, b, c = ratings.fit(pooled)
    assert a == pytest.approx(b, abs=1e-6)
    assert a > c


def test_a_tie_counts_half_a_win_for_each_side() -> None:
    """3 wins, 2 ties, 1 loss is 4 of 6 points: a beats b with odds 2 to 1 on the Elo scale."""
    games = [("a", "b", 1.0)] * 3 + [("a", "b", 0.5)] * 2 + [("b", "a", 1.0)]
    a, b = ratings.fit(ratings.pool(games))
    assert a - b == pytest.approx(400 * math.log10(2), abs=0.5)
    assert ratings.win_probability(a, b) == pytest.approx(4 / 6, abs=1e-3)


def test_ratings_and_intervals_are_the_same_for_the_same_seed() -> None:
    pooled = ratings.pool(simulate(np.random.default_rng(7), 500))
    first = ratings.bootstrap(pooled, resamples=100, seed=3)
    again = ratings.bootstrap(pooled, resamples=100, seed=3)
    other = ratings.bootstrap(pooled, resamples=100, seed=4)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert np.array_equal(ratings.fit(pooled), ratings.fit(pooled))


def test_an_unbeaten_model_gets_a_finite_rating_above_the_rest() -> None:
    pooled = ratings.pool([("a", "b", 1.0)] * 20 + [("b", "c", 1.0), ("c", "b", 1.0)] * 5)
    a, b, c = ratings.fit(pooled)
    assert math.isfinite(a) and a > b + 400
    assert b == pytest.approx(c, abs=0.5)  # the ridge holds a back; b barely notices


def test_the_board_ranks_models_with_ten_votes_and_lists_the_rest_as_provisional() -> None:
    votes = [
        Vote("s", ("x1", "y1"), ("mock:a", "mock:b"), "win", winner="x1", blind=True)
        for _ in range(8)
    ] + [Vote("s", ("x2", "y2"), ("mock:b", "mock:a"), "tie", blind=True)] * 4
    votes += [Vote("s", ("x3", "y3"), ("mock:c", "mock:a"), "win", winner="y3")] * 3
    rows = standings(battles(votes), resamples=50)
    by_model = {row.model: row for row in rows}
    assert [row.model for row in rows] == ["mock:a", "mock:b", "mock:c"]
    assert by_model["mock:a"].votes == 15 and by_model["mock:a"].rank == 1
    assert by_model["mock:b"].rank == 2 and not by_model["mock:b"].provisional
    assert by_model["mock:c"].provisional and by_model["mock:c"].rank is None
    assert by_model["mock:b"].win_rate == pytest.approx(2 / 12)
    a = by_model["mock:a"]
    assert a.ci_low is not None and a.ci_high is not None
    assert a.ci_low <= a.rating <= a.ci_high


def test_the_cost_quality_view_keeps_models_no_other_beats_on_rating_and_cost() -> None:
    games = [("a", "b", 1.0)] * 6 + [("b", "c", 1.0)] * 6 + [("a", "c", 1.0)] * 6
    games += [("b", "a", 1.0), ("c", "b", 1.0), ("c", "a", 1.0), ("d", "c", 1.0), ("c", "d", 1.0)]
    figures = {
        "a": Figures(0.05, 2.0),
        "b": Figures(0.01, 1.0),
        "c": Figures(0.02, 1.0),  # worse and dearer than b
        "d": Figures(0.001, 1.0),
    }
    rows = standings(games, resamples=0, figures=figures)
    assert [row.model for row in cost_quality(rows)] == ["d", "b", "a"]
