"""Tab after /attach completes a file path as a shell does (no Textual: pure logic)."""

from __future__ import annotations

from pathlib import Path

from orchestrator_tui.core.attachments import PathCompletion, complete_path


def folder(tmp_path: Path) -> Path:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "plan.md").write_text("x")
    (tmp_path / "report-2025.txt").write_text("x")
    (tmp_path / "report-2026.txt").write_text("x")
    (tmp_path / ".hidden").write_text("x")
    return tmp_path


def test_one_match_is_completed_and_a_folder_gets_its_slash(tmp_path: Path) -> None:
    cwd = folder(tmp_path)
    assert complete_path("no", cwd) == PathCompletion("notes/")
    assert complete_path("notes/p", cwd) == PathCompletion("notes/plan.md")


def test_several_matches_complete_their_common_start_and_are_listed(tmp_path: Path) -> None:
    found = complete_path("rep", folder(tmp_path))
    assert found.text == "report-202"
    assert found.choices == ("report-2025.txt", "report-2026.txt")


def test_hidden_files_only_when_the_dot_is_typed(tmp_path: Path) -> None:
    cwd = folder(tmp_path)
    assert ".hidden" not in complete_path("", cwd).choices
    assert complete_path(".h", cwd) == PathCompletion(".hidden")


def test_absolute_and_home_paths_keep_the_form_typed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cwd = folder(tmp_path)
    monkeypatch.setenv("HOME", str(cwd))
    assert complete_path("~/no") == PathCompletion("~/notes/")
    assert complete_path(f"{cwd}/report-2025") == PathCompletion(f"{cwd}/report-2025.txt")


def test_nothing_matching_or_no_such_folder_leaves_the_text(tmp_path: Path) -> None:
    cwd = folder(tmp_path)
    assert complete_path("zzz", cwd) == PathCompletion("zzz")
    assert complete_path("missing/x", cwd) == PathCompletion("missing/x")
