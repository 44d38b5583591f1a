"""Stage 7, *judge* (results): what judging returns — a verdict per link of a chain
(:class:`LinkResult`), per statement (:class:`ClaimResult`) — and the options a run is judged with.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LinkResult:
    lhs: str
    op: str
    rhs: str
    status: str
    scope: str
    counterexample: dict[str, Any] | None = None
    reason: str | None = None


@dataclass
class ClaimResult:
    """The verdict on one claim (a statement in a math span) of a document."""

    file: str
    line: int
    latex: str
    status: str
    scope: str
    counterexample: dict[str, Any] | None = None
    reason: str | None = None
    column: int | None = None
    links: list[LinkResult] = field(default_factory=list)
    condition: str | None = None
    seconds: float = 0.0
    role: str = "claim"
    role_reason: str = ""
    section: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {
            "file": self.file, "line": self.line, "latex": self.latex, "status": self.status,
            "scope": self.scope, "counterexample": self.counterexample, "reason": self.reason,
            "links": [dataclasses.asdict(l) for l in self.links],
            "seconds": round(self.seconds, 3), "role": self.role, "role_reason": self.role_reason,
            "section": self.section,
        }
        if self.condition:
            out["condition"] = self.condition
        if self.column is not None:
            out["column"] = self.column
        return out


@dataclass
class Options:
    timeout: float = 10.0
    seed: int = 0
    instances: int = 10
    dps: int = 50
    # with no problem named: judge each statement under the registered problem whose notation
    # it uses (a hand solution covers several problems), generic identities otherwise
    auto_problem: bool = True
    deadline: float | None = None  # time.monotonic() when the file's budget ends (derive.budget)
    # the layout of Jacobians the document states: "numerator" (a row per output), "denominator"
    # (a column per output), or None (not stated)
    layout: str | None = None
    # the prose says a scalar's gradient has the shape of its variable (the gradient layout)
    gradient_shaped: bool = False
    lanes: int | None = None  # worker processes judging at once (None: one per core, see lanes.py)
