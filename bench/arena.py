"""How fast the leaderboard is over 100,000 votes between 30 models.

    .venv/bin/python bench/arena.py                   # builds /tmp/orch-arena-bench/history.sqlite3 once
    .venv/bin/python bench/arena.py --rebuild --votes 20000

The history: 5,000 sessions of four answers each (models drawn from 30, each answer with a priced
request and a latency), and blind votes between answers of a session, won as a Bradley-Terry model
with ratings spread over 600 points says (one in ten a tie). Measured through the same calls the
CLI and the TUI make (``store.votes.leaderboard``): the board with 1,000 bootstrap resamples
(target 2 s) and the first rows without intervals, what the leaderboard screen shows first
(target 300 ms). Also prints the rank correlation of the fitted ratings with the true ones.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from orchestrator_tui.store.db import Database
from orchestrator_tui.store.votes import VoteFilter, leaderboard

MODELS = [f"bench:model-{i:02d}" for i in range(30)]
TRUE = {m: 700 + 600 * i / 29 for i, m in enumerate(MODELS)}
ANSWERS_PER_SESSION = 4
TARGETS_MS = {"board, 1,000 resamples": 2000.0, "first rows (no intervals)": 300.0}
SCREEN_TARGET_MS = 300.0


def build(path: Path, votes: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    path.unlink(missing_ok=True)
    asyncio.run(_migrate(path))
    sessions = max(1, votes // 20)
    with sqlite3.connect(path) as conn:
        session_rows, answer_rows, request_rows, vote_rows = [], [], [], []
        for s in range(sessions):
            sid = f"s{s:031d}"
            at = 1_750_000_000.0 + s * 60
            session_rows.append((sid, "bench", "compare", "completed", at, at))
            picked = rng.sample(MODELS, ANSWERS_PER_SESSION)
            ids = [f"a{s:028d}{i:03d}" for i in range(ANSWERS_PER_SESSION)]
            for aid, model in zip(ids, picked, strict=True):
                answer_rows.append((aid, sid, "response", model, "answer", "ok", at))
                request_rows.append(
                    (
                        sid,
                        aid,
                        "bench",
                        model,
                        1,
                        "ok",
                        0.001 * (1 + MODELS.index(model) % 7),
                        0.5 + rng.random() * 3,
                        at,
                    )
                )
            for v in range(votes // sessions):
                x, y = rng.sample(range(ANSWERS_PER_SESSION), 2)
                a, b = picked[x], picked[y]
                p = 1 / (1 + 10 ** ((TRUE[b] - TRUE[a]) / 400))
                draw = rng.random()
                outcome, winner = (
                    ("tie", None) if draw < 0.1 else ("win", ids[x] if rng.random() < p else ids[y])
                )
                vote_rows.append(
                    (
                        sid,
                        json.dumps([ids[x], ids[y]]),
                        json.dumps([a, b]),
                        outcome,
                        "user",
                        winner,
                        None if winner is None else (0 if winner == ids[x] else 1),
                        1,
                        None,
                        at + v,
                    )
                )
        conn.executemany(
            "INSERT INTO sessions (id, title, kind, status, created_at, updated_at) VALUES (?,?,?,?,?,?)",
            session_rows,
        )
        conn.executemany(
            "INSERT INTO interactions (id, session_id, type, model, content, status, created_at)"
            " VALUES (?,?,?,?,?,?,?)",
            answer_rows,
        )
        conn.executemany(
            "INSERT INTO requests (session_id, interaction_id, provider, model, attempt, status,"
            " cost, latency, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            request_rows,
        )
        conn.executemany(
            "INSERT INTO votes (session_id, answers, contestants, outcome, voter, winner, won,"
            " blind, category, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            vote_rows,
        )


async def _migrate(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


async def measure(path: Path, repeat: int) -> None:
    db = await Database.open(path)
    try:
        count = (await db.fetchone("SELECT COUNT(*) AS n FROM votes"))["n"]
        print(f"{count:,} votes, {len(MODELS)} models, {path}")
        results: dict[str, list[float]] = {name: [] for name in TARGETS_MS}
        rows = []
        for _ in range(repeat):
            started = time.perf_counter()
            rows = await leaderboard(db, VoteFilter(), resamples=1000, seed=0)
            results["board, 1,000 resamples"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await leaderboard(db, VoteFilter(), resamples=0, with_figures=False)
            results["first rows (no intervals)"].append((time.perf_counter() - started) * 1000)
        for name, values in results.items():
            p50, target = statistics.median(values), TARGETS_MS[name]
            verdict = "ok" if p50 <= target else "MISSED"
            print(
                f"  {name:<28} p50 {p50:8.1f} ms  max {max(values):8.1f} ms  n={len(values)}"
                f"   target {target:.0f} ms: {verdict} ({p50 / target:.2f}x)"
            )
        fitted = [row.model for row in sorted(rows, key=lambda r: r.rating)]
        truth = sorted(MODELS, key=TRUE.__getitem__)
        rank = {m: i for i, m in enumerate(fitted)}
        d2 = sum((rank[m] - i) ** 2 for i, m in enumerate(truth))
        n = len(truth)
        print(f"  rank correlation with the true ratings: {1 - 6 * d2 / (n * (n * n - 1)):.4f}")
        widths = [row.ci_high - row.ci_low for row in rows if row.ci_low is not None]
        print(f"  median 95% interval width: {statistics.median(widths):.1f} points")
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "orch-arena-bench"
    )
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / "history.sqlite3"
    marker = args.dir / "votes.txt"
    if (
        args.rebuild
        or not path.exists()
        or not marker.exists()
        or marker.read_text() != str(args.votes)
    ):
        started = time.perf_counter()
        build(path, args.votes)
        marker.write_text(str(args.votes))
        print(f"built in {time.perf_counter() - started:.1f} s")
    asyncio.run(measure(path, args.repeat))
    asyncio.run(measure_screen(path, args.repeat))


async def measure_screen(path: Path, repeat: int) -> None:
    """In the real app: from showing the leaderboard screen to its first rows on screen."""
    import os

    from textual.widgets import DataTable

    from orchestrator_tui.config import load_config
    from orchestrator_tui.config.paths import Paths
    from orchestrator_tui.tui.app import OrchApp

    home = path.parent / "home"
    os.environ["ORCH_TUI_HOME"] = str(home)
    paths = Paths.default()
    paths.ensure()
    paths.database.unlink(missing_ok=True)
    paths.database.symlink_to(path)
    timings = []
    for _ in range(repeat):
        app = OrchApp(config=load_config(paths), warm_sdks=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.wait_services()
            await pilot.pause()
            started = time.perf_counter()
            await app.push_screen("leaderboard")
            table = None
            while table is None or table.row_count == 0:
                await asyncio.sleep(0.005)
                found = app.screen.query("#board")
                table = found.first(DataTable) if found else None
            timings.append((time.perf_counter() - started) * 1000)
            app.exit()
    cold, warm = timings[0], timings[1:] or timings
    p50 = statistics.median(warm)
    verdict = "ok" if p50 <= SCREEN_TARGET_MS else "MISSED"
    print(
        f"  {'screen: first rows':<28} p50 {p50:8.1f} ms  max {max(warm):8.1f} ms"
        f"  n={len(warm)}   target {SCREEN_TARGET_MS:.0f} ms: {verdict}"
        f" ({p50 / SCREEN_TARGET_MS:.2f}x)"
    )
    print(f"  {'screen: first rows, cold':<28} {cold:8.1f} ms (first open: numpy loads then)")


if __name__ == "__main__":
    main()
