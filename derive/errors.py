"""The one error type of the tool and the exit codes every command shares."""

from __future__ import annotations

import os
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


# The one table from exceptions to what the user sees and the exit code (every command).
# A DeriveError carries its own code; the rest are mapped here so no command can disagree.
def describe(exc: BaseException) -> tuple[str | None, int]:
    """``(message, exit code)`` for an exception that ended a command; message None: silent."""
    if isinstance(exc, DeriveError):
        return str(exc), exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", 130
    if isinstance(exc, BrokenPipeError):
        return None, int(ExitCode.OK)  # `derive list | head`: the reader left, nothing is wrong
    if isinstance(exc, (IsADirectoryError, NotADirectoryError, FileNotFoundError, PermissionError)):
        name = f" {exc.filename!r}" if exc.filename else ""
        return f"cannot use{name}: {exc.strerror or exc}", int(ExitCode.USAGE)
    if isinstance(exc, UnicodeDecodeError):
        return "not a text file (not UTF-8)", int(ExitCode.USAGE)
    if isinstance(exc, OSError):  # disk full, read-only folder: the user's to fix, not a bug
        from .atomic import os_error_message  # atomic imports this module

        name = repr(str(exc.filename)) if exc.filename else "a file"
        return os_error_message(exc, name, "access"), int(ExitCode.USAGE)
    if isinstance(exc, MemoryError):
        return "out of memory", int(ExitCode.FAILED)
    return (f"internal error: {type(exc).__name__}: {exc} (set DERIVE_DEBUG=1 for the traceback)",
            int(ExitCode.FAILED))


EXIT_CODE_TABLE = (
    (ExitCode.OK, "success: everything verified / proved, or the output was written"),
    (ExitCode.FAILED, "a verdict failed (a claim or step refuted, generated code not verified), or an internal error"),
    (ExitCode.USAGE, "usage or input error: bad flag, unknown name, unreadable or binary file, bad output target, "
                     "a file with no claims"),
    (ExitCode.UNDECIDED, "nothing refuted, something undecided (including checks cut by --timeout)"),
    (ExitCode.MISSING_TOOL, "a required external tool is missing (latexmk for --pdf)"),
)
