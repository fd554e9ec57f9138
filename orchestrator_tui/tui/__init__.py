"""The Textual front end: ``OrchApp`` and its screens and widgets (imported only when the TUI runs)."""
