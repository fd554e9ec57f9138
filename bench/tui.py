"""How fast the TUI is: start-up, first token, streaming many panes, loop lag, CPU, memory.

Prints, in one run:
- launch -> first painted workspace in a real pseudo-terminal (median of 5), next to a bare
  Textual app measured the same way (the floor), and the RSS of the started app;
- Enter -> first token on screen (pseudo-terminal, one mock model with no delay, median of 5);
- Enter -> request at the server and -> first token on screen for each real provider (the
  OpenAI-compatible adapter and the Anthropic, Gemini and Mistral SDKs) against the loopback wire
  server of ``tests/wire`` (pseudo-terminal, median of 5), and whether the app had connected to the
  server before Enter (its warm-up); then Enter -> request for a follow-up prompt, and whether it
  went over the connection already open;
- one pane streaming 2,000 tokens at 200 tokens/s in a 160x48 pseudo-terminal: bytes the app
  writes to its terminal, CPU seconds of the app process, and how often the screen changes;
- 1 and 8 panes x 2,000 mock Markdown tokens at full speed (headless): time until every pane shows
  its final text in view, and until every line above it is drawn too (the scrollback; drawn after
  what is in view), event-loop lag (max, p99), CPU seconds, RSS after the 8-pane run;
- 8 panes at 200 tokens/s each: CPU per wall second (1.0 = one core) and loop lag.

    .venv/bin/python bench/tui.py [--repeat 5] [--skip-rate] [--startup-only] [--only NAME ...]

The package is byte-compiled first, as ``pip install`` does (a checkout run with
PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module from source on each launch).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import fcntl
import itertools
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
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.wire: the loopback server

if TYPE_CHECKING:
    from tests.wire.server import WireServer

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
    """A child process on a pseudo-terminal (120x40 unless told) whose output we read as it is
    drawn; ``reads`` logs when each read came and how many bytes it brought."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (120, 40)):
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)
        columns, rows = size
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.output = b""
        self.reads: list[tuple[float, int]] = []

    def _read(self) -> bool:
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        self.reads.append((time.perf_counter(), len(data)))
        self.output += data
        return True

    def wait_for(self, *markers: bytes, since: int = 0, limit: float = 30) -> float:
        """The clock when every marker has been drawn (output after offset ``since``)."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.01)
            if ready:
                if not self._read():
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
            if ready and not self._read():
                return

    def cpu_seconds(self) -> float:
        """User plus system CPU time the child has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

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


REAL_PROVIDERS = ("openai", "anthropic", "gemini", "mistral")
FIRST_WORD = "zqwire"
"""The loopback server's first token: a word nothing else on screen contains."""


def provider_first_token(provider: str, repeat: int) -> dict[str, list[float]]:
    """Enter -> the request at the loopback server, and -> its first token drawn in the pane, for
    one real provider; ``warm`` counts the runs where the app had connected before Enter, and
    ``connected`` is when, after the first paint. Then a follow-up prompt: Enter -> its request
    (``next``), and whether it went over the connection already open (``kept``)."""
    from tests.wire.engine import KEYS, MODELS, models_yaml
    from tests.wire.server import threaded_server

    found: dict[str, list[float]] = {
        "request": [],
        "token": [],
        "warm": [],
        "connected": [],
        "next": [],
        "kept": [],
    }
    tokens = (FIRST_WORD, " from", " the", " wire")
    with threaded_server(tokens=tokens) as server, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.yaml").write_text(f"default_models: [{MODELS[provider]}]\n")
        (home / "config" / "models.yaml").write_text(models_yaml(server.url))
        env = child_env(home)
        env[KEYS[provider]] = "sk-wire-bench"
        for number in range(repeat):
            connections = len(server.connections)
            term = Terminal([sys.executable, "-m", "orchestrator_tui"], env)
            painted = term.wait_for(*WORKSPACE_READY, MODELS[provider].encode())
            term.drain(2.0)  # a person reads the screen, then types a short prompt
            term.type(f"Why is the sky blue {number}")
            term.drain(0.3)
            mark = len(term.output)
            opened = server.connections[connections:]
            found["warm"].append(float(bool(opened)))
            if opened:
                found["connected"].append(opened[0] - painted)
            sent = time.perf_counter()
            os.write(term.fd, b"\r")
            shown = term.wait_for(FIRST_WORD.encode(), since=mark)
            found["request"].append(posted_after(server, sent, term) - sent)
            found["token"].append(shown - sent)
            term.drain(1.0)  # the answer ends; the person reads it and types a follow-up
            connections = len(server.connections)
            term.type(f"And at sunset {number}")
            term.drain(0.3)
            sent = time.perf_counter()
            os.write(term.fd, b"\r")
            found["next"].append(posted_after(server, sent, term) - sent)
            found["kept"].append(float(len(server.connections) == connections))
            term.close()
    return found


