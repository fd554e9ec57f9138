"""Telling a session's live writer from a dead one whose pid was reused or not yet reaped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from orchestrator_tui.store.writer import is_running, this_process


def child() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rfind(")") + 2 :].split()


def start_of(pid: int) -> int:
    return int(stat(pid)[19])


def test_this_process_is_its_own_live_writer() -> None:
    pid, start = this_process()
    assert pid == os.getpid() and start is not None
    assert is_running(pid, start)


def test_a_session_of_an_earlier_process_with_our_pid_is_dead() -> None:
    pid, start = this_process()
    assert start is not None
    assert not is_running(pid, start - 1)
    assert not is_running(pid, None)


def test_a_running_writer_is_alive_and_a_reused_pid_is_not_taken_for_it() -> None:
    process = child()
    try:
        start = start_of(process.pid)
        assert is_running(process.pid, start)
        assert not is_running(process.pid, start - 5)  # the same id, another process
    finally:
        process.kill()
        process.wait()


def test_a_killed_writer_not_yet_reaped_is_dead() -> None:
    process = child()
    start = start_of(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    try:
        while stat(process.pid)[0] != "Z":
            pass  # the kernel finishes the kill; the parent has not waited yet
        assert not is_running(process.pid, start)
    finally:
        process.wait()
    assert not is_running(process.pid, start)


def test_a_forked_child_is_its_own_writer() -> None:
    this_process()  # read in the parent first
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        own = this_process() == (os.getpid(), start_of(os.getpid()))
        os.write(write, b"own" if own else b"parent's")
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 16) == b"own"
