"""Engine throughput and what recording costs.

8 mock models x 2,000 Markdown tokens at full speed, run through the engine with and without the
recorder writing to a real SQLite file. Prints events per second and the ratio of recorder on to
off (target <= 1.20), in wall time and in CPU time (all threads); on a busy machine the CPU ratio is
the steadier of the two.

    .venv/bin/python bench/fanout.py [--repeat 9]
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


Timing = tuple[float, float, int]
"""Wall seconds, CPU seconds (all threads), events."""


async def one_run(orchestrator: Orchestrator) -> int:
    events = 0
    async for _ in orchestrator.fan_out("benchmark prompt", NAMES):
        events += 1
    return events


async def without_recorder(config: Config) -> Timing:
    orchestrator = Orchestrator(config.catalog)
    wall, cpu = time.perf_counter(), time.process_time()
    events = await one_run(orchestrator)
    return time.perf_counter() - wall, time.process_time() - cpu, events


async def with_recorder(config: Config) -> Timing:
    services = await open_services(config=config)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        events = await one_run(services.orchestrator)
        await services.recorder.flush()  # recording is only done when it is on disk
        return time.perf_counter() - wall, time.process_time() - cpu, events
    finally:
        await services.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    repeat = parser.parse_args().repeat
    off: list[Timing] = []
    on: list[Timing] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            config = bench_config(Path(tmp) / f"run{i}")
            off.append(asyncio.run(without_recorder(config)))
            on.append(asyncio.run(with_recorder(config)))
    events = off[0][2]
    wall_off, wall_on = (statistics.median(t[0] for t in runs) for runs in (off, on))
    cpu_off, cpu_on = (statistics.median(t[1] for t in runs) for runs in (off, on))
    print(f"fan-out: {MODELS} mock models x {TOKENS} tokens, full speed, median of {repeat}")
    print(f"  events per run            {events}")
    for label, wall, cpu in (("off", wall_off, cpu_off), ("on (SQLite WAL)", wall_on, cpu_on)):
        print(
            f"  recorder {label:<16} {wall * 1000:7.1f} ms wall {cpu * 1000:7.1f} ms CPU"
            f"  ({events / wall:,.0f} events/s)"
        )
    print(
        f"  ratio on/off              {wall_on / wall_off:7.2f} wall    {cpu_on / cpu_off:7.2f} CPU"
        "   (target <= 1.20)"
    )
    print(f"  load average              {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
