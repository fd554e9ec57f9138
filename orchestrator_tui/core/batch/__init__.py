"""Batches: a chain or a multi-model conversation run once per input row.

The engine side only: reading rows, running items through a pool, scoring conversations. Where the
queue lives (the history database, a Redis stream) is behind the ports in ``ports``.
"""
