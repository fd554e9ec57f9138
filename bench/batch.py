"""Batch throughput and overhead, embedded and through Redis Streams (issue 12's figures).

(a) embedded: N mock conversations of 6 turns with no model latency; items/s, engine+store CPU
    per turn (process CPU minus the mock's own, measured by wrapping its stream), peak RSS.
(b) latency-bound: single-step items on a mock with 0.5 s to the first token and 50 tokens at
    100 tokens/s; throughput with 1, 2 and 4 Redis workers (32 items each at a time), beside one
    embedded process at concurrency 128.
(c) the per-item time Redis adds over embedded: single-step items with no model latency.
(d) one of 4 workers killed (SIGKILL) a third of the way through: time to finish vs. (b)'s
    undisturbed 4-worker run.

Needs ``redis-server`` for (b)-(d). Every process gets its own ORCH_TUI_HOME under a temp dir.

    .venv/bin/python bench/batch.py [--conversations 10000] [--latency-items 2000] \
        [--overhead-items 10000] [--only a,b,c,d]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

MODELS = """\
models:
  mock:fast-a: {api_name: lorem, options: {tokens: 40}}
  mock:fast-b: {api_name: lorem, options: {tokens: 40}}
  mock:zero: {api_name: echo}
  mock:latent: {api_name: lorem, options: {ttft: 0.5, tokens: 50, tokens_per_second: 100}}
