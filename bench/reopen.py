"""How a long reopened conversation is drawn: what is in view at once, the rest without lag.

Four panes each get a stored conversation of ``--turns`` earlier answers of 2,000 mock Markdown
tokens (plus the last one), as reopening a session from the history shows them. Prints the time
until the last answers are in view, until every line above is drawn, the event-loop lag meanwhile
(max, p99) and, for scale, one synchronous render of a whole 2,000-token answer.

    .venv/bin/python bench/reopen.py [--turns 10]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from tui import TOKENS, LagProbe, models_yaml, next_frame

PANES = 4


async def reopen(turns: int) -> dict[str, float]:
    from orchestrator_tui.config import Paths, load_config
    from orchestrator_tui.providers.mock import lorem_markdown
    from orchestrator_tui.tui.app import OrchApp
    from orchestrator_tui.tui.screens.workspace import WorkspaceScreen

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = Paths(root / "config", root / "data", root / "cache")
        paths.ensure()
        paths.models_file.write_text(models_yaml(PANES, 0))
        app = OrchApp(config=load_config(paths), warm_sdks=False)
        async with app.run_test(size=(160, 48)) as pilot:
            await app.wait_services()
            screen = app.screen
            assert isinstance(screen, WorkspaceScreen)
            screen.models = [f"mock:lorem-{i}" for i in range(PANES)]
            await screen.send("first prompt")
            panes = screen.grid.panes()
            while not all(p.ended and p.body.drawn for p in panes):
                await asyncio.sleep(0.01)
            await pilot.pause(0.2)
            earlier = [(lorem_markdown(n, TOKENS), f"prompt {n}") for n in range(turns)]
            wall, in_view = time.perf_counter(), None
            with LagProbe() as probe:
                for pane in panes:
                    assert pane.ended is not None
                    pane.restore(pane.ended, None, False, earlier)
                while not all(p.body.drawn for p in panes):
                    if in_view is None and all(p.body.final_in_view for p in panes):
                        await next_frame(app)
                        in_view = time.perf_counter() - wall
                    await asyncio.sleep(0.002)
                await next_frame(app)
            drawn = time.perf_counter() - wall
            return {
                "shown": drawn if in_view is None else in_view,
                "drawn": drawn,
                "lag_max": probe.max_ms(),
                "lag_p99": probe.p99_ms(),
            }


def one_shot_ms() -> float:
    from rich.console import Console

    from orchestrator_tui.providers.mock import lorem_markdown
    from orchestrator_tui.tui.markdown_blocks import rich_markdown

    console = Console(file=io.StringIO(), width=40)
    text = lorem_markdown(1, TOKENS)
    console.render_lines(rich_markdown(text), console.options, pad=False)
    started = time.perf_counter()
    console.render_lines(rich_markdown(text), console.options, pad=False)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10)
    turns = parser.parse_args().turns
    figures = asyncio.run(reopen(turns))
    print(f"reopen {PANES} panes x {turns + 1} answers of {TOKENS:,} tokens")
    print(f"  last answers in view  {figures['shown']:.3f} s")
    print(f"  every line drawn      {figures['drawn']:.3f} s")
    print(f"  loop lag max / p99    {figures['lag_max']:.0f} / {figures['lag_p99']:.0f} ms")
    print(f"  for scale: one synchronous render of one answer {one_shot_ms():.0f} ms")


if __name__ == "__main__":
    main()
