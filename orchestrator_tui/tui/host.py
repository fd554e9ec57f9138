"""The one typed way for screens and their helpers to reach the running app and its services.

Textual types ``node.app`` as any ``App``; every screen of orch-tui runs inside ``OrchApp``, and
this says so once, checked, instead of at each call site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from orchestrator_tui.services import Services
    from orchestrator_tui.tui.app import OrchApp


def orch_app(node: DOMNode) -> OrchApp:
    from orchestrator_tui.tui.app import OrchApp

    app = node.app
    if not isinstance(app, OrchApp):
        raise TypeError(f"{type(node).__name__} runs inside OrchApp, not {type(app).__name__}")
    return app


async def app_services(node: DOMNode) -> Services:
    """The app's services, once they are open (the first paint does not wait for them)."""
    return await orch_app(node).wait_services()
