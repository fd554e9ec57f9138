"""orch-tui: one prompt, many models, side by side."""

__version__ = "0.1.0"
