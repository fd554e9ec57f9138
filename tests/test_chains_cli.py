"""``orch-tui chains`` and ``orch-tui run``: presets, dry runs, user chains, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from orchestrator_tui.cli import cli
from orchestrator_tui.config import Paths, bundled_dir, load_config
from orchestrator_tui.core.chains.library import ChainLibrary
from orchestrator_tui.core.chains.loader import load_chain_file

PRESETS = sorted(p.stem for p in (bundled_dir("presets") / "chains").glob("*.yaml"))
ISSUE_PRESETS = {
    "compare-and-synthesize",
    "draft-review-refine",
    "critique-and-improve",
    "debate",
    "red-team",
    "code-review",
    "brainstorm-and-rank",
    "summarize-then-verify",
    "prompt-refine",
}


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def test_every_chain_the_issue_asks_for_ships_as_a_preset() -> None:
    assert set(PRESETS) >= ISSUE_PRESETS


def test_every_preset_validates_against_the_real_default_models(paths: Paths) -> None:
    result = invoke("chains", "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("✓") == len(PRESETS)
    config = load_config(paths)
    for name in PRESETS:
        chain = ChainLibrary(config.catalog, paths.chain_folders()).load(name)
        assert not any(m.startswith("mock:") for m in chain.models), name


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_runs_end_to_end_with_mock_models(paths: Paths, name: str) -> None:
    chain = load_chain_file(bundled_dir("presets") / "chains" / f"{name}.yaml")
    inputs = [arg for i in chain.inputs for arg in ("--input", f"{i.name}=some {i.name}")]
    result = invoke("run", name, "--mock", "--json", *inputs)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "completed"
    assert report["output"]
    ran = {s["id"]: s["status"] for s in report["steps"]}
    assert set(ran) == {s.id for s in chain.steps}
    assert set(ran.values()) <= {"ok", "skipped"}


def test_chains_list_shows_presets_and_a_user_chain_shadowing_one(paths: Paths) -> None:
    paths.chains_dir.mkdir(parents=True)
    (paths.chains_dir / "debate.yaml").write_text(
        "description: my own debate\nsteps: [{id: a, kind: generate, model: mock:echo, prompt: hi}]\n"
    )
    result = invoke("chains", "list", "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(PRESETS) <= set(rows)
    assert (rows["debate"]["origin"], rows["debate"]["description"]) == ("user", "my own debate")
    ran = invoke("run", "debate", "--json")
    assert json.loads(ran.stdout)["output"] == "hi"


def test_chains_show_prints_the_yaml(paths: Paths) -> None:
    result = invoke("chains", "show", "draft-review-refine")
    assert result.exit_code == 0
    assert "kind: refine" in result.stdout
    assert invoke("chains", "show", "no-such-chain").exit_code == 2


def test_an_invalid_chain_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("steps:\n  - id: a\n    kind: generate\n    model: mock:echo\n")
    for args in (("run", str(path)), ("chains", "validate", str(path))):
        result = invoke(*args)
        assert result.exit_code == 2
        assert f"{path}:2: steps[0].prompt: a generate step needs `prompt`" in result.stderr


def test_a_mock_run_refuses_an_unknown_provider_exactly_as_a_real_run(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(
        "steps:\n  - id: a\n    kind: generate\n    model: nosuch:model\n    prompt: hi\n"
    )
    outputs = []
    for extra in ((), ("--mock",)):
        result = invoke("run", str(path), *extra)
        assert result.exit_code == 2, result.output
        assert f"{path}:4: steps.a.model: unknown provider 'nosuch'" in result.stderr
        outputs.append(result.stderr)
    assert outputs[0] == outputs[1]
    inline = [invoke("run", "--steps", "nosuch:model", *extra) for extra in ((), ("--mock",))]
    assert [r.exit_code for r in inline] == [2, 2]
    assert inline[0].stderr == inline[1].stderr


def test_a_missing_input_exits_2_and_says_which() -> None:
    result = invoke("run", "draft-review-refine", "--mock")
    assert result.exit_code == 2
    assert "inputs.topic: missing input (What to write about)" in result.stderr


def test_a_failed_run_exits_1(paths: Paths, write_models) -> None:  # type: ignore[no-untyped-def]
    write_models("models:\n  mock:broken: {api_name: flaky, options: {schedule: [mid]}}\n")
    path = paths.config_dir / "fails.yaml"
    path.write_text("steps: [{id: a, kind: generate, model: mock:broken, prompt: go on then}]\n")
    result = invoke("run", str(path))
    assert result.exit_code == 1
    assert "a (generate) failed" in result.stdout


def test_an_inline_chain_runs_each_step_on_the_previous_output() -> None:
    result = invoke(
        "run",
        "--steps",
        "mock:echo/researcher -> mock:echo/summarize",
        "-i",
        "task=moths",
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    first, second = report["steps"]
    assert first["output"] == "moths"
    assert "## Previous step's answer\n\nmoths" in second["output"]


def test_an_input_can_come_from_a_file(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("notes from a file")
    result = invoke("run", "--steps", "mock:echo", "-i", f"task=@{source}", "--json")
    assert json.loads(result.stdout)["output"] == "notes from a file"


def test_run_needs_exactly_one_of_a_chain_or_steps() -> None:
    assert invoke("run").exit_code == 2
    assert invoke("run", "debate", "--steps", "mock:echo").exit_code == 2


def test_the_progress_table_draws_each_steps_status_and_score_history() -> None:
    from io import StringIO

    from rich.console import Console

    from orchestrator_tui.cli.chain_view import ChainProgress, sparkline
    from orchestrator_tui.core.chains.loader import load_chain
    from orchestrator_tui.core.events import StepFinished, StepIteration, StepStarted

    chain = load_chain(
        "steps:\n"
        "  - {id: draft, kind: generate, model: mock:lorem, prompt: go}\n"
        "  - {id: polish, kind: refine, target: draft, reviewer: mock:judge}\n",
        "c.yaml",
    )
    piped = StringIO()
    view = ChainProgress(chain, Console(file=piped, width=100))
    view.handle(StepStarted("r", "s", "draft", "generate", 0, 2))
    view.handle(StepFinished("r", "s", "draft", "generate", 0, "ok", "text"))
    view.handle(StepStarted("r", "s", "polish", "refine", 1, 2))
    for i, score in enumerate((0.2, None, 0.9)):
        view.handle(StepIteration("r", "s", "polish", i, score, score == 0.9))
    details = {"rewrites": 2, "passed": True}
    view.handle(
        StepFinished(
            "r", "s", "polish", "refine", 1, "ok", "better", 0.9, (0.2, 0.9), None, details
        )
    )
    assert piped.getvalue().splitlines() == [
        "✓ draft (generate) ok",
        "✓ polish (refine) ok score 0.90 (2 rewrites · passed)",
    ]
    drawn = StringIO()
    Console(file=drawn, width=100).print(view.table())
    assert "▂✗█ 0.20 ✗ 0.90" in drawn.getvalue()
    assert sparkline([0.0, 0.5, 1.0]) == "▁▅█"


def test_a_mock_run_never_imports_a_provider_sdk_or_textual() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from orchestrator_tui.cli import cli; "
        "r = CliRunner().invoke(cli, ['run', 'compare-and-synthesize', '--mock', '--json', "
        "'-i', 'question=why']); assert r.exit_code == 0, r.output; "
        "bad = {'anthropic', 'google.genai', 'mistralai', 'textual'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_validate_warns_when_a_refine_step_is_reviewed_by_its_own_writer(tmp_path: Path) -> None:
    path = tmp_path / "self-review.yaml"
    path.write_text(
        "steps:\n"
        "  - {id: draft, kind: generate, model: mock:lorem, prompt: write}\n"
        "  - id: polish\n"
        "    kind: refine\n"
        "    target: draft\n"
        "    reviewer: lorem\n"  # the alias of the writer, mock:lorem
    )
    for extra in ((), ("--mock",)):
        result = invoke("chains", "validate", str(path), *extra)
        assert result.exit_code == 0, result.output
        assert "✓ self-review (2 steps)" in result.stdout
        assert (
            f"warning: {path}:6: steps.polish.reviewer: lorem reviews its own writing"
            in result.stderr
        )


def test_validate_does_not_warn_when_the_reviewer_is_another_model(tmp_path: Path) -> None:
    path = tmp_path / "outside.yaml"
    path.write_text(
        "steps:\n"
        "  - {id: draft, kind: generate, model: mock:lorem, prompt: write}\n"
        "  - {id: polish, kind: refine, target: draft, reviewer: mock:judge}\n"
        "  - {id: again, kind: refine, target: polish, reviewer: mock:judge, model: mock:echo}\n"
    )
    result = invoke("chains", "validate", str(path))
    assert result.exit_code == 0 and "warning" not in result.stderr
