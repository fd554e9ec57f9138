"""Hostile YAML (alias bombs, enormous or deeply nested files) is refused with file and line,
in a chain and in models.yaml, without building what it spells."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.config import load_config
from orchestrator_tui.core.chains.loader import load_chain_file
from orchestrator_tui.core.chains.model import ChainInvalid
from orchestrator_tui.core.yamlsource import (
    MAX_ALIAS_COPIES,
    MAX_DOCUMENT_SIZE,
    TooLarge,
    load_located,
)


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The billion laughs: each level repeats the one before ``width`` times (9^9 values)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        items = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{items}]")
    return "\n".join(lines) + "\n"


BOMB_CHAIN = "name: bomb\nsteps:\n  - {id: one, model: mock:echo, prompt: hi}\n" + alias_bomb()


def bomb_line(where: str, path: object, first: int) -> int:
    """The line named in ``where`` (``file:line``): one of the bomb's, which start at ``first``."""
    file, _, line = where.rpartition(":")
    assert file == str(path) and first <= int(line) < first + 9
    return int(line)


def test_an_alias_bomb_in_a_chain_is_refused_with_file_and_line(tmp_path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB_CHAIN)
    with pytest.raises(ChainInvalid) as caught:
        load_chain_file(path)
    [issue] = caught.value.issues
    bomb_line(issue.where, path, first=4)
    assert "alias" in issue.message and f"{MAX_ALIAS_COPIES:,}" in issue.message


def test_run_refuses_an_alias_bomb_chain_with_exit_2(tmp_path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB_CHAIN)
    result = CliRunner().invoke(cli, ["run", str(path), "--mock"])
    assert result.exit_code == 2
    [line] = [x.strip() for x in result.output.splitlines() if "aliases here" in x]
    bomb_line(line.partition(": ")[0], path, first=4)


def test_an_alias_bomb_in_models_yaml_is_refused_and_the_defaults_are_used(
    paths, write_models
) -> None:  # type: ignore[no-untyped-def]
    models = write_models("providers: {}\n" + alias_bomb())
    config = load_config(paths)
    [warning] = config.warnings
    where, _, message = warning.partition(": ")
    bomb_line(where, models, first=2)
    assert message.startswith("aliases here repeat values")
    assert config.catalog.resolve("mock:echo").name == "mock:echo"


def test_a_few_aliases_sharing_settings_still_load() -> None:
    text = "base: &base {timeout: 30, retries: 2}\n" + "".join(
        f"p{i}: {{settings: *base, name: p{i}}}\n" for i in range(50)
    )
    doc = load_located(text, "x.yaml")
    assert doc.data["p49"]["settings"] == {"timeout": 30, "retries": 2}
    assert doc.where("p49", "settings", "timeout") == "x.yaml:1"


def test_an_enormous_file_is_refused_without_being_read_whole(
    tmp_path, write_models, paths
) -> None:  # type: ignore[no-untyped-def]
    line = "# " + "x" * 98 + "\n"
    text = "providers: {}\n" + line * (MAX_DOCUMENT_SIZE // len(line) + 1)
    models = write_models(text)
    where = text[:MAX_DOCUMENT_SIZE].count("\n") + 1  # the line the limit falls on
    [warning] = load_config(paths).warnings
    assert warning.startswith(f"{models}:{where}: the document is ")
    assert f"more than the {MAX_DOCUMENT_SIZE:,}" in warning
    chain = tmp_path / "big.yaml"
    chain.write_text("name: big\n" + line * (MAX_DOCUMENT_SIZE // len(line) + 1))
    with pytest.raises(ChainInvalid, match="the document is"):
        load_chain_file(chain)


def test_enormous_text_is_refused_with_the_line_where_the_limit_falls() -> None:
    text = "a: 1\n" * (MAX_DOCUMENT_SIZE // 5 + 1)
    with pytest.raises(TooLarge, match=rf"^x.yaml:{MAX_DOCUMENT_SIZE // 5 + 1}: the document is"):
        load_located(text, "x.yaml")


def test_deep_nesting_is_refused_with_file_and_line_not_a_recursion_error() -> None:
    text = "a:\n  b: " + "[" * 500 + "]" * 500 + "\n"
    with pytest.raises(TooLarge, match=r"^x.yaml:2: nested more than"):
        load_located(text, "x.yaml")
