"""A run-event subscriber: each event as one line of ``$ORCH_TUI_EVENT_LOG`` (when set).

Such a subscriber is how events are shipped elsewhere; orch-tui feeds it off the streaming path.
"""

from __future__ import annotations

import os

from orchestrator_tui.core.events import RunEvent


def log_event(event: RunEvent) -> None:
    path = os.environ.get("ORCH_TUI_EVENT_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{type(event).__name__}\t{getattr(event, 'run_id', '')}\n")
