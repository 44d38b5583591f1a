"""A TA's overrides (TOML), read on every run and never written by ``derive grade``.

::

    [alice]
    "1a" = 2.5                      # this part's points, whatever the checker found

    [alice.lines]
    "solution.md:12" = "verified"   # this line's verdict (FILE:LINE, or LINE for a one-file submission)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DeriveError

VERDICTS = ("proved", "verified", "refuted", "undecided")


@dataclass
class StudentOverrides:
    points: dict[str, float] = field(default_factory=dict)
    lines: dict[str, str] = field(default_factory=dict)

    def line_status(self, file: str, line: int) -> str | None:
        return self.lines.get(f"{file}:{line}") or self.lines.get(str(line))


def load_overrides(path: Path) -> dict[str, StudentOverrides]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DeriveError(f"cannot read overrides {str(path)!r}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise DeriveError(f"overrides {str(path)!r}: {exc}") from None
    out: dict[str, StudentOverrides] = {}
    for student, table in data.items():
        if not isinstance(table, dict):
            raise DeriveError(f"overrides: [{student}] must be a table")
        ov = StudentOverrides()
        for key, value in table.items():
            if key == "lines":
                if not isinstance(value, dict):
                    raise DeriveError(f"overrides: [{student}.lines] must be a table")
                for where, verdict in value.items():
                    if verdict not in VERDICTS:
                        raise DeriveError(f"overrides: {student} line {where}: verdict must be one of "
                                          f"{', '.join(VERDICTS)}")
                    ov.lines[str(where)] = verdict
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                ov.points[str(key).lower()] = float(value)
            else:
                raise DeriveError(f"overrides: {student}.{key} must be points (a number >= 0) or a [lines] table")
        out[str(student)] = ov
    return out
