"""The Batch screen as a user opens it (F8 or the palette): batches, failures, opening an item."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from click.testing import CliRunner
from textual.widgets import DataTable, Static
from textual.worker import WorkerCancelled

from orchestrator_tui.cli import cli
from orchestrator_tui.config import Config
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.batches import BatchesScreen
from orchestrator_tui.tui.screens.session_detail import SessionDetailScreen


def run_batches(config: Config, tmp_path: Path) -> None:
    config.paths.models_file.write_text(
        "models:\n  mock:down: {api_name: flaky, options: {schedule: [mid]}}\n", encoding="utf-8"
    )
    topics = tmp_path / "topics.txt"
    topics.write_text("tides\nmoons\nwaves\n", encoding="utf-8")

    def run() -> None:
        runner = CliRunner()
        runner.invoke(
            cli, ["batch", "run", "--steps", "echo", "--inputs", str(topics), "--name", "echoes"]
        )
        runner.invoke(cli, ["batch", "run", "--steps", "mock:down", "--inputs", str(topics),
                            "--name", "broken", "--limit", "1"])  # fmt: skip

    with ThreadPoolExecutor(1) as pool:  # the CLI runs its own event loop
        pool.submit(run).result()


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_the_batch_screen_lists_batches_failures_and_opens_an_items_session(
    config: Config, tmp_path: Path
) -> None:
    run_batches(config, tmp_path)
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.pause()
        await pilot.press("f8")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BatchesScreen), (app.screen_stack, app._exception)
        batches = screen.query_one("#batches", DataTable)
        assert [batches.get_row_at(n)[0].plain for n in range(2)] == ["broken", "echoes"]
        assert [batches.get_row_at(n)[2:4] for n in range(2)] == [["0/3", "1"], ["3/3", "0"]]
        summary = str(screen.query_one("#batch-summary", Static).render())
        assert "broken: 1/3 finished · 1 failed" in summary
        items = screen.query_one("#batch-items", DataTable)
        row = items.get_row_at(0)
        assert row[2].plain == "failed" and "step1" in row[5].plain

        batches.focus()
        await pilot.press("down")
        await settle(pilot)
        assert "echoes: 3/3 finished" in str(screen.query_one("#batch-summary", Static).render())
        assert sorted(items.get_row_at(n)[5].plain for n in range(3)) == ["moons", "tides", "waves"]
        items.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen)
        stored = await app.services.batches.get("echoes")
        first = [i async for i in app.services.batches.items(stored.id)]
        assert app.screen.session_id in {i.session_id for i in first}
