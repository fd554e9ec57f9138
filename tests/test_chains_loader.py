"""Loading and validating chain files: every mistake is reported at once, with file, line and field."""

from __future__ import annotations

import textwrap

import pytest

from orchestrator_tui.config import Config
from orchestrator_tui.core.chains.inline import inline_chain
from orchestrator_tui.core.chains.library import ChainLibrary
from orchestrator_tui.core.chains.loader import load_chain
from orchestrator_tui.core.chains.mocking import mock_chain
from orchestrator_tui.core.chains.model import ChainInvalid, Issue
from orchestrator_tui.core.chains.validation import bind_inputs

GOOD = """\
name: demo
inputs: {topic: "What to write about"}
steps:
  - id: draft
    kind: generate
    model: anthropic:claude-sonnet-4-5
    persona: technical_writer
    prompt: "Write about {{ inputs.topic }}"
  - id: polish
    kind: refine
    target: draft
    reviewer: gemini:gemini-2.5-flash
    threshold: 0.8
  - id: opinions
    kind: parallel
    models: [mistral:mistral-small-latest, openai:gpt-4.1-mini]
    prompt: "Critique: {{ steps.polish.output }}"
    when: "steps.polish.score < 0.9"
  - id: final
    kind: synthesize
    model: anthropic:claude-sonnet-4-5
    from: [polish, opinions]
"""


def issues_of(text: str, config: Config, **options) -> list[Issue]:
    library = ChainLibrary(config.catalog, config.paths.chain_folders())
    with pytest.raises(ChainInvalid) as caught:
        load_chain(
            textwrap.dedent(text),
            "chain.yaml",
            personas=library.personas,
            catalog=config.catalog,
            **options,
        )
    return caught.value.issues


def test_the_design_example_chain_loads_with_every_field(config: Config) -> None:
    library = ChainLibrary(config.catalog, config.paths.chain_folders())
    chain = load_chain(GOOD, "demo.yaml", personas=library.personas, catalog=config.catalog)
    assert [s.id for s in chain.steps] == ["draft", "polish", "opinions", "final"]
    assert chain.step("polish").threshold == 0.8
    assert chain.step("final").sources == ("polish", "opinions")
    assert chain.step("opinions").when == "steps.polish.score < 0.9"
    assert chain.inputs[0].name == "topic"
    assert chain.step("draft").at("prompt") == "demo.yaml:8"


def test_every_error_in_a_file_is_reported_at_once_with_its_line(config: Config) -> None:
    issues = issues_of(
        """\
        name: broken
        inputs: {topic: ""}
        steps:
          - id: a
            kind: generat
          - id: b
            kind: generate
            model: nope:model
            prompt: "{{ steps.c.output }} {{ inputs.subject }}"
            colour: red
          - id: c
            kind: refine
            target: b
            reviewer: mock:judge
            threshold: 1.5
            max_iterations: 0
        """,
        config,
    )
    found = {(i.where, i.field) for i in issues}
    assert ("chain.yaml:5", "steps[0].kind") in found
    assert ("chain.yaml:10", "steps[1].colour") in found
    assert ("chain.yaml:15", "steps[2].threshold") in found
    assert ("chain.yaml:16", "steps[2].max_iterations") in found
    assert ("chain.yaml:8", "steps.b.model") in found
    messages = " | ".join(str(i) for i in issues)
    assert "no earlier step 'c'" in messages
    assert "unknown input 'subject'" in messages
    assert [i.where for i in issues] == sorted(
        (i.where for i in issues), key=lambda w: int(w.rpartition(":")[2])
    )


