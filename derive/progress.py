"""What a command tells the user while it works: progress on stderr at three verbosities.

``--quiet`` prints nothing but the result and errors; the default prints one line per unit
of work (a derivation, a file); ``--verbose`` adds every step.  On a terminal the units are
one bar redrawn in place with an ETA; elsewhere (CI logs, pipes) plain lines, never escape
codes.  The one-line summary is the command's result and goes to stdout.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

QUIET, NORMAL, VERBOSE = 0, 1, 2


def _plain(message: str) -> str:
    # step and answer labels carry author LaTeX ($A^\ell$): the terminal gets plain text
    from .emit.text import rich_plain

    return " ".join(rich_plain(message).split())


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """Progress of ``total`` units of work: ``start(name)`` before each, ``detail(msg)`` within."""

    def __init__(self, total: int, *, verbosity: int = NORMAL, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = max(total, 1)
        self.verbosity = verbosity
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.clock = clock
        self.began = clock()
        self.done = 0
        self.name = ""

    def _eta(self) -> str:
        if not self.done:
            return ""
        left = (self.clock() - self.began) / self.done * (self.total - self.done)
        return f" ETA {_clock(left)}"

    def _bar(self) -> str:
        width = 24
        filled = width * self.done // self.total
        return f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {self.name}{self._eta()}\x1b[K"

    def start(self, name: str) -> None:
        """A unit begins (the previous one, if any, is done)."""
        if self.name:
            self.done += 1
        self.name = _plain(name)
        if self.verbosity == QUIET:
            return
        if self.tty and self.verbosity == NORMAL:
            self.stream.write(self._bar())
        else:
            self.stream.write(f"[{self.done + 1}/{self.total}] {self.name}{self._eta()}\n")
        self.stream.flush()

    def detail(self, message: str) -> None:
        """A step within the unit: shown with --verbose only."""
        if self.verbosity >= VERBOSE:
            self.stream.write(f"    {_plain(message)}\n")
            self.stream.flush()

    def note(self, message: str) -> None:
        """Something the user should see unless --quiet (e.g. a skipped backend)."""
        if self.verbosity == QUIET:
            return
        self.clear()
        self.stream.write(_plain(message) + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Remove the bar (before the results are printed)."""
        if self.tty and self.verbosity == NORMAL:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def finish(self) -> float:
        """All units are done; returns the seconds taken."""
        self.clear()
        return self.clock() - self.began


def verbosity(args: object) -> int:
    """The verbosity the common flags ask for."""
    if getattr(args, "quiet", False):
        return QUIET
    return VERBOSE if getattr(args, "verbose", False) else NORMAL