"""
CLAIM = ["--lock-ttl", "2", "--claim-idle", "5"]
CALIBRATION = 1200


def home(root: Path, name: str) -> Path:
    path = root / name
    (path / "config").mkdir(parents=True, exist_ok=True)
    (path / "config" / "models.yaml").write_text(MODELS, encoding="utf-8")
    return path


def topics(root: Path, count: int) -> Path:
    path = root / f"topics-{count}.txt"
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            out.write(f"topic number {n}\n")
    return path


def orch(home_dir: Path, *args: str, log: Path | None = None) -> subprocess.Popen[bytes]:
    sink = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "orchestrator_tui", *args],
        stdout=sink,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ORCH_TUI_HOME": str(home_dir)},
    )


def timed(process: subprocess.Popen[bytes]) -> float:
    start = time.perf_counter()
    if process.wait() != 0:
        raise SystemExit(f"{process.args} failed")
    return time.perf_counter() - start


# (a)


def embedded_conversations(root: Path, count: int) -> None:
    """In this process, so the mock's CPU can be taken out of the engine's."""
    from click.testing import CliRunner

    from orchestrator_tui.cli import cli
    from orchestrator_tui.providers.mock import MockProvider

    os.environ["ORCH_TUI_HOME"] = str(home(root, "a"))
    inputs = topics(root, count)
    stream = MockProvider.stream
    sample: list[tuple[MockProvider, object]] = []

    async def recorded(self, request):  # type: ignore[no-untyped-def]
        if len(sample) < CALIBRATION:
            sample.append((self, request))
        async for chunk in stream(self, request):
            yield chunk

    MockProvider.stream = recorded  # type: ignore[method-assign]
    cpu, wall = time.process_time(), time.perf_counter()
    result = CliRunner().invoke(
        cli,
        ["batch", "run", "--conversation", "mock:fast-a,mock:fast-b", "--turns", "6",
         "--inputs", str(inputs), "--name", "a", "--concurrency", "32"],
    )  # fmt: skip
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    MockProvider.stream = stream  # type: ignore[method-assign]
    if result.exit_code != 0:
        raise SystemExit(result.output)
    db = root / "a" / "data" / "history.sqlite3"
    with sqlite3.connect(db) as conn:
        turns = conn.execute("SELECT COUNT(*) FROM interactions WHERE type = 'turn'").fetchone()[0]
        done = conn.execute("SELECT COUNT(*) FROM batch_items WHERE status = 'done'").fetchone()[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mock_cpu = asyncio.run(mock_cost(sample)) * turns
    print(f"(a) embedded, {count} conversations of 6 turns, no model latency, concurrency 32:")
    print(f"    {done} done, {turns} turns in {wall:.1f} s: {count / wall:.1f} items/s")
    print(
        f"    engine+store CPU per turn {(cpu - mock_cpu) / turns * 1000:.2f} ms "
        f"(process CPU {cpu / turns * 1000:.2f} ms, the mock's own {mock_cpu / turns * 1000:.2f} ms); "
        f"wall per turn {wall / turns * 1000:.2f} ms"
    )
    print(f"    peak RSS of the process {peak:.0f} MB")


async def mock_cost(sample: list[tuple[object, object]]) -> float:
    """CPU seconds the mock itself spends on one turn: the recorded requests streamed again,
    alone (its time cannot be cut out of the batch's: its awaits let other tasks run)."""
    start = time.process_time()
    for provider, request in sample:
        async for _ in provider.stream(request):  # type: ignore[attr-defined]
            pass
    return (time.process_time() - start) / len(sample)


# (b), (c), (d)


@contextlib.contextmanager
def redis(root: Path) -> Iterator[str]:
    from redis_server import redis_server

    with redis_server(root) as server:
        yield server.url


def distributed(
    root: Path, url: str, name: str, model: str, count: int, workers: int, kill: bool = False
) -> float:
    """Seconds from publishing to every item collected, with ``workers`` worker processes."""
    producer_home = home(root, f"p-{name}")
    inputs = topics(root, count)
    pool = [
        orch(
            home(root, f"w-{name}-{n}"),
            "worker",
            "--broker",
            url,
            "--name",
            f"{name}-{n}",
            "--concurrency",
            "32",
            "--exit-when-idle",
            "3",
            *CLAIM,
        )
        for n in range(workers)
    ]
    time.sleep(1.5)  # the workers are up before the clock starts
    start = time.perf_counter()
    producer = orch(producer_home, "batch", "run", "--steps", model, "--inputs", str(inputs),
                    "--name", name, "--broker", url)  # fmt: skip
    if kill:
        db = producer_home / "data" / "history.sqlite3"
        while _done(db) < count // 3:
            time.sleep(0.1)
        pool[0].send_signal(signal.SIGKILL)
    if producer.wait() != 0:
        raise SystemExit(f"producer {name} failed")
    elapsed = time.perf_counter() - start
    for worker in pool:
        worker.wait()
    return elapsed


def _done(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute(
                "SELECT COUNT(*) FROM batch_items WHERE status = 'done'"
            ).fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def embedded(root: Path, name: str, model: str, count: int, concurrency: int) -> float:
    inputs = topics(root, count)
    return timed(
        orch(
            home(root, f"e-{name}"),
            "batch",
            "run",
            "--steps",
            model,
            "--inputs",
            str(inputs),
            "--name",
            name,
            "--concurrency",
            str(concurrency),
        )
    )


def latency_bound(root: Path, url: str, count: int) -> float:
    print(
        f"(b) latency-bound, {count} single-step items (0.5 s to first token, 50 tokens at 100/s):"
    )
    base = 0.0
    four = 0.0
    for workers in (1, 2, 4):
        seconds = distributed(root, url, f"b{workers}", "mock:latent", count, workers)
        rate = count / seconds
        base = base or rate
        four = seconds if workers == 4 else four
        print(f"    {workers} Redis worker(s) x 32: {rate:.1f} items/s ({rate / base:.2f}x)")
    seconds = embedded(root, "b-embedded", "mock:latent", count, 128)
    print(f"    embedded, concurrency 128: {count / seconds:.1f} items/s")
    return four


def overhead(root: Path, url: str, count: int) -> None:
    alone = embedded(root, "c-embedded", "mock:zero", count, 32)
    spread = distributed(root, url, "c-redis", "mock:zero", count, 1)
    print(f"(c) {count} single-step items, no model latency, concurrency 32:")
    print(f"    embedded {alone:.1f} s ({alone / count * 1000:.2f} ms/item), "
          f"1 Redis worker {spread:.1f} s ({spread / count * 1000:.2f} ms/item): "
          f"Redis adds {(spread - alone) / count * 1000:.2f} ms per item")  # fmt: skip


def crash(root: Path, url: str, count: int, undisturbed: float | None) -> None:
    if undisturbed is None:
        undisturbed = distributed(root, url, "d-calm", "mock:latent", count, 4)
    seconds = distributed(root, url, "d-kill", "mock:latent", count, 4, kill=True)
    print(f"(d) {count} latency-bound items on 4 workers, one killed a third of the way through")
    print(f"    {seconds:.1f} s vs {undisturbed:.1f} s undisturbed "
          f"(+{seconds - undisturbed:.1f} s; its items taken over after {CLAIM[3]} s idle)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--latency-items", type=int, default=2_000)
    parser.add_argument("--overhead-items", type=int, default=10_000)
    parser.add_argument("--only", default="a,b,c,d")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="orch-bench-batch-") as tmp:
        root = Path(tmp)
        if "a" in parts:
            embedded_conversations(root, args.conversations)
        if parts & {"b", "c", "d"}:
            with redis(root) as url:
                four = latency_bound(root, url, args.latency_items) if "b" in parts else None
                if "c" in parts:
                    overhead(root, url, args.overhead_items)
                if "d" in parts:
                    crash(root, url, args.latency_items, four)


if __name__ == "__main__":
    main()
