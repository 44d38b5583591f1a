"""Verdicts: the outcome of checking one claim, with its scope stated honestly."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

PROVED, VERIFIED, REFUTED, UNDECIDED = "proved", "verified", "refuted", "undecided"
STATUSES = (PROVED, VERIFIED, REFUTED, UNDECIDED)
# statuses of statements that are not judged (derive check, schema derive-check/2): a definition is
# `defined` (or `inconsistent` with an earlier one), a hypothesis `assumed`
DEFINED, ASSUMED, INCONSISTENT = "defined", "assumed", "inconsistent"
STATEMENT_STATUSES = STATUSES + (DEFINED, ASSUMED, INCONSISTENT)


@dataclass(frozen=True)
class Verdict:
    """Outcome of a check.

    ``status`` is one of proved (SymPy showed it for the symbolic case), verified (held on
    ``instances`` random instances at ``dps`` digits, largest relative difference
    ``max_rel_diff``), refuted (``counterexample`` shows it fails) or undecided (``reason``).
    ``scope`` says the same in one sentence.
    """

    status: str
    scope: str
    claim: str = ""
    instances: int = 0
    dps: int = 0
    max_rel_diff: float | None = None
    counterexample: dict[str, Any] | None = None
    reason: str | None = None
    method: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown verdict status {self.status!r}")

    @property
    def ok(self) -> bool:
        return self.status in (PROVED, VERIFIED)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, "")}

    def __str__(self) -> str:
        text = f"{self.status}: {self.scope}"
        if self.reason and self.reason not in self.scope:
            text += f" ({self.reason})"
        return text

    def _repr_latex_(self) -> str:
        from .emit.latex import verdict_latex

        return f"$\\displaystyle {verdict_latex(self)}$"


def combine_statuses(statuses: Iterable[str]) -> str:
    """The overall status of several: refuted > undecided > verified > proved."""
    seen = set(statuses)
    for status in (REFUTED, UNDECIDED, VERIFIED):
        if status in seen:
            return status
    return PROVED


def combine(verdicts: list[Verdict]) -> str:
    """The overall status of several verdicts (see :func:`combine_statuses`)."""
    return combine_statuses(v.status for v in verdicts)


def dumps(obj: Any) -> str:
    """Deterministic JSON (sorted keys) so the same seed gives byte-identical output."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
