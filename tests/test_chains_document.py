"""The chain editor's document: edits keep the YAML readable and valid where they can."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator_tui.core.chains.document import STARTERS, ChainDocument
from orchestrator_tui.core.chains.loader import load_chain


def test_a_new_document_is_a_valid_chain() -> None:
    doc = ChainDocument.new("fresh")
    assert doc.validate("editor") == []
    assert load_chain(doc.to_yaml(), "editor").name == "fresh"


def test_check_warns_of_a_refine_step_reviewed_by_its_writer_even_beside_an_error() -> None:
    doc = ChainDocument.new()
    refine = doc.add("refine", after=0)
    doc.set_field(refine, "reviewer", str(doc.steps[0]["model"]))
    errors, warnings = doc.check("editor")
    assert errors == [] and len(warnings) == 1
    assert "reviews its own writing" in warnings[0].message
    doc.set_field(0, "prompt", "{{ steps.nowhere.output }}")
    errors, warnings = doc.check("editor")
    assert any("nowhere" in e.message for e in errors) and len(warnings) == 1


def test_multi_line_prompts_are_written_as_yaml_blocks() -> None:
    doc = ChainDocument.new()
    doc.set_field(0, "prompt", "line one\nline two {{ inputs.topic }}")
    assert "prompt: |-\n    line one\n    line two" in doc.to_yaml()


def test_add_duplicate_move_and_delete_keep_ids_unique_and_references_sensible() -> None:
    doc = ChainDocument.new()
    refine = doc.add("refine", after=0)
    assert doc.steps[refine]["target"] == "draft"
    copy = doc.duplicate(refine)
    assert doc.steps[copy]["id"] == "refine_2"
    assert doc.move(copy, -1) == refine
    assert [s["id"] for s in doc.steps] == ["draft", "refine_2", "refine_1"]
    assert doc.move(0, -1) == 0  # the first step cannot go higher
    assert doc.delete(2) == 1
    synth = doc.add("synthesize")
    assert doc.steps[synth]["from"] == ["refine_2"]
    assert doc.validate("editor") == []


def test_form_text_is_parsed_into_numbers_and_lists_or_kept_for_validation() -> None:
    doc = ChainDocument.new()
    index = doc.add("refine", after=0)
    doc.set_field(index, "threshold", "0.9")
    doc.set_field(index, "max_iterations", "two")
    assert doc.steps[index]["threshold"] == 0.9
    assert doc.steps[index]["max_iterations"] == "two"
    issues = doc.validate("editor")
    assert [i.field for i in issues] == ["steps[1].max_iterations"]
    assert (
        issues[0].where == f"editor:{doc.to_yaml().splitlines().index('  max_iterations: two') + 1}"
    )
    doc.set_field(index, "max_iterations", "")
    assert "max_iterations" not in doc.steps[index]
    parallel = doc.add("parallel")
    doc.set_field(parallel, "models", "mock:echo, mock:lorem ,")
    assert doc.steps[parallel]["models"] == ["mock:echo", "mock:lorem"]
    assert doc.field_text(parallel, "models") == "mock:echo, mock:lorem"


def test_changing_a_kind_keeps_shared_fields_and_adds_the_required_ones() -> None:
    doc = ChainDocument.new()
    doc.set_field(0, "when", "1 > 0")
    doc.set_kind(0, "parallel")
    step = doc.steps[0]
    assert step["kind"] == "parallel" and step["when"] == "1 > 0"
    assert "model" not in step and step["models"]
    assert "threshold" in doc.fields(doc.add("refine", after=0))


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(list(STARTERS))),
        st.tuples(st.just("delete"), st.integers(0, 5)),
        st.tuples(st.just("move"), st.integers(0, 5), st.sampled_from([-1, 1])),
        st.tuples(st.just("duplicate"), st.integers(0, 5)),
        st.tuples(st.just("kind"), st.integers(0, 5), st.sampled_from(list(STARTERS))),
        st.tuples(
            st.just("set"),
            st.integers(0, 5),
            st.sampled_from(["id", "prompt", "model", "models", "threshold", "turns", "when"]),
            st.text(max_size=20),
        ),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(OPERATIONS)
def test_any_sequence_of_edits_round_trips_through_the_yaml(operations: list[tuple]) -> None:
    doc = ChainDocument.new()
    for op, *args in operations:
        if op == "add":
            doc.add(args[0])
            continue
        if not doc.steps:
            continue
        index = args[0] % len(doc.steps)
        match op:
            case "delete":
                doc.delete(index)
            case "move":
                doc.move(index, args[1])
            case "duplicate":
                doc.duplicate(index)
            case "kind":
                doc.set_kind(index, args[1])
            case "set":
                doc.set_field(index, args[1], args[2])
    text = doc.to_yaml()
    assert ChainDocument.from_yaml(text).data == doc.data
    for issue in doc.validate("editor"):
        assert issue.where.startswith("editor")


def test_text_with_unicode_line_breaks_round_trips() -> None:
    doc = ChainDocument.new()
    for value in ("0\x85", "a\u2028b", "x\u2029", "two\nlines\x85"):
        doc.set_field(0, "id", value)
        assert ChainDocument.from_yaml(doc.to_yaml()).data == doc.data
