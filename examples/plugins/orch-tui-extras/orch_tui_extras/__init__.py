"""Example orch-tui plugins: one of each kind but providers (see orch-tui-plaintext)."""