@pytest.mark.parametrize(
    ("snippet", "field", "words"),
    [
        ("kind: review\n    target: later\n    reviewer: mock:judge", "steps.x.target", "earlier"),
        ("kind: refine\n    target: x\n    reviewer: mock:judge", "steps.x.target", "itself"),
        (
            "kind: generate\n    model: mock:echo\n    prompt: '{{ oops }}'",
            "steps.x.prompt",
            "oops",
        ),
        (
            "kind: generate\n    model: mock:echo\n    prompt: '{% if %}'",
            "steps.x.prompt",
            "template",
        ),
        (
            "kind: generate\n    model: mock:echo\n    prompt: hi\n    when: 'steps.y.score >'",
            "steps.x.when",
            "template",
        ),
        ("kind: generate\n    model: mock:nope\n    prompt: hi", "steps.x.model", "unknown model"),
        (
            "kind: generate\n    model: mock:echo\n    prompt: hi\n    persona: pirate",
            "steps.x.persona",
            "unknown persona",
        ),
        ("kind: conversation\n    models: [mock:echo]\n    topic: t", "steps.x.models", "2+"),
        ("kind: review\n    target: y", "steps[1]", "reviewer"),
        (
            "kind: generate\n    model: mock:echo\n    prompt: hi\n  - id: x\n    kind: generate"
            "\n    model: mock:echo\n    prompt: again",
            "steps.x.id",
            "duplicate",
        ),
        (
            "kind: refine\n    target: y\n    checks: [{kind: regex, pattern: '('}]",
            "steps[1].checks[0].pattern",
            "regular expression",
        ),
    ],
)
def test_a_mistake_in_one_step_names_that_steps_field(
    config: Config, snippet: str, field: str, words: str
) -> None:
    text = (
        "steps:\n  - id: y\n    kind: generate\n    model: mock:echo\n    prompt: hi\n"
        f"  - id: x\n    {snippet}\n"
    )
    issues = issues_of(text, config)
    assert any(i.field == field and words in i.message for i in issues), issues
    assert all(i.where.startswith("chain.yaml:") for i in issues)


def test_a_chain_file_that_is_not_yaml_names_its_line(config: Config) -> None:
    issues = issues_of("steps:\n  - id: a\n    kind: [generate\n", config)
    assert issues[0].where.startswith("chain.yaml:")
    assert "invalid YAML" in issues[0].message


def test_missing_and_unknown_inputs_are_named_with_the_inputs_line(config: Config) -> None:
    chain = load_chain(GOOD, "demo.yaml")
    with pytest.raises(ChainInvalid) as caught:
        bind_inputs(chain, {"subject": "bees"})
    text = str(caught.value)
    assert "demo.yaml:2: inputs.topic: missing input (What to write about)" in text
    assert "inputs.subject: this chain has no such input" in text
    assert bind_inputs(chain, {"topic": "bees"}) == {"topic": "bees"}


def test_an_input_default_fills_a_missing_input() -> None:
    chain = load_chain(
        "inputs:\n  tone: {description: how, default: calm}\n"
        "steps: [{id: a, kind: generate, model: mock:echo, prompt: '{{ inputs.tone }}'}]",
        "x.yaml",
    )
    assert bind_inputs(chain, {}) == {"tone": "calm"}


def test_mock_swaps_every_model_of_a_valid_chain(config: Config) -> None:
    chain = load_chain(GOOD, "demo.yaml", catalog=config.catalog, transform=mock_chain)
    assert set(chain.models) == {"mock:lorem", "mock:judge"}


def test_mock_refuses_unknown_models_exactly_as_a_real_run(config: Config) -> None:
    """A dry run that passed where the real one fails would hide the typo it is meant to find."""
    text = GOOD.replace("anthropic:claude-sonnet-4-5", "nope:model")
    with pytest.raises(ChainInvalid) as mocked:
        load_chain(text, "demo.yaml", catalog=config.catalog, transform=mock_chain)
    assert [str(i) for i in mocked.value.issues] == [
        str(i).replace("chain.yaml", "demo.yaml") for i in issues_of(text, config)
    ]


def test_an_inline_chain_passes_each_output_to_the_next_step(config: Config) -> None:
    library = ChainLibrary(config.catalog, config.paths.chain_folders())
    chain = inline_chain(
        "anthropic:claude-sonnet-4-5/researcher -> gemini:gemini-2.5-flash/summarize",
        ["question"],
        library.personas,
    )
    first, second = chain.steps
    assert (first.model, first.persona, second.role) == (
        "anthropic:claude-sonnet-4-5",
        "researcher",
        "summarize",
    )
    assert "inputs.question" in first.prompt
    assert "steps.step1.output" in second.prompt
    with pytest.raises(ChainInvalid, match="unknown persona or role 'pirate'"):
        inline_chain("mock:echo/pirate", [], library.personas)
