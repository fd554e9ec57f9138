"""Brokers that spread a batch over many workers; Redis Streams is the one built.

Beside ``store``: an I/O adapter implementing the ports in ``core.batch.ports``.
"""
