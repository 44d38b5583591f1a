"""Time budgets of a check: per claim, per file and per run, and a record of what was cut.

A course-scale run must be bounded by its inputs' count, not by what they contain: the
per-claim limit alone makes a file cost claims x limit.  So each file also gets a budget
(``--file-timeout``, by default FILE_MULTIPLE times the per-claim limit, at most FILE_CAP
seconds) and the run one (``--run-timeout``, unlimited by default).  Whatever a budget cuts
is reported per file (``Cut``), never dropped silently.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from . import options

FILE_MULTIPLE = 20  # a file may take as long as 20 claims at their full limit ...
FILE_CAP = 300.0  # ... but never more than 5 minutes unless --file-timeout says so


def default_file_timeout(claim: float) -> float:
    """The documented default file budget for a per-claim limit of ``claim`` seconds: 20
    claims' worth, capped at 300 s, and never less than one claim's limit."""
    return max(claim, min(FILE_MULTIPLE * claim, FILE_CAP))


@dataclass(frozen=True)
class Budget:
    """Seconds per claim, per file and per run (``run=None``: unlimited); validated."""

    claim: float = 10.0
    file: float | None = None
    run: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "claim", options.seconds(self.claim, "--timeout"))
        file = default_file_timeout(self.claim) if self.file is None else options.seconds(self.file, "--file-timeout")
        object.__setattr__(self, "file", file)
        if self.run is not None:
            object.__setattr__(self, "run", options.seconds(self.run, "--run-timeout"))

    def to_json(self) -> dict[str, Any]:
        return {"claim": self.claim, "file": self.file, "run": self.run}


NOT_JUDGED = "not judged"  # the reason of every claim a budget cut starts with this


def unjudged(why: str) -> dict[str, Any]:
    """The verdict of a claim a budget cut (``why``: e.g. "the file budget of 60 s was spent"),
    in the form the judge's results take."""
    return {"status": "undecided", "scope": f"undecided: {NOT_JUDGED} ({why})", "reason": f"{NOT_JUDGED}: {why}",
            "links": [], "counterexample": None}


@dataclass
class Cut:
    """One file whose claims were not all judged: why (a budget spent, the worker's memory
    limit, a dead worker) and how many claims went unjudged."""

    file: str
    cause: str  # "file budget", "run budget", "memory limit" or "worker died"
    detail: str  # e.g. "60 s", or the worker's last words
    claims_cut: int
    claims_total: int

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "cause": self.cause, "detail": self.detail,
                "claims_cut": self.claims_cut, "claims_total": self.claims_total}

    def message(self) -> str:
        return (f"{self.file}: {self.claims_cut} of {self.claims_total} claims not judged "
                f"({self.cause}: {self.detail})")


@dataclass
class Clock:
    """A running budget: how long the current file and the run may still take."""

    budget: Budget
    started: float = field(default_factory=time.monotonic)
    file_started: float | None = None
    cuts: list[Cut] = field(default_factory=list)

    def start_file(self) -> None:
        self.file_started = time.monotonic()

    def run_left(self) -> float:
        if self.budget.run is None:
            return float("inf")
        return self.budget.run - (time.monotonic() - self.started)

    def _file_spent(self) -> float:
        return 0.0 if self.file_started is None else time.monotonic() - self.file_started

    def file_left(self) -> float:
        """Seconds the current file may still take (the smaller of its budget and the run's)."""
        return min(float(self.budget.file or 0.0) - self._file_spent(), self.run_left())

    def binding(self) -> str:
        """Which budget limits the current file now: "file" or "run"."""
        return "run" if self.run_left() < float(self.budget.file or 0.0) - self._file_spent() else "file"

    def claim_limit(self) -> float:
        """The per-claim limit, no longer than the file may still take."""
        return max(0.05, min(self.budget.claim, self.file_left()))

    def cut(self, file: str, cause: str, claims_cut: int, claims_total: int, detail: str = "") -> Cut:
        if not detail:
            detail = f"{self.budget.run if cause == 'run budget' else self.budget.file:g} s"
        entry = Cut(file, cause, detail, claims_cut, claims_total)
        self.cuts.append(entry)
        return entry
