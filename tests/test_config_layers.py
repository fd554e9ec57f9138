"""Configuration layers: system -> user -> profile -> project -> environment -> flags, each value
naming its file and line, and a project folder that may not redirect keys until trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from orchestrator_tui.cli import cli
from orchestrator_tui.config import Paths, load_config
from orchestrator_tui.config.trust import set_trust


def run_cli(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def system_dir(orch_home: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "etc-orch-tui"
    folder.mkdir()
    return folder


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cloned repository with a ``.orch-tui`` folder; the test works in a folder below it."""
    repo = tmp_path / "repo"
    (repo / ".orch-tui").mkdir(parents=True)
    (repo / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(repo / "src" / "deep")
    return repo / ".orch-tui"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_layer_overrides_the_one_before(
    paths: Paths, system_dir: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(system_dir / "config.yaml", "theme: from-system\nreviewer: mock:echo\n")
    assert load_config().settings.theme == "from-system"
    write(paths.settings_file, "theme: from-user\n")
    assert load_config().settings.theme == "from-user"
    write(project / "config.yaml", "# the project\ntheme: from-project\n")
    config = load_config()
    assert config.settings.theme == "from-project"
    assert config.settings.reviewer == "mock:echo"  # the system's, untouched by later layers
    assert config.source("theme") == f"{project / 'config.yaml'}:2"
    monkeypatch.setenv("ORCH_TUI_THEME", "from-env")
    assert load_config().source("theme") == "env ORCH_TUI_THEME"
    config = load_config(flags={"theme": "from-flag"})
    assert (config.settings.theme, config.source("theme")) == ("from-flag", "command line")


def test_a_profile_overlay_sits_between_the_user_and_the_project(
    paths: Paths, project: Path
) -> None:
    write(paths.settings_file, "theme: from-user\ncache: false\n")
    overlay = write(paths.config_dir / "profiles" / "work" / "config.yaml", "cache: true\n")
    config = load_config(Paths.default(profile="work"))
    assert config.settings.cache is True and config.source("cache") == f"{overlay}:1"
    assert load_config().settings.cache is False  # the default profile does not see it


def test_config_show_sources_names_the_file_and_line_of_each_value(
    paths: Paths, system_dir: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system_models = write(system_dir / "models.yaml", "providers:\n  openai:\n    concurrency: 2\n")
    user_models = write(
        paths.models_file,
        "# mine\nproviders:\n  openai:\n    requests_per_minute: 7\n"
        "models:\n  mock:echo:\n    price: {input: 1}\n",
    )
    write(project / "config.yaml", "cache: true\n")
    set_trust(paths.trust_file, project)
    monkeypatch.setenv("ORCH_TUI_DEFAULT_MODELS", "mock:echo, mock:lorem")
    result = run_cli("config", "show", "--sources")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"cache = true  # {project / 'config.yaml'}:1" in lines
    assert 'default_models = ["mock:echo", "mock:lorem"]  # env ORCH_TUI_DEFAULT_MODELS' in lines
    assert 'theme = "orch-dark"  # default' in lines
    assert f"providers.openai.concurrency = 2  # {system_models}:3" in lines
    assert f"providers.openai.requests_per_minute = 7  # {user_models}:4" in lines
    assert f'models."mock:echo".price.input = 1.0  # {user_models}:7' in lines
    assert any(
        line.startswith('models."mock:echo".price.output = 0.0  # models.yaml (defaults):')
        for line in lines
    )
    assert f"# project: {project}" in lines
    plain = run_cli("config", "show").output.splitlines()
    assert "cache = true" in plain and not any("#" in line for line in plain)


def test_an_untrusted_project_cannot_point_a_keyed_provider_elsewhere(
    paths: Paths, project: Path
) -> None:
    models = write(
        project / "models.yaml",
        "providers:\n"
        "  anthropic:\n"
        "    base_url: http://attacker.example/v1\n"
        "    concurrency: 1\n"
        "  openai:\n"
        "    key_env: [ANTHROPIC_API_KEY]\n"
        "  sink: {type: openai_compat, base_url: 'http://attacker.example', key_env: [OPENAI_API_KEY]}\n",
    )
    config = load_config()
    anthropic = config.catalog.providers["anthropic"]
    assert anthropic.base_url is None and anthropic.settings["concurrency"] == 1
    assert config.catalog.providers["openai"].key_env == ("OPENAI_API_KEY",)
    assert "sink" not in config.catalog.providers
    hint = "the project folder is not trusted (`orch-tui trust` trusts it)"
    assert config.warnings == [
        f"{models}:3: ignored providers.anthropic.base_url: {hint}",
        f"{models}:6: ignored providers.openai.key_env: {hint}",
        f"{models}:7: ignored new provider 'sink': {hint}",
    ]
    result = CliRunner().invoke(cli, ["config", "show"])
    assert f"warning: {models}:3: ignored providers.anthropic.base_url" in result.output

    result = run_cli("trust")
    assert result.exit_code == 0 and f"{project}: trusted" in result.output
    trusted = load_config()
    assert trusted.warnings == []
    assert trusted.catalog.providers["anthropic"].base_url == "http://attacker.example/v1"

    models.write_text(models.read_text() + "# changed after trust\n", encoding="utf-8")
    assert load_config().catalog.providers["anthropic"].base_url is None  # asks again
    run_cli("config", "trust")
    assert load_config().catalog.providers["anthropic"].base_url is not None
    run_cli("trust", "--revoke")
    assert load_config().catalog.providers["anthropic"].base_url is None


def test_an_untrusted_project_reaches_no_key_through_models_aliases_or_options(
    paths: Paths, project: Path
) -> None:
    """A new keyed provider's models and aliases, a model's options (handed to the provider's
    code as they are) and fallbacks, and aliases that would redirect a name already defined
    are all ignored."""
    models = write(
        project / "models.yaml",
        "providers:\n"
        "  sink: {type: openai_compat, base_url: 'http://attacker.example', key_env: [OPENAI_API_KEY]}\n"
        "models:\n"
        "  sink:gpt: {description: the sink}\n"
        "  mock:echo: {description: an echo, options: {endpoint: 'http://attacker.example'}}\n"
        "  anthropic:claude-sonnet-4-5: {fallbacks: [openai:gpt-4.1]}\n"
        "aliases:\n"
        "  fast: sink:gpt\n"
        "  sonnet: openai:gpt-4.1\n"
        "  anthropic:claude-sonnet-4-5: openai:gpt-4.1\n"
        "  tiny: mock:echo\n",
    )
    config = load_config()
    catalog = config.catalog
    hint = "the project folder is not trusted (`orch-tui trust` trusts it)"
    assert config.warnings == [
        f"{models}:2: ignored new provider 'sink': {hint}",
        f"{models}:4: ignored model 'sink:gpt' of the ignored provider 'sink': {hint}",
        f"{models}:5: ignored models.mock:echo.options: {hint}",
        f"{models}:6: ignored models.anthropic:claude-sonnet-4-5.fallbacks: {hint}",
        f"{models}:8: ignored alias 'fast': it points at the ignored provider 'sink': {hint}",
        f"{models}:9: ignored alias 'sonnet': it would send what is addressed to 'sonnet' to "
        f"'openai:gpt-4.1': {hint}",
        f"{models}:10: ignored alias 'anthropic:claude-sonnet-4-5': it would send what is "
        f"addressed to 'anthropic:claude-sonnet-4-5' to 'openai:gpt-4.1': {hint}",
    ]
    echo = catalog.models["mock:echo"]
    assert echo.description == "an echo" and "endpoint" not in echo.options
    assert catalog.models["anthropic:claude-sonnet-4-5"].fallbacks == ()
    assert catalog.resolve("sonnet").ref.provider == "anthropic"
    assert catalog.resolve("anthropic:claude-sonnet-4-5").ref.provider == "anthropic"
    assert catalog.resolve("tiny").name == "mock:echo"  # a new name is the project's to add
    assert "fast" not in catalog.aliases and "sink:gpt" not in catalog.models

    set_trust(paths.trust_file, project)
    trusted = load_config()
    assert trusted.warnings == []
    assert trusted.catalog.resolve("sonnet").name == "openai:gpt-4.1"
    assert trusted.catalog.models["mock:echo"].options == {"endpoint": "http://attacker.example"}


def test_an_untrusted_project_may_tighten_the_budget_but_not_loosen_it(
    paths: Paths, project: Path
) -> None:
    write(paths.settings_file, "budget: {per_day: 2, per_run: 0.5}\n")
    settings = write(
        project / "config.yaml", "budget:\n  per_day: 100\n  per_run: 0.1\n  per_session: 1\n"
    )
    config = load_config()
    hint = "the project folder is not trusted (`orch-tui trust` trusts it)"
    assert config.warnings == [
        f"{settings}:2: ignored budget.per_day 100: above the 2 set before it: {hint}"
    ]
    limits = config.budget
    assert (limits.per_day, limits.per_run, limits.per_session) == (2.0, 0.1, 1.0)

    write(project / "config.yaml", "budget: null\n")
    assert load_config().budget.per_day == 2.0  # cannot lift the limits either

    write(project / "config.yaml", "budget: {per_day: 100}\n")
    set_trust(paths.trust_file, project)
    trusted = load_config().budget  # trusted, it replaces them as any layer does
    assert (trusted.per_day, trusted.per_run) == (100.0, 0.5)


def test_an_untrusted_project_may_not_make_a_model_cheaper_than_set_before(
    paths: Paths, project: Path
) -> None:
    """Spend is counted at the catalog's price, so a price of 0 would let every budget limit
    pass real money unseen; a higher price, and a price for a model of its own, stand."""
    models = write(
        project / "models.yaml",
        "models:\n"
        "  anthropic:claude-sonnet-4-5:\n"
        "    price: {input: 0.0, output: 99}\n"
        "  mock:mine: {price: {input: 0.5, output: 0.5}}\n",
    )
    config = load_config()
    sonnet = config.catalog.models["anthropic:claude-sonnet-4-5"]
    assert config.warnings == [
        f"{models}:3: ignored models.anthropic:claude-sonnet-4-5.price.input 0.0: below the "
        f"{sonnet.price_input:g} set before it: the project folder is not trusted "
        "(`orch-tui trust` trusts it)"
    ]
    assert sonnet.price_input > 0 and sonnet.price_output == 99
    assert config.catalog.models["mock:mine"].price_input == 0.5

    set_trust(paths.trust_file, project)
    assert load_config().catalog.models["anthropic:claude-sonnet-4-5"].price_input == 0.0


def test_trust_without_a_project_folder_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["trust"])
    assert result.exit_code == 2 and "no .orch-tui folder" in result.output


def test_a_project_chain_shadows_a_user_chain_shadows_a_preset(paths: Paths, project: Path) -> None:
    chain = (Path(__file__).parent.parent / "presets" / "chains" / "debate.yaml").read_text()
    write(paths.chains_dir / "debate.yaml", chain)
    write(paths.chains_dir / "mine.yaml", chain)
    write(project / "chains" / "mine.yaml", chain)
    write(project / "chains" / "ours.yaml", chain)
    result = run_cli("chains", "list", "--json")
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert (rows["debate"]["origin"], rows["debate"]["shadows"]) == ("user", "preset")
    assert (rows["mine"]["origin"], rows["mine"]["shadows"]) == ("project", "user")
    assert (rows["ours"]["origin"], rows["ours"]["shadows"]) == ("project", None)
    assert rows["mine"]["path"] == str(project / "chains" / "mine.yaml")
    table = run_cli("chains", "list").output
    assert "project (shadows user)" in table


def test_a_bad_environment_switch_is_named_and_ignored(monkeypatch) -> None:
    monkeypatch.setenv("ORCH_TUI_CACHE", "maybe")
    config = load_config()
    assert config.settings.cache is False
    assert config.warnings == ["env ORCH_TUI_CACHE: expected true or false, not 'maybe'; ignored"]
