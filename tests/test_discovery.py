"""Local models found: a loopback server answering Ollama's /api/tags and OpenAI's /v1/models
makes its models appear in `orch-tui models`, cached briefly; a server that is down shows nothing
alarming."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.config import load_config
from orchestrator_tui.discovery import TTL, discover
from tests.discovery_server import Listing, closed_port, listing_server, models_yaml


@pytest.fixture
def server() -> Iterator[str]:
    with listing_server() as url:
        yield url


def test_models_lists_what_the_servers_have_marked_discovered(server: str, write_models) -> None:
    write_models(models_yaml(server))
    result = CliRunner().invoke(cli, ["models", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["model"]: row for row in json.loads(result.output)}
    found = {name for name, row in rows.items() if row["discovered"]}
    assert found == {
        "ollama:llama3.2:latest",
        "ollama:qwen2.5-coder:7b",
        "local:local-chat",
        "local:local-coder",
    }
    assert rows["ollama:llama3.2"]["discovered"] is False  # the listed one stays as written
    assert rows["local:local-chat"]["key"] == "not needed"
    assert sorted(Listing.seen) == ["/api/tags", "/v1/models"]
    table = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["models"]).output
    assert "local:local-chat · discovered" in table


async def test_the_lists_are_cached_briefly(server: str, write_models, paths) -> None:
    write_models(models_yaml(server))
    catalog = load_config(paths).catalog
    cache = paths.discovery_cache
    first = await discover(catalog, cache, now=1000.0)
    again = await discover(catalog, cache, now=1000.0 + TTL - 1)
    assert first == again and len(Listing.seen) == 2
    await discover(catalog, cache, now=1000.0 + TTL + 1)
    assert len(Listing.seen) == 4


def test_a_server_that_is_down_shows_nothing_alarming(write_models) -> None:
    write_models(models_yaml(f"http://127.0.0.1:{closed_port()}"))
    result = CliRunner().invoke(cli, ["models", "--json"])
    assert result.exit_code == 0 and result.stderr == ""
    assert not any(row["discovered"] for row in json.loads(result.stdout))
