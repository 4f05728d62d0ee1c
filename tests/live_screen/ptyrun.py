"""Run `hiplevel live` in a real pseudo-terminal and cut what it drew into frames.

The child gets the pty as its controlling terminal (pty.fork), so it sees a real terminal: it
switches it to key-at-a-time mode and draws frames with cursor-home escapes. The reader collects
every byte until the child exits; `keys` are typed when a frame first shows a given text.
"""

from __future__ import annotations

import os
import pty
import re
import select
import sys
from dataclasses import dataclass, field

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FRAME_START = "\x1b[H"  # every live frame starts with cursor home (hiplevel.live_screen.view.CURSOR_HOME)
SAFETY_TIMEOUT_S = 90.0  # only so a hung child cannot hang the suite; not a timing assertion


@dataclass
class Frame:
    """One drawn frame: its lines without escapes, and whether it rang the bell."""

    lines: list[str]
    bell: bool

    def line(self, prefix: str) -> str | None:
        return next((ln for ln in self.lines if ln.startswith(prefix)), None)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class PtyRun:
    output: str
    exit_code: int
    frames: list[Frame] = field(default_factory=list)

    @property
    def tail(self) -> str:
        """What was printed after the last frame (the summary), escapes removed."""
        last = self.output.rsplit(FRAME_START, 1)[-1]
        return ANSI_RE.sub("", last).replace("\r", "")


def frames_of(output: str) -> list[Frame]:
    """Split terminal output at cursor-home escapes into frames."""
    frames = []
    for chunk in output.split(FRAME_START)[1:]:
        text = ANSI_RE.sub("", chunk).replace("\r", "")
        frames.append(Frame([ln for ln in text.split("\n")], "\a" in chunk))
    return frames


def run_in_pty(args: list[str], env: dict[str, str], keys: list[tuple[str, bytes]] = ()) -> PtyRun:
    """Run `python -m hiplevel.cli.main ARGS` in a pseudo-terminal; type keys[i][1] once the output
    contains keys[i][0] (in order). Returns the output and exit code."""
    pid, fd = pty.fork()
    if pid == 0:  # child: exec at once, nothing else after fork
        os.execve(sys.executable, [sys.executable, "-m", "hiplevel.cli.main", *args], env)
    chunks: list[bytes] = []
    pending = list(keys)
    seen = ""
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], SAFETY_TIMEOUT_S)
            if not ready:
                os.kill(pid, 9)
                raise AssertionError("hiplevel live produced no output for a long time:\n" + seen[-2000:])
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal (it exited)
                break
            if not data:
                break
            chunks.append(data)
            if pending:
                seen += data.decode("utf-8", errors="replace")
                while pending and pending[0][0] in ANSI_RE.sub("", seen):
                    os.write(fd, pending.pop(0)[1])
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    output = b"".join(chunks).decode("utf-8", errors="replace")
    return PtyRun(output, os.waitstatus_to_exitcode(status), frames_of(output))
