"""What the engine and the OpenAI-compatible adapter cost over plain httpx.

32 concurrent streams of 500 tokens each from a local OpenAI-compatible server (the tests' wire
server, in its own process), read (1) with plain ``httpx`` (stream, split the SSE lines, decode
each JSON chunk) and (2) through the engine: ``Orchestrator.fan_out`` → ``Responder`` → the
``OpenAICompatProvider``, with events, timeouts, limits and the circuit breaker, but no recorder;
(3) the same with the recorder writing to a real SQLite file, for information.
Prints the median wall time of each and the ratio engine / httpx (target: <= 1.10), and the same
for the client process's CPU time, which a busy machine disturbs less than wall time.

    .venv/bin/python bench/overhead.py [--repeat 7] [--streams 32] [--tokens 500]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orchestrator_tui.config import Config, Paths, load_config
from orchestrator_tui.core.catalog import ModelConfig, ProviderConfig
from orchestrator_tui.core.orchestrator import Orchestrator
from orchestrator_tui.core.types import ModelRef
from orchestrator_tui.services import open_services
from tests.wire.server import WireServer


def serve(tokens: int, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    async def main() -> None:
        server = await WireServer(tokens=tuple(f" tok{i}" for i in range(tokens))).start()
        ready.put(server.url)
        while not stop.is_set():
            await asyncio.sleep(0.1)
        await server.stop()

    asyncio.run(main())


async def plain_httpx(url: str, streams: int) -> float:
    body = {"model": "m", "messages": [{"role": "user", "content": "go"}], "stream": True}

    async def one(client: httpx.AsyncClient) -> str:
        pieces = []
        async with client.stream("POST", "chat/completions", json=body) as response:
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                for choice in json.loads(data).get("choices") or ():
                    if text := (choice.get("delta") or {}).get("content"):
                        pieces.append(text)
        return "".join(pieces)

    limits = httpx.Limits(max_connections=streams)
    async with httpx.AsyncClient(base_url=f"{url}/v1/", limits=limits) as client:
        start = time.perf_counter()
        texts = await asyncio.gather(*(one(client) for _ in range(streams)))
        took = time.perf_counter() - start
    assert all(texts) and len(set(texts)) == 1
    return took


def bench_config(root: Path, url: str, streams: int) -> Config:
    paths = Paths(root / "config", root / "data", root / "cache")
    paths.ensure()
    config = load_config(paths)
    provider = ProviderConfig(
        "local",
        "openai_compat",
        base_url=f"{url}/v1",
        needs_key=False,
        settings={"concurrency": streams, "requests_per_minute": 10_000},
    )
    models = {
        f"local:m{i}": ModelConfig(ModelRef("local", f"m{i}"), price_input=0, price_output=0)
        for i in range(streams)
    }
    catalog = dataclasses.replace(
        config.catalog,
        providers={**config.catalog.providers, "local": provider},
        models={**config.catalog.models, **models},
    )
    return dataclasses.replace(config, catalog=catalog)


async def through_engine(config: Config, recorded: bool) -> float:
    names = [n for n in config.catalog.models if n.startswith("local:")]
    if recorded:
        services = await open_services(config=config)
        orchestrator = services.orchestrator
    else:
        orchestrator = Orchestrator(config.catalog)
    try:
        start = time.perf_counter()
        run = orchestrator.fan_out("go", names)
        async for _ in run:
            pass
        took = time.perf_counter() - start
        assert all(e.status == "ok" and e.text for e in run.results.values()), [
            e.error for e in run.results.values()
        ]
        return took
    finally:
        if recorded:
            await services.aclose()
        else:
            await orchestrator.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--streams", type=int, default=32)
    parser.add_argument("--tokens", type=int, default=500)
    args = parser.parse_args()

    ready: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.tokens, ready, stop), daemon=True)
    server.start()
    url = ready.get(timeout=30)
    times: dict[str, list[float]] = {"httpx": [], "engine": [], "engine+recorder": []}
    cpu: dict[str, list[float]] = {name: [] for name in times}

    def measure(name: str, body: Callable[[], Coroutine[Any, Any, float]]) -> None:
        started = time.process_time()
        times[name].append(asyncio.run(body()))
        cpu[name].append(time.process_time() - started)

    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = bench_config(Path(tmp), url, args.streams)
            asyncio.run(plain_httpx(url, args.streams))  # warm up both paths once
            asyncio.run(through_engine(config, recorded=False))
            for _ in range(args.repeat):  # interleaved, so drift hits all three alike
                measure("httpx", lambda: plain_httpx(url, args.streams))
                measure("engine", lambda: through_engine(config, recorded=False))
                measure("engine+recorder", lambda: through_engine(config, recorded=True))
    finally:
        stop.set()
        server.join(10)

    print(f"{args.streams} concurrent streams x {args.tokens} tokens, median of {args.repeat}:")
    for label, values in (("wall", times), ("cpu", cpu)):
        median = {name: statistics.median(found) for name, found in values.items()}
        for name, value in median.items():
            spread = f"{min(values[name]):.3f}-{max(values[name]):.3f}"
            print(f"  {label} {name:<16} {value:.3f}s  (range {spread})")
        ratio = median["engine"] / median["httpx"]
        recorded = median["engine+recorder"] / median["httpx"]
        print(f"  {label} ratio engine / httpx: {ratio:.2f}  (target <= 1.10)")
        print(f"  {label} ratio engine+recorder / httpx: {recorded:.2f}")


if __name__ == "__main__":
    main()
