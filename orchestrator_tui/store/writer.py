"""Which process writes a session: its id and its start time, so a reused id is never taken for it.

A session stays ``active`` while its writer runs; the next program to open the history marks it
``interrupted`` once the writer is gone. "A process with that id exists" is not enough: a killed
process lingers as a zombie until its parent reaps it, and ids are reused. On Linux the start time
in ``/proc/<pid>/stat`` (clock ticks after boot) tells the writer from any later process with its
id; elsewhere only the id can be checked.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

_PROC = Path("/proc")


def this_process() -> tuple[int, int | None]:
    """``(pid, start)`` of the running process, as stored with the sessions it writes (read once
    per process: a forked child reads its own)."""
    return _identity(os.getpid())


@functools.cache
def _identity(pid: int) -> tuple[int, int | None]:
    return pid, _stat(pid)[1] if _PROC.is_dir() else None


def is_running(pid: int | None, start: int | None) -> bool:
    """Whether the process that wrote ``(pid, start)`` still runs."""
    if not pid:
        return False
    if (pid, start) == this_process():
        return start is not None  # without a start time, our own id can only be a reused one
    if pid == os.getpid():
        return False
    if _PROC.is_dir():
        state, started = _stat(pid)
        if state is None or state in "ZXx":  # gone, or dead and waiting to be reaped
            return False
        return start is None or started == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stat(pid: int) -> tuple[str | None, int | None]:
    """The state letter and start time of ``pid`` from ``/proc``; ``(None, None)`` if it is gone."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None, None
    fields = text[text.rfind(")") + 2 :].split()  # the name in parentheses may hold spaces
    return fields[0], int(fields[19])
