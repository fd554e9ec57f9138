"""How fast the TUI is: start-up, first token, streaming many panes, loop lag, CPU, memory.

Prints, in one run:
- launch -> first painted workspace in a real pseudo-terminal (median of 5), next to a bare
  Textual app measured the same way (the floor), and the RSS of the started app;
- Enter -> first token on screen (pseudo-terminal, one mock model with no delay, median of 5);
- 1 and 8 panes x 2,000 mock Markdown tokens at full speed (headless): time until every pane shows
  its final text in view, and until every line above it is drawn too (the scrollback; drawn after
  what is in view), event-loop lag (max, p99), CPU seconds, RSS after the 8-pane run;
- 8 panes at 200 tokens/s each: CPU per wall second (1.0 = one core) and loop lag.

    .venv/bin/python bench/tui.py [--repeat 5] [--skip-rate] [--startup-only]

The package is byte-compiled first, as ``pip install`` does (a checkout run with
PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module from source on each launch).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path

TOKENS = 2_000
BARE_APP = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("BARE-APP-READY")

    Bare().run()
    """
)
WORKSPACE_READY = (b"every selected model", b"^q Quit")
"""The workspace is usable: the prompt box (its placeholder) and the footer's keys are on screen."""
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")


# -- pseudo-terminal measurements ----------------------------------------------------------------


class Terminal:
    """A child process on a 120x40 pseudo-terminal whose output we read as it is drawn."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.output = b""

    def wait_for(self, *markers: bytes, since: int = 0, limit: float = 30) -> float:
        """The clock when every marker has been drawn (output after offset ``since``)."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.01)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    break
                text = ESCAPES.sub(b"", self.output[since:])
                if all(marker in text for marker in markers):
                    return time.perf_counter()
        raise RuntimeError(f"{markers!r} never appeared")

    def type(self, text: str) -> None:
        for char in text:
            os.write(self.fd, char.encode())
            self.drain(0.02)

    def drain(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.005)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    return

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        os.kill(self.pid, signal.SIGTERM)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(ORCH_TUI_HOME=str(home), TERM="xterm-256color")
    return env


