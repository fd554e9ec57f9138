"""The real app on a pseudo-terminal (80x24) gets a hostile answer: the bytes it writes to its
terminal, while the answer streams into its pane and then in the history's session detail, carry
none of the answer's escape sequences (Textual writes its own; these are the answer's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile import MODEL, PIECES, PseudoTerminal, child_env, cli, injected
from tests.wire.engine import models_yaml
from tests.wire.server import threaded_server

CTRL_O, CTRL_Q, DOWN = "\x0f", "\x11", "\x1b[B"


@pytest.fixture
def app_home(orch_home: Path, paths, write_models) -> Path:  # type: ignore[no-untyped-def]
    paths.settings_file.write_text(f"default_models: [{MODEL}]\n", encoding="utf-8")
    return orch_home


def test_a_hostile_answer_reaches_the_terminal_only_as_symbols(
    app_home: Path, write_models
) -> None:  # type: ignore[no-untyped-def]
    with threaded_server(tokens=PIECES) as server:
        write_models(models_yaml(server.url))
        term = PseudoTerminal(cli(), child_env(app_home), columns=80, lines=24)
        try:
            term.wait_for(lambda s: "every selected model" in s, "the workspace")
            term.wait_for(lambda s: MODEL in s, "the model's pane (the services are open)")
            term.type("be hostile")
            term.wait_for(lambda s: "be hostile" in s, "the prompt typed")
            start = len(term.output)
            term.type("\r")
            term.wait_for(lambda s: "END-OF-ANSWER" in s, "the answer's end", since=start)
            pane = term.output[start:]
            assert injected(pane) == []
            assert "␛]52;c;" in term.screen_text(start)  # shown, as symbols
            detail = len(term.output)
            term.type(CTRL_O)
            term.wait_for(lambda s: "be hostile" in s, "the session in the history", since=detail)
            moved = len(term.output)
            term.type(DOWN)  # from the search box to the list, whose keys the footer then shows
            term.wait_for(lambda s: "Reopen" in s, "the list focused", since=moved)
            term.type("\r")
            term.wait_for(
                lambda s: "▍ Prompt" in s and "NUL␀HERE" in s, "the session detail", since=detail
            )
            assert injected(term.output[detail:]) == []
            term.type(CTRL_Q)
            assert term.finish() == 0
        finally:
            term.close()