def posted_after(server: WireServer, sent: float, term: Terminal, limit: float = 10) -> float:
    """When the first request the server saw after ``sent`` had arrived (reading the terminal
    meanwhile, so the app never waits on a full pseudo-terminal)."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        found = [r.at for r in server.requests if r.method == "POST" and r.at > sent]
        if found:
            return found[0]
        term.drain(0.01)
    raise RuntimeError("the request never reached the server")


STREAM_MODELS = """models:
  mock:stream:
    api_name: lorem
    options: {tokens: 2000, seed: 1, tokens_per_second: 200}
"""


def stream_to_terminal() -> dict[str, float]:
    """One pane streaming 2,000 tokens at 200 tokens/s in a 160x48 pseudo-terminal: what the app
    writes to it and the CPU it uses from Enter until the answer has ended and settled, and how
    often the answer changes on screen (``answer_updates``)."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.yaml").write_text("default_models: [mock:stream]\n")
        (home / "config" / "models.yaml").write_text(STREAM_MODELS)
        term = Terminal([sys.executable, "-m", "orchestrator_tui"], child_env(home), (160, 48))
        term.wait_for(*WORKSPACE_READY, b"mock:stream")
        term.drain(1.5)
        term.type("go")
        term.drain(0.3)
        mark, reads, cpu = len(term.output), len(term.reads), term.cpu_seconds()
        sent = time.perf_counter()
        os.write(term.fd, b"\r")
        ended = term.wait_for(b"ttft", since=mark, limit=60)
        term.drain(0.5)
        used = term.cpu_seconds() - cpu
        written = len(term.output) - mark
        updates = answer_updates(term.output[mark:], term.reads[reads:], sent, ended)
        term.close()
    gaps = [b - a for a, b in itertools.pairwise(updates)]
    return {
        "wall": ended - sent,
        "cpu": used,
        "bytes": written,
        "updates": len(updates) / (ended - sent),
        "gap_max": max(gaps, default=0.0),
    }


CURSOR_MOVE = re.compile(rb"\x1b\[(\d+);\d+H")


def answer_updates(
    output: bytes, reads: list[tuple[float, int]], sent: float, ended: float
) -> list[float]:
    """When the answer changed on screen: bursts of output (reads 20 ms or more after the one
    before) that write to a row showing the answer, that is a row that at some point gets one of
    its words (so the prompt box's blinking cursor, say, does not count)."""
    from orchestrator_tui.providers.mock import lorem_markdown

    words = set(re.findall(rb"[a-z]{5,}", lorem_markdown(1, TOKENS).encode()))
    bursts: list[tuple[float, list[tuple[int, bytes]]]] = []
    offset, last = 0, sent
    for at, size in reads:
        data = output[offset : offset + size]
        offset += size
        if at > ended:
            break
        if at - last >= 0.02 or not bursts:
            bursts.append((at, []))
        last = at
        pieces = CURSOR_MOVE.split(data)
        bursts[-1][1].extend(
            (int(row), ESCAPES.sub(b"", text))
            for row, text in zip(pieces[1::2], pieces[2::2], strict=True)
        )
    rows = {row for _, writes in bursts for row, text in writes if words & set(text.split())}
    return [at for at, writes in bursts if any(row in rows for row, _ in writes)]


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
    parser.add_argument(
        "--only",
        nargs="+",
        choices=PARTS,
        help="only these measurements (paint, token, providers, terminal, headless, rate)",
    )
    args = parser.parse_args()
    parts = set(args.only or PARTS)
    if args.startup_only:
        parts &= {"paint", "token"}
    if args.skip_rate:
        parts.discard("rate")
    compileall.compile_dir(Path(__file__).parent.parent / "orchestrator_tui", quiet=1)
    for part in PARTS:
        if part in parts:
            REPORTS[part](args.repeat)


