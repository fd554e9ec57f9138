"""One screen per module; each is registered by name in ``orchestrator_tui.tui.app.SCREENS``."""
