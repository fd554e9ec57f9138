"""Property tests: whatever document the loader is given, it answers with a chain or with
validation errors that each carry a location, and never with a traceback."""

from __future__ import annotations

import functools
import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator_tui.config import Config, Paths, load_config
from orchestrator_tui.core.chains.kinds import step_kinds
from orchestrator_tui.core.chains.library import ChainLibrary
from orchestrator_tui.core.chains.loader import FIELDS, TOP_FIELDS, load_chain
from orchestrator_tui.core.chains.model import Chain, ChainInvalid, Persona

LOCATION = re.compile(r"^chain\.yaml(:\d+)?$")
FIELD_NAMES = sorted({f for fields in FIELDS.values() for f in fields} | set(TOP_FIELDS))
REFERENCES = ["a", "b", "c", "draft", "zz"]
TEXTS = [
    "hello",
    "{{ inputs.topic }}",
    "{{ steps.a.output }}",
    "{{ steps.b.score > 0.5 }}",
    "{% if %}",
    "{{ nope }}",
    "{{ steps[0] }}",
    "{{ inputs }}",
    "{{",
    "steps.a.score < 0.9",
    "mock:echo",
    "mock:judge",
    "mock:nothing",
    "nope:x",
    "anthropic:claude-sonnet-4-5",
    "(",
    "technical_writer",
    "critique",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(TEXTS + REFERENCES + list(step_kinds()) + FIELD_NAMES),
    st.text(max_size=12),
)
keys = st.one_of(st.sampled_from([*FIELD_NAMES, "pattern", "words", "min_words"]), scalars)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=12,
)
shallow = st.one_of(
    scalars, st.lists(scalars, max_size=3), st.dictionaries(keys, scalars, max_size=3)
)
steps = st.fixed_dictionaries(
    {"id": st.sampled_from(REFERENCES), "kind": st.sampled_from([*step_kinds(), "nope"])},
    optional={name: shallow for name in FIELD_NAMES if name not in ("id", "kind")},
)
documents = st.one_of(
    values,
    st.fixed_dictionaries(
        {"steps": st.lists(st.one_of(steps, values), max_size=5)},
        optional={"name": values, "inputs": values, "output": values, "description": values},
    ),
)


@functools.cache
def config() -> Config:
    """One catalog for every example (the property never writes the user's files)."""
    return load_config(Paths.default())


@functools.cache
def personas() -> dict[str, Persona]:
    return ChainLibrary(config().catalog, config().paths.chain_folders()).personas


def check(text: str) -> None:
    try:
        chain = load_chain(text, "chain.yaml", personas=personas(), catalog=config().catalog)
    except ChainInvalid as exc:
        assert exc.issues, "an invalid chain must say why"
        for issue in exc.issues:
            assert LOCATION.match(issue.where), issue
            assert issue.message
        return
    assert isinstance(chain, Chain) and chain.steps


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_any_structured_document_gives_a_chain_or_located_errors(document: object) -> None:
    check(yaml.safe_dump(document, allow_unicode=True))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_chain_or_located_errors(text: str) -> None:
    check(text)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_valid_chain_with_one_line_broken_still_reports_a_location(data: st.DataObject) -> None:
    lines = VALID.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    junk = data.draw(st.sampled_from(["  - [", ": :", "\t", "kind: 5", "   - id: {", "x"]))
    lines[index] = junk
    check("\n".join(lines))


VALID = """\
name: demo
inputs: {topic: t}
steps:
  - id: a
    kind: generate
    model: mock:lorem
    prompt: "{{ inputs.topic }}"
  - id: b
    kind: refine
    target: a
    reviewer: mock:judge
    checks: [{kind: length, max_words: 100}]
  - id: c
    kind: synthesize
    model: mock:lorem
    from: [a, b]
    when: steps.b.score < 0.5
"""


def test_the_valid_base_document_of_the_properties_loads() -> None:
    load_chain(VALID, "chain.yaml", catalog=config().catalog)
