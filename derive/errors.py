"""The one error type of the tool and the exit codes every command shares."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes (shared/CONVENTIONS.md): the CLI maps every outcome onto one of these."""

    OK = 0  # success / everything verified
    FAILED = 1  # a verdict failed: refuted, or code not verified
    USAGE = 2  # usage or input error
    UNDECIDED = 3  # nothing refuted, something undecided
    MISSING_TOOL = 4  # a required external tool is missing


class DeriveError(Exception):
    """An error the user can act on.  The CLI prints its message on one line, no traceback.

    ``exit_code`` says which of the shared exit codes the CLI returns for it.
    """

    def __init__(self, message: str, exit_code: int = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.exit_code = int(exit_code)


def unknown_name(kind: str, name: str, known: list[str]) -> DeriveError:
    """The error for a name that is not in a table, listing the names that are."""
    listing = ", ".join(sorted(known)) or "(none)"
    return DeriveError(f"unknown {kind} {name!r}; known: {listing}")