def report_paint(repeat: int) -> None:
    app, bare, rss_start = first_paint(repeat)
    print(f"first paint (median of {repeat}, pty 120x40)")
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


def report_token(repeat: int) -> None:
    tokens = first_token(repeat)
    print(f"Enter -> first token on screen (mock:echo, no delay, median of {repeat})")
    print(
        f"  {median(tokens) * 1000:.0f} ms   (runs: {', '.join(f'{t * 1000:.0f}' for t in tokens)})"
    )


def report_providers(repeat: int) -> None:
    print(f"Enter -> request at the loopback server / first token on screen (median of {repeat})")
    for provider in REAL_PROVIDERS:
        found = provider_first_token(provider, repeat)
        runs = ", ".join(
            f"{r * 1000:.0f}/{t * 1000:.0f}"
            for r, t in zip(found["request"], found["token"], strict=True)
        )
        connected = (
            f"{median(found['connected']):.1f} s after the first paint"
            if found["connected"]
            else "never"
        )
        print(
            f"  {provider:<10} request {median(found['request']) * 1000:4.0f} ms   "
            f"first token {median(found['token']) * 1000:4.0f} ms   (runs: {runs})\n"
            f"             connected before Enter in {sum(found['warm']):.0f}/{repeat} runs,"
            f" {connected}\n"
            f"             next prompt: request {median(found['next']) * 1000:.0f} ms, over the"
            f" connection already open in {sum(found['kept']):.0f}/{repeat} runs"
        )


def report_terminal(repeat: int) -> None:
    result = stream_to_terminal()
    print(f"1 pane x {TOKENS:,} tokens at 200 tokens/s in a pty 160x48 (the app's process)")
    print(
        f"  written to the terminal {result['bytes'] / 1e6:.2f} MB   CPU {result['cpu']:.2f} s"
        f" over {result['wall']:.1f} s   the answer drawn {result['updates']:.1f} times/s"
        f" (longest pause {result['gap_max'] * 1000:.0f} ms)"
    )


def report_headless(repeat: int) -> None:
    for panes in (1, 8):
        result = asyncio.run(stream(panes, 0))
        print(f"{panes} pane(s) x {TOKENS:,} tokens at full speed (headless 160x48)")
        print(
            f"  final text in view {result['shown']:.3f} s   every line drawn "
            f"{result['drawn']:.3f} s   loop lag max "
            f"{result['lag_max']:.0f} ms, p99 {result['lag_p99']:.0f} ms   "
            f"CPU {result['cpu']:.2f} s   RSS {result['rss']:.0f} MB"
        )


def report_rate(repeat: int) -> None:
    result = asyncio.run(stream(8, 200))
    print(f"8 panes x {TOKENS:,} tokens at 200 tokens/s each (headless 160x48)")
    print(
        f"  wall {result['shown']:.1f} s   CPU {result['cpu']:.2f} s = "
        f"{result['cpu'] / result['shown']:.2f} cores   loop lag max "
        f"{result['lag_max']:.0f} ms, p99 {result['lag_p99']:.0f} ms"
    )


REPORTS = {
    "paint": report_paint,
    "token": report_token,
    "providers": report_providers,
    "terminal": report_terminal,
    "headless": report_headless,
    "rate": report_rate,
}
PARTS = tuple(REPORTS)


if __name__ == "__main__":
    main()
