"""The rubric (TOML): points per part, for the answer and for the steps, deductions.

::

    [default]                 # every part not listed below
    answer = 1.0              # points for a correct final answer
    steps = 0.0               # points for the working
    deduction = 0.5           # taken from the steps per refuted step ...
    cap = 1.0                 # ... at most this much per part (default: all of `steps`)
    undecided = "visible"     # how lines that need a human look are shown: visible | hidden

    [parts."1a"]
    answer = 2
    steps = 1

Without a rubric: one point per part, all for the answer.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import DeriveError

_KEYS = {"answer", "steps", "deduction", "cap", "undecided"}


@dataclass(frozen=True)
class PartRubric:
    answer: float = 1.0
    steps: float = 0.0
    deduction: float = 0.0
    cap: float | None = None
    undecided: str = "visible"

    @property
    def points(self) -> float:
        return self.answer + self.steps

    @property
    def max_deduction(self) -> float:
        return self.steps if self.cap is None else min(self.cap, self.steps)


@dataclass(frozen=True)
class Rubric:
    default: PartRubric
    parts: dict[str, PartRubric]
    text: str = ""  # the file as read (part of the cache key)

    def for_part(self, label: str) -> PartRubric:
        return self.parts.get(label, self.default)


def _part(table: object, where: str, base: PartRubric) -> PartRubric:
    if not isinstance(table, dict):
        raise DeriveError(f"rubric: {where} must be a table")
    unknown = set(table) - _KEYS
    if unknown:
        raise DeriveError(f"rubric: {where} has unknown key {sorted(unknown)[0]!r}; known: {', '.join(sorted(_KEYS))}")
    values = {}
    for key in ("answer", "steps", "deduction", "cap"):
        if key in table:
            v = table[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise DeriveError(f"rubric: {where}.{key} must be a number >= 0")
            values[key] = float(v)
    if "undecided" in table:
        if table["undecided"] not in ("visible", "hidden"):
            raise DeriveError(f"rubric: {where}.undecided must be \"visible\" or \"hidden\"")
        values["undecided"] = table["undecided"]
    merged = {**base.__dict__, **values}
    return PartRubric(**merged)


def load_rubric(path: str | None) -> Rubric:
    if path is None:
        return Rubric(PartRubric(), {})
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DeriveError(f"cannot read rubric {path!r}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeriveError(f"rubric {path!r}: {exc}") from None
    unknown = set(data) - {"default", "parts"}
    if unknown:
        raise DeriveError(f"rubric {path!r}: unknown table {sorted(unknown)[0]!r} (use [default] and [parts.\"1a\"])")
    default = _part(data.get("default", {}), "[default]", PartRubric())
    parts_table = data.get("parts", {})
    if not isinstance(parts_table, dict):
        raise DeriveError("rubric: [parts] must be a table")
    parts = {str(k).lower(): _part(v, f"[parts.{k!r}]", default) for k, v in parts_table.items()}
    return Rubric(default, parts, text)
