"""How fast the history is at 100,000 sessions and about 1,000,000 interactions.

    .venv/bin/python bench/history.py            # builds /tmp/orch-history-bench/history.sqlite3 once
    .venv/bin/python bench/history.py --rebuild --sessions 20000

Prints the database size, search latency (p50/p99) for common words, rare words and words typed
one letter at a time, the time to open the history to its first page (in the store, and in the
real app from the key press to the rows on screen), and the time to open a session of 200
interactions, each against its target. Every figure goes through ``SessionStore``, the same calls
the TUI and the CLI make. The built database is kept (with a sidecar ``history.json`` naming its
rare words and long session) so later runs measure without rebuilding.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from history_data import Built, build

from orchestrator_tui.store.db import Database
from orchestrator_tui.store.sessions import SessionStore
from orchestrator_tui.store.upkeep import size_on_disk

COMMON = ["the", "of", "and", "data", "model", "in the", "query cache", "the database index"]
TYPING = ["d", "da", "dat", "data", "datab", "databa", "databas", "database", "database l"]
TARGETS_MS = {"search p50": 30.0, "first page": 300.0, "session open": 200.0}


async def timed(call: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(name: str, values: list[float], target: float | None = None) -> str:
    p50, p99 = statistics.median(values), pct(values, 0.99)
    verdict = ""
    if target is not None:
        verdict = f"   target {target:.0f} ms: {'ok' if p50 <= target else 'MISSED'} ({p50 / target:.2f}x)"
    return f"  {name:<34} p50 {p50:8.1f} ms   p99 {p99:8.1f} ms   n={len(values)}{verdict}"


async def search_times(store: SessionStore, words: list[str], repeat: int) -> list[float]:
    times: list[float] = []
    for word in words:
        await store.search(word)  # warm the pages this word needs once, as a second key press would
        times += await timed(lambda w=word: store.search(w), repeat)
    return times


async def measure(path: Path, built: Built, repeat: int) -> None:
    print(f"database: {path}")
    print(f"  {built.sessions:,} sessions, {built.interactions:,} interactions")
    print(f"  size on disk {size_on_disk(path) / 1e6:,.0f} MB")

    async def first_page() -> None:
        db = await Database.open(path)
        try:
            store = SessionStore(db)
            await store.page(limit=50)
        finally:
            await db.close()

    first = await timed(first_page, repeat)
    db = await Database.open(path)
    store = SessionStore(db)
    try:
        print("history table")
        print(line("open + first page (50 rows)", first, TARGETS_MS["first page"]))
        page = await store.page(limit=50)
        deeper = await timed(lambda: store.page(after=page.next, limit=50), repeat)
        print(line("next page", deeper))
        print(line("count of sessions", await timed(store.count, repeat)))
        print("search (prompts first, newest first, 50 hits)")
        common = await search_times(store, COMMON, repeat)
        rare = await search_times(store, built.rare_words, repeat)
        typing = await search_times(store, TYPING, repeat)
        print(line("common words", common, TARGETS_MS["search p50"]))
        print(line("rare words", rare, TARGETS_MS["search p50"]))
        print(line("as you type 'database l'", typing, TARGETS_MS["search p50"]))
        print(line("all searches", common + rare + typing, TARGETS_MS["search p50"]))
        hits = await store.search(built.rare_words[0])
        print(f"  ({len(hits)} hits for the rare word {built.rare_words[0]!r})")
        print("session detail")
        detail = await store.detail(built.long_session)
        opened = await timed(lambda: store.detail(built.long_session), repeat)
        print(
            line(
                f"open a session of {len(detail.interactions)} interactions",
                opened,
                TARGETS_MS["session open"],
            )
        )
        month = time.time() - 30 * 86_400
        print("stats")
        print(line("per-model stats, last 30 days", await timed(lambda: store.stats(month), 3)))
    finally:
        await db.close()


async def measure_app(folder: Path, repeat: int) -> None:
    """The real app, headless at 120x40: from opening the History screen to its rows on screen."""
    from orchestrator_tui.config import Paths, load_config
    from orchestrator_tui.tui.app import OrchApp
    from orchestrator_tui.tui.screens.history import HistoryScreen

    with tempfile.TemporaryDirectory() as home:
        paths = Paths(Path(home) / "config", folder, Path(home) / "cache")
        app = OrchApp(config=load_config(paths), warm_sdks=False)
        first, settled, floor, again = [], [], [], []
        async with app.run_test(size=(120, 40)) as pilot:
            await app.wait_services()
            await pilot.pause()
            for _ in range(repeat):
                started = time.perf_counter()
                await app.push_screen(_bare_table())
                await pilot.pause()
                floor.append((time.perf_counter() - started) * 1000)
                await app.pop_screen()
                await pilot.pause()
                started = time.perf_counter()
                await pilot.press("ctrl+o")  # the app's own History screen: built once, then shown
                await pilot.pause()
                again.append((time.perf_counter() - started) * 1000)
                await app.pop_screen()
                await pilot.pause()
                started = time.perf_counter()
                screen = HistoryScreen()
                await app.push_screen(screen)
                while not screen.rows:
                    await asyncio.sleep(0.001)
                first.append((time.perf_counter() - started) * 1000)
                await pilot.pause()  # painted, with the count and the model filter loaded
                settled.append((time.perf_counter() - started) * 1000)
                await app.pop_screen()
                await pilot.pause()
    print("app (Textual, headless 120x40)")
    print(line("History screen to its first rows", first, TARGETS_MS["first page"]))
    print(line("... to everything painted and idle", settled))
    print(line("ctrl+o again (screen kept, page reloaded)", again[1:]))
    print(line("a bare 60-row table screen (the floor)", floor))
    print(
        f"  History screen / bare table: {statistics.median(settled) / statistics.median(floor):.1f}x"
    )


def _bare_table():  # type: ignore[no-untyped-def]
    """What any Textual screen with a header, a 60-row table and a footer costs on this machine."""
    from textual.screen import Screen
    from textual.widgets import DataTable, Footer, Header

    class Bare(Screen[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Header()
            table: DataTable[str] = DataTable(cursor_type="row")
            table.add_columns(*(f"column {c}" for c in range(8)))
            table.add_rows([f"cell {r} {c}" for c in range(8)] for r in range(60))
            yield table
            yield Footer()

    return Bare()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("/tmp/orch-history-bench"),
        help="Folder of the database (history.sqlite3), used as the app's data folder.",
    )
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="Build the database again.")
    parser.add_argument("--repeat", type=int, default=20, help="Timings per query.")
    args = parser.parse_args()
    path, sidecar = args.dir / "history.sqlite3", args.dir / "history.json"
    if args.rebuild or not path.exists() or not sidecar.exists():
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), sidecar):
            stale.unlink(missing_ok=True)
        db = await Database.open(path)  # the real schema, every migration applied
        await db.close()
        print(f"building {args.sessions:,} sessions into {path} ...", flush=True)
        built = build(path, args.sessions)
        sidecar.write_text(json.dumps(asdict(built)))
        print(f"  built in {built.seconds:.0f} s")
    else:
        built = Built(**json.loads(sidecar.read_text()))
    await measure(path, built, args.repeat)
    await measure_app(args.dir, min(args.repeat, 10))


if __name__ == "__main__":
    asyncio.run(main())
