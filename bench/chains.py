"""The chain engine's own overhead per step, on mock models at full speed.

Model time is the time spent inside the mock provider's stream (measured by wrapping it); the
engine's overhead is the wall time of the run minus that: templating, conditions, events, step
bookkeeping, scoring glue, and the responder around each call. Two chains: 50 sequential
``generate`` steps (the floor), and one of every step kind (parallel, review, a refine loop,
synthesis, a conversation). Target: <= 5 ms per step. The recorder is off (pure engine), then on
(writing to a real SQLite file) for comparison.

    .venv/bin/python bench/chains.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from orchestrator_tui.config import Paths, load_config
from orchestrator_tui.core.chains.engine import start_chain
from orchestrator_tui.core.chains.loader import load_chain
from orchestrator_tui.core.chains.model import Chain
from orchestrator_tui.core.orchestrator import Orchestrator
from orchestrator_tui.services import open_services

SEQUENTIAL_STEPS = 50
MODELS_YAML = """\
models:
  mock:judge-bench:
    api_name: judge
    options: {scores: [0.4, 0.6, 0.9]}
  mock:lorem-short:
    api_name: lorem
    options: {tokens: 60}
"""
EVERY_KIND = """\
inputs: [topic]
steps:
  - id: draft
    kind: generate
    model: mock:lorem-short
    persona: technical_writer
    prompt: "Write about {{ inputs.topic }}"
  - id: views
    kind: parallel
    models: [mock:lorem-short, mock:echo, mock:lorem-short]
    prompt: "Critique: {{ steps.draft.output[:200] }}"
  - id: rate
    kind: review
    target: draft
    reviewer: mock:judge-bench
  - id: polish
    kind: refine
    target: draft
    reviewer: mock:judge-bench
    threshold: 0.8
    max_iterations: 3
    when: steps.rate.score < 0.95
  - id: merged
    kind: synthesize
    model: mock:lorem-short
    from: [polish, views]
  - id: talk
    kind: conversation
    models: [mock:lorem-short, mock:lorem-short]
    topic: "{{ inputs.topic }}"
    turns: 4
    stop_phrases: ["zzz"]
"""


def sequential() -> str:
    lines = ["inputs: [topic]", "steps:"]
    previous = "{{ inputs.topic }}"
    for i in range(SEQUENTIAL_STEPS):
        lines += [
            f"  - id: s{i}",
            "    kind: generate",
            "    model: mock:echo",
            f'    prompt: "step {i}: {previous}"',
        ]
        previous = f"{{{{ steps.s{i}.output[-40:] }}}}"
    return "\n".join(lines) + "\n"


class ModelClock:
    """Wraps a provider's ``stream`` and adds up the time spent inside it."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, stream: Callable[[Any], AsyncIterator[Any]]) -> Callable[..., Any]:
        async def timed(request: Any) -> AsyncIterator[Any]:
            self.calls += 1
            inner = stream(request)
            try:
                while True:
                    start = time.perf_counter()
                    try:
                        chunk = await inner.__anext__()
                    except StopAsyncIteration:
                        self.seconds += time.perf_counter() - start
                        return
                    self.seconds += time.perf_counter() - start
                    yield chunk
            finally:
                await inner.aclose()

        return timed


async def one_run(orchestrator: Orchestrator, chain: Chain) -> tuple[float, float, int, int]:
    """Wall seconds, model seconds, responses, steps that ran."""
    clock = ModelClock()
    provider = orchestrator.registry.get("mock")
    provider.stream = clock.wrap(provider.stream)  # type: ignore[method-assign]
    start = time.perf_counter()
    run = start_chain(orchestrator, chain, {"topic": "benchmarks"})
    steps = 0
    async for event in run:
        if type(event).__name__ == "StepFinished" and event.status == "ok":  # type: ignore[union-attr]
            steps += 1
    wall = time.perf_counter() - start
    assert run.status == "completed", run.status
    return wall, clock.seconds, clock.calls, steps


async def measure(root: Path, text: str, recorder: bool) -> tuple[float, float, int, int]:
    paths = Paths(root / "config", root / "data", root / "cache")
    paths.ensure()
    paths.models_file.write_text(MODELS_YAML)
    config = load_config(paths)
    chain = load_chain(text, "bench.yaml", catalog=config.catalog)
    if not recorder:
        return await one_run(Orchestrator(config.catalog), chain)
    services = await open_services(config=config)
    try:
        start = time.perf_counter()
        _, model, calls, steps = await one_run(services.orchestrator, chain)
        await services.recorder.flush()
        return time.perf_counter() - start, model, calls, steps
    finally:
        await services.aclose()


def report(name: str, text: str, repeat: int, recorder: bool) -> None:
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            samples.append(asyncio.run(measure(Path(tmp) / f"r{i}", text, recorder)))
    walls = [s[0] for s in samples]
    overheads = [(s[0] - s[1]) for s in samples]
    _, _, calls, steps = samples[0]
    overhead = statistics.median(overheads)
    per_step = overhead / steps * 1000
    mark = "ok" if per_step <= 5 else "OVER"
    print(
        f"  {name:<28} recorder {'on ' if recorder else 'off'}  steps {steps:3d}  responses {calls:3d}"
        f"  wall {statistics.median(walls) * 1000:7.1f} ms  overhead {overhead * 1000:7.1f} ms"
        f"  = {per_step:5.2f} ms/step ({overhead / calls * 1000:4.2f} ms/response)  [{mark}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    print(
        f"chain engine overhead (wall - model time), mock models at full speed, median of {repeat}"
    )
    print("target: <= 5 ms per step")
    for recorder in (False, True):
        report(f"{SEQUENTIAL_STEPS} sequential generate", sequential(), repeat, recorder)
        report("every step kind (6 steps)", EVERY_KIND, repeat, recorder)


if __name__ == "__main__":
    main()
