"""A hostile answer, served by the wire server, and a pseudo-terminal that keeps every byte a program
writes to it: what a person's terminal would receive and act on."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

LONG_LINE = ("long line " * 20_000)[:200_000]
HOSTILE = (
    "Intro. ",
    "\x1b]52;c;SE9TVElMRS1CRUw=\x07",  # OSC 52: set the clipboard (BEL-terminated)
    "\x1b]52;c;SE9TVElMRS1TVA==\x1b\\",  # the same, ST-terminated
    "\x1b]0;PWNED-TITLE\x07",  # OSC 0: the window title
    "\x1b]8;;file:///etc/passwd\x1b\\click me\x1b]8;;\x1b\\",  # OSC 8: a hyperlink
    "\n\n[a link](smb://evil.example/share) in Markdown.\n\n",  # a hyperlink, were it drawn as one
    "WIPE-NEXT\x1b[2J",  # the screen wiped
    "\x1b[31mRED-SGR\x1b[0m ",  # colours
    "C1-NEXT\x9b2J \x9d0;C1-TITLE\x9c ",  # 8-bit CSI, OSC and ST
    "NUL\x00HERE ",
    "LONE\ud83dSURROGATE\n\n",  # valid JSON ("\ud83d"), but no UTF-8 terminal can take it
)
PIECES = (*HOSTILE, LONG_LINE, "\n\n", *HOSTILE, "END-OF-ANSWER")
"""The deltas of the answer: its hostile part is at both ends, so whichever end is in view (the
start in the history, the tail in a pane following the stream) shows it."""
ANSWER = "".join(PIECES).replace("\ud83d", "\ufffd")
"""The answer as the program keeps it: the lone surrogate replaced where it entered."""
SEQUENCES = (
    b"\x1b]52",
    b"\x1b]0;PWNED",
    b"\x1b]8;;file:",
    b"WIPE-NEXT\x1b[2J",
    b"\x1b[31mRED-SGR",
    "\x9b".encode(),
    "\x9d".encode(),
    "\x9c".encode(),
    b"\x00",
)
"""What the answer would make a terminal do: none of it may be among the bytes written."""
MODEL = "openai:gpt-4.1-mini"
_ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def injected(output: bytes) -> list[bytes]:
    """The answer's escape sequences found in ``output`` (C1 controls decoded as UTF-8)."""
    found = [sequence for sequence in SEQUENCES if sequence in output]
    text = output.decode("utf-8", errors="replace")
    found += [c.encode() for c in sorted(set(re.findall("[\x80-\x9f]", text)))]
    return found


def child_env(home: Path, **extra: str) -> dict[str, str]:
    """A terminal program's environment: its own home, a key for the wire server, no real keyring."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(
        ORCH_TUI_HOME=str(home),
        TERM="xterm-256color",
        OPENAI_API_KEY="sk-wire-test",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        **extra,
    )
    return env


class PseudoTerminal:
    """``argv`` on a pseudo-terminal of ``columns`` x ``lines``; ``output`` is every byte written."""

    def __init__(self, argv: list[str], env: dict[str, str], columns: int = 80, lines: int = 24):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a terminal on every standard stream, like a person's
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.output = b""
        self.status: int | None = None

    def read(self, seconds: float) -> bool:
        """Read what comes within ``seconds``; False once the program closed the terminal."""
        if select.select([self.fd], [], [], seconds)[0]:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                return False
            self.output += chunk
        return True

    def wait_for(
        self, seen: Callable[[str], bool], what: str, since: int = 0, limit: float = 90
    ) -> None:
        """Read until ``seen`` holds for the text written after byte ``since`` (escapes removed);
        the limit only stops a hung program from hanging the suite."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if seen(self.screen_text(since)):
                return
            if not self.read(0.05):
                break
        raise AssertionError(
            f"never saw {what}; the last output was:\n{self.screen_text()[-2000:]}"
        )

    def screen_text(self, since: int = 0) -> str:
        """What was written, without escape sequences: the words a person saw, in order."""
        text = _ESCAPES.sub(b"", self.output[since:])
        return text.decode("utf-8", errors="replace")

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def finish(self, limit: float = 120) -> int:
        """Read until the program exits; its exit status."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and self.read(0.05):
            pass
        return self.close()

    def close(self, grace: float = 10) -> int:
        """The exit status; a program still running after ``grace`` seconds is killed."""
        if self.status is None:
            deadline = time.monotonic() + grace
            done, status = os.waitpid(self.pid, os.WNOHANG)
            while not done and time.monotonic() < deadline:
                time.sleep(0.05)
                done, status = os.waitpid(self.pid, os.WNOHANG)
            if not done:
                os.kill(self.pid, signal.SIGKILL)
                done, status = os.waitpid(self.pid, 0)
            os.close(self.fd)
            self.status = os.waitstatus_to_exitcode(status)
        return self.status


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestrator_tui", *args]
