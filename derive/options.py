"""Validation of numeric options, in one place, for every command.

Each checker is an argparse ``type=`` (a bad value is a usage error, exit 2, before any
work or any certificate is written) and is callable from code that takes the same settings
as keyword arguments (``check_paths``), raising :class:`DeriveError` there.
"""

from __future__ import annotations

import argparse
import math
from typing import Callable

from .errors import DeriveError

MIN_DPS = 15  # below double precision the 50-digit references would be weaker than float64
MAX_DPS = 1000
MAX_SECONDS = 7 * 24 * 3600.0  # finite; a week bounds every timeout


def _number(value: object, kind: Callable[[str], float | int], what: str) -> float | int:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if kind is int and not isinstance(value, int):
            raise DeriveError(f"{what} must be an integer, not {value!r}")
        return value
    try:
        return kind(str(value).strip())
    except ValueError:
        raise DeriveError(f"{what} must be a number, not {str(value)[:40]!r}") from None


def seconds(value: object, what: str = "--timeout", cap: float = MAX_SECONDS) -> float:
    """A positive, finite number of seconds (``nan``, ``inf`` and 0 are refused)."""
    v = float(_number(value, float, what))
    if not math.isfinite(v) or v <= 0:
        raise DeriveError(f"{what} must be a positive finite number of seconds, not {value!r}")
    if v > cap:
        raise DeriveError(f"{what} must be at most {cap:g} s, not {v:g}")
    return v


def count(value: object, what: str = "--instances", low: int = 1, high: int = 10_000) -> int:
    """An integer in ``low..high``."""
    v = _number(value, int, what)
    if not isinstance(v, int) or not low <= v <= high:
        raise DeriveError(f"{what} must be an integer in {low}..{high}, not {value!r}")
    return v


def dps(value: object, what: str = "--dps") -> int:
    """mpmath working digits: at least 15 (double precision), at most 1000."""
    return count(value, what, MIN_DPS, MAX_DPS)


def argtype(check: Callable[..., object], *args: object, **kwargs: object) -> Callable[[str], object]:
    """``check`` as an argparse ``type=``: its message becomes the usage error."""

    def parse(text: str) -> object:
        try:
            return check(text, *args, **kwargs)
        except DeriveError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = getattr(check, "__name__", "value")  # argparse names the type in its message
    return parse
