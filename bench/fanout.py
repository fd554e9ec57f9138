"""Engine throughput and what recording costs.

8 mock models x 2,000 Markdown tokens at full speed, run through the engine with and without the
recorder writing to a real SQLite file. Prints events per second and the wall-time ratio
(target: recorder on / off <= 1.20).

    .venv/bin/python bench/fanout.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path

from orchestrator_tui.config import Config, Paths, load_config
from orchestrator_tui.core.orchestrator import Orchestrator
from orchestrator_tui.services import open_services

MODELS = 8
TOKENS = 2_000


def bench_config(root: Path) -> Config:
    paths = Paths(root / "config", root / "data", root / "cache")
    paths.ensure()
    config = load_config(paths)
    lorem = config.catalog.models["mock:lorem"]
    models = dict(config.catalog.models)
    for i in range(MODELS):
        ref = dataclasses.replace(lorem.ref, name=f"lorem-{i}")
        models[f"mock:lorem-{i}"] = dataclasses.replace(
            lorem, ref=ref, api_name="lorem", options={"tokens": TOKENS, "seed": i}
        )
    catalog = dataclasses.replace(config.catalog, models=models)
    return dataclasses.replace(config, catalog=catalog)


NAMES = [f"mock:lorem-{i}" for i in range(MODELS)]


async def one_run(orchestrator: Orchestrator) -> tuple[float, int]:
    start = time.perf_counter()
    events = 0
    async for _ in orchestrator.fan_out("benchmark prompt", NAMES):
        events += 1
    return time.perf_counter() - start, events


async def without_recorder(config: Config) -> tuple[float, int]:
    orchestrator = Orchestrator(config.catalog)
    return await one_run(orchestrator)


async def with_recorder(config: Config) -> tuple[float, int]:
    services = await open_services(config=config)
    try:
        start = time.perf_counter()
        _, events = await one_run(services.orchestrator)
        await services.recorder.flush()  # recording is only done when it is on disk
        return time.perf_counter() - start, events
    finally:
        await services.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    off, on = [], []
    events = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            config = bench_config(Path(tmp) / f"run{i}")
            seconds, events = asyncio.run(without_recorder(config))
            off.append(seconds)
            seconds, _ = asyncio.run(with_recorder(config))
            on.append(seconds)
    off_median, on_median = statistics.median(off), statistics.median(on)
    print(f"fan-out: {MODELS} mock models x {TOKENS} tokens, full speed, median of {repeat}")
    print(f"  events per run            {events}")
    print(
        f"  recorder off              {off_median * 1000:8.1f} ms  ({events / off_median:,.0f} events/s)"
    )
    print(
        f"  recorder on (SQLite WAL)  {on_median * 1000:8.1f} ms  ({events / on_median:,.0f} events/s)"
    )
    print(f"  ratio on/off              {on_median / off_median:8.2f}   (target <= 1.20)")
    print(f"  cpu count                 {os.cpu_count()}")


if __name__ == "__main__":
    main()
