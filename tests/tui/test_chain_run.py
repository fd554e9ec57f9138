"""The run view driven by Pilot: live step status, refine scores, failures, cancel, snapshots."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import ListView, Static

from orchestrator_tui.config import Config, load_config
from orchestrator_tui.core.chains.library import ChainLibrary
from orchestrator_tui.core.chains.loader import load_chain
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.chain_run import ChainRunScreen
from orchestrator_tui.tui.widgets.step_progress import StepProgress
from orchestrator_tui.tui.widgets.streaming_markdown import StreamingMarkdown

SIZE = (140, 36)
MODELS = """\
models:
  mock:judge-rising: {api_name: judge, options: {scores: [0.3, 0.5, 0.9]}}
  mock:broken: {api_name: flaky, options: {schedule: [mid]}}
  mock:slow: {api_name: lorem, options: {tokens_per_second: 20}}
"""
CHAIN = """\
name: tea-notes
inputs: [topic]
steps:
  - id: draft
    kind: generate
    model: mock:echo
    prompt: "Notes on {{{{ inputs.topic }}}}"
  - id: polish
    kind: refine
    target: draft
    model: mock:lorem
    reviewer: mock:judge-rising
    threshold: 0.8
    max_iterations: 4
  - id: extra
    kind: generate
    model: {last_model}
    when: steps.polish.score < 0.5
    prompt: never
  - id: final
    kind: generate
    model: {last_model}
    prompt: "Final: {{{{ steps.draft.output }}}}"
"""


def screen_for(config: Config, last_model: str = "mock:echo") -> ChainRunScreen:
    library = ChainLibrary(config.catalog, config.paths.chain_folders())
    chain = load_chain(
        CHAIN.format(last_model=last_model),
        "tea.yaml",
        personas=library.personas,
        catalog=config.catalog,
    )
    return ChainRunScreen(chain, {"topic": "green tea"}, library.personas)


async def run_to_end(pilot: Pilot, screen: ChainRunScreen) -> None:
    pilot.app.push_screen(screen)
    while screen.status is None:
        await pilot.pause()
    await pilot.pause()


def fresh_config(config: Config, write_models: Callable[[str], object]) -> Config:
    write_models(MODELS)
    return load_config(config.paths)


async def test_the_run_view_shows_each_steps_status_and_the_refine_scores(
    config: Config, write_models
) -> None:  # type: ignore[no-untyped-def]
    config = fresh_config(config, write_models)
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_for(config)
        await run_to_end(pilot, screen)
        assert screen.status == "completed"
        rows = {row.step_id: row for row in screen.query(StepProgress)}
        assert {k: r.status for k, r in rows.items()} == {
            "draft": "ok",
            "polish": "ok",
            "extra": "skipped",
            "final": "ok",
        }
        assert rows["polish"].scores == [0.3, 0.5, 0.9]
        assert screen.query_one(StreamingMarkdown).text == "Final: Notes on green tea"
        assert "run completed" in str(screen.query_one("#run-status", Static).render())
        await app.services.recorder.flush()
        (session,) = await app.services.sessions.list()
        assert (session.kind, session.chain_name, session.status) == (
            "chain",
            "tea-notes",
            "completed",
        )


async def test_picking_a_finished_step_shows_its_output(config: Config, write_models) -> None:  # type: ignore[no-untyped-def]
    config = fresh_config(config, write_models)
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_for(config)
        await run_to_end(pilot, screen)
        steps = screen.query_one("#run-step-list", ListView)
        steps.focus()
        steps.index = 0
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one(StreamingMarkdown).text == "Notes on green tea"


async def test_a_failing_step_shows_its_error_and_the_run_fails(
    config: Config, write_models
) -> None:  # type: ignore[no-untyped-def]
    config = fresh_config(config, write_models)
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_for(config, last_model="mock:broken")
        await run_to_end(pilot, screen)
        assert screen.status == "failed"
        final = screen.step("final")
        assert final.status == "failed" and "mid-stream" in (final.error or "")
        assert screen.step("polish").status == "ok"


async def test_escape_cancels_a_running_chain_then_goes_back(config: Config, write_models) -> None:  # type: ignore[no-untyped-def]
    config = fresh_config(config, write_models)
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=SIZE) as pilot:
        slow = load_chain(
            "steps: [{id: slow, kind: generate, model: mock:slow, prompt: go}]", "slow.yaml"
        )
        screen = ChainRunScreen(slow, {}, {})
        app.push_screen(screen)
        while not screen.query(StepProgress) or screen.step("slow").status != "running":
            await pilot.pause()
        await pilot.press("escape")
        while screen.status is None:
            await pilot.pause()
        assert screen.status == "cancelled"
        assert screen.step("slow").status == "cancelled"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


def test_the_run_view_looks_right_after_a_run(config: Config, write_models, snap_compare) -> None:  # type: ignore[no-untyped-def]
    config = fresh_config(config, write_models)

    async def run_it(pilot: Pilot) -> None:
        await pilot.app.wait_services()  # type: ignore[attr-defined]
        await run_to_end(pilot, screen_for(config))

    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_it)


def test_the_run_view_looks_right_after_a_failure(
    config: Config, write_models, snap_compare
) -> None:  # type: ignore[no-untyped-def]
    config = fresh_config(config, write_models)

    async def run_it(pilot: Pilot) -> None:
        await pilot.app.wait_services()  # type: ignore[attr-defined]
        await run_to_end(pilot, screen_for(config, last_model="mock:broken"))

    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_it)


async def test_a_cancelled_step_keeps_the_text_it_had_written(config: Config, write_models) -> None:  # type: ignore[no-untyped-def]
    config = fresh_config(config, write_models)
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=SIZE) as pilot:
        slow = load_chain(
            "steps: [{id: slow, kind: generate, model: mock:slow, prompt: go}]", "slow.yaml"
        )
        screen = ChainRunScreen(slow, {}, {}, dry=True)
        app.push_screen(screen)
        while not screen._streamed or not any(text for *_, text in screen._streamed.values()):
            await pilot.pause()
        await pilot.press("escape")
        while screen.status is None:
            await pilot.pause()
        row = screen.step("slow")
        assert row.status == "cancelled"
        assert row.output and row.output in "".join(
            screen._streamed[next(iter(screen._streamed))][2]
        )
        assert "dry run on mock models" in screen.sub_title