def first_paint(repeat: int) -> tuple[list[float], list[float], float]:
    app, bare, rss = [], [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        env = child_env(Path(tmp))
        for _ in range(repeat):
            term = Terminal([sys.executable, "-c", BARE_APP], env)
            bare.append(term.wait_for(b"BARE-APP-READY") - term.started)
            term.close()
            term = Terminal([sys.executable, "-m", "orchestrator_tui"], env)
            app.append(term.wait_for(*WORKSPACE_READY) - term.started)
            term.drain(1.0)
            rss = term.rss_mb()
            term.close()
    return app, bare, rss


def first_token(repeat: int) -> list[float]:
    """Enter -> the echo of the prompt drawn in its pane (the prompt box is empty by then)."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.yaml").write_text("default_models: [mock:echo]\n")
        env = child_env(home)
        for number in range(repeat):
            term = Terminal([sys.executable, "-m", "orchestrator_tui"], env)
            term.wait_for(b"mock:echo")
            term.drain(0.5)
            word = f"zq{number}x"
            term.type(word)
            term.drain(0.3)
            mark = len(term.output)
            sent = time.perf_counter()
            os.write(term.fd, b"\r")
            times.append(term.wait_for(word.encode(), since=mark) - sent)
            term.close()
    return times


# -- headless streaming measurements -------------------------------------------------------------


def models_yaml(panes: int, rate: float) -> str:
    lines = ["models:"]
    for index in range(panes):
        lines.append(f"  mock:lorem-{index}:")
        lines.append("    api_name: lorem")
        lines.append(f"    options: {{tokens: {TOKENS}, seed: {index}, tokens_per_second: {rate}}}")
    return "\n".join(lines) + "\n"


class LagProbe:
    """Samples how late a 5 ms sleep wakes up: the event loop's responsiveness."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.005)
            self.lags.append(loop.time() - before - 0.005)

    def __enter__(self) -> LagProbe:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    def max_ms(self) -> float:
        return max(self.lags, default=0) * 1000

    def p99_ms(self) -> float:
        if len(self.lags) < 2:
            return self.max_ms()
        return statistics.quantiles(self.lags, n=100, method="inclusive")[98] * 1000


def own_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def stream(panes: int, rate: float) -> dict[str, float]:
    from orchestrator_tui.config import Paths, load_config
    from orchestrator_tui.tui.app import OrchApp
    from orchestrator_tui.tui.screens.workspace import WorkspaceScreen
    from orchestrator_tui.tui.widgets.model_picker import ModelPicker

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = Paths(root / "config", root / "data", root / "cache")
        paths.ensure()
        paths.models_file.write_text(models_yaml(panes, rate))
        config = load_config(paths)
        names = [f"mock:lorem-{i}" for i in range(panes)]
        app = OrchApp(config=config, warm_sdks=False)
        async with app.run_test(size=(160, 48)) as pilot:
            await app.wait_services()
            screen = app.screen
            assert isinstance(screen, WorkspaceScreen)
            await pilot.pause(0.3)
            # Pick the models as a person does: their panes appear before the prompt is sent.
            screen.query_one(ModelPicker).select(names)
            while [p.model for p in screen.grid.panes()] != names:
                await asyncio.sleep(0.01)
            await pilot.pause(0.3)
            cpu, wall = time.process_time(), time.perf_counter()
            in_view = None
            with LagProbe() as probe:
                await screen.send("benchmark prompt")
                panes_shown = screen.grid.panes()
                while not all(p.ended and p.body.drawn for p in panes_shown):
                    if in_view is None and all(
                        p.ended and p.body.final_in_view for p in panes_shown
                    ):
                        await next_frame(app)
                        in_view = time.perf_counter() - wall
                    await asyncio.sleep(0.002)
                await next_frame(app)
            drawn = time.perf_counter() - wall
            used = time.process_time() - cpu
            assert all(p.body.text == p.ended.text for p in panes_shown if p.ended)
            return {
                "shown": drawn if in_view is None else in_view,
                "drawn": drawn,
                "cpu": used,
                "lag_max": probe.max_ms(),
                "lag_p99": probe.p99_ms(),
                "rss": own_rss_mb(),
            }


async def next_frame(app: object) -> None:
    """Wait until the screen has been painted once more."""
    painted = asyncio.get_running_loop().create_future()
    app.call_after_refresh(painted.set_result, None)  # type: ignore[attr-defined]
    await painted


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-rate", action="store_true", help="skip the 10 s 200 tok/s run")
    parser.add_argument(
        "--startup-only", action="store_true", help="only first paint and first token"
    )
    args = parser.parse_args()
    compileall.compile_dir(Path(__file__).parent.parent / "orchestrator_tui", quiet=1)

    app, bare, rss_start = first_paint(args.repeat)
    print(f"first paint (median of {args.repeat}, pty 120x40)")
    print(
        f"  orch-tui workspace   {median(app):.3f} s   (runs: {', '.join(f'{t:.3f}' for t in app)})"
    )
    print(
        f"  bare Textual app     {median(bare):.3f} s   (runs: {', '.join(f'{t:.3f}' for t in bare)})"
    )
    print(f"  difference           {median(app) - median(bare):+.3f} s")
    paired = median([a - b for a, b in zip(app, bare, strict=True)])
    print(f"  paired difference    {paired:+.3f} s   (median of run-by-run differences)")
    print(f"  ratio                {median(app) / median(bare):.2f}x the bare app")
    print(f"  RSS after start      {rss_start:.0f} MB")

    tokens = first_token(args.repeat)
    print(f"Enter -> first token on screen (mock:echo, no delay, median of {args.repeat})")
    print(
        f"  {median(tokens) * 1000:.0f} ms   (runs: {', '.join(f'{t * 1000:.0f}' for t in tokens)})"
    )

    if args.startup_only:
        return
    for panes in (1, 8):
        result = asyncio.run(stream(panes, 0))
        print(f"{panes} pane(s) x {TOKENS:,} tokens at full speed (headless 160x48)")
        print(
            f"  final text in view {result['shown']:.3f} s   every line drawn "
            f"{result['drawn']:.3f} s   loop lag max "
            f"{result['lag_max']:.0f} ms, p99 {result['lag_p99']:.0f} ms   "
            f"CPU {result['cpu']:.2f} s   RSS {result['rss']:.0f} MB"
        )

    if not args.skip_rate:
        result = asyncio.run(stream(8, 200))
        print(f"8 panes x {TOKENS:,} tokens at 200 tokens/s each (headless 160x48)")
        print(
            f"  wall {result['shown']:.1f} s   CPU {result['cpu']:.2f} s = "
            f"{result['cpu'] / result['shown']:.2f} cores   loop lag max "
            f"{result['lag_max']:.0f} ms, p99 {result['lag_p99']:.0f} ms"
        )


if __name__ == "__main__":
    main()
