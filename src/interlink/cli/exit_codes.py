"""Exit codes of the ``interlink`` command, and the one mapping from errors to them."""

from __future__ import annotations

from enum import IntEnum

from interlink.domain.errors import (
    AccessDeniedError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    EvidenceReadError,
    FormatError,
    IndexCorruptError,
    InterlinkError,
    InvalidFieldError,
    InvalidSignalError,
    NotFoundError,
    RateLimitedError,
    SourceError,
    StoreError,
    TooLargeError,
    UnknownSignalTypeError,
)


class ExitCode(IntEnum):
    """What the process exit status means."""

    OK = 0
    ERROR = 1  # an unexpected failure
    USAGE = 2  # the command line is wrong (click's own code)
    NOT_FOUND = 3  # a named case, list or file does not exist
    INVALID_INPUT = 4  # an input file or value is malformed (or none of its records can be read)
    CONFIGURATION = 5  # a setting is wrong, or the store cannot be reached
    CONFLICT = 6  # the action contradicts what is stored
    DENIED = 7  # the actor may not do this
    SOURCE = 8  # an evidence source cannot be opened at all
    DAMAGED = 9  # stored data failed an integrity check (audit chain, index file)
    UNREADABLE = 10  # a named file or folder cannot be opened as asked (a folder where a file
    # is expected, a file in the way of a folder, no permission)


_MAPPING: tuple[tuple[type[InterlinkError], ExitCode], ...] = (
    (NotFoundError, ExitCode.NOT_FOUND),
    (ConflictError, ExitCode.CONFLICT),
    (StoreError, ExitCode.CONFIGURATION),
    (FormatError, ExitCode.INVALID_INPUT),
    (InvalidSignalError, ExitCode.INVALID_INPUT),
    (InvalidFieldError, ExitCode.INVALID_INPUT),
    (UnknownSignalTypeError, ExitCode.INVALID_INPUT),
    (ConfigurationError, ExitCode.CONFIGURATION),
    (AccessDeniedError, ExitCode.DENIED),
    (AuthenticationError, ExitCode.DENIED),
    (RateLimitedError, ExitCode.DENIED),
    (TooLargeError, ExitCode.INVALID_INPUT),
    (SourceError, ExitCode.SOURCE),
    (EvidenceReadError, ExitCode.UNREADABLE),
    (IndexCorruptError, ExitCode.DAMAGED),
)


def exit_code_for(error: InterlinkError | OSError) -> ExitCode:
    """The exit code for an error (the most specific mapping wins). An ``OSError`` is a file
    or folder the user named: ``NOT_FOUND`` when it is not there, else ``UNREADABLE``."""
    if not isinstance(error, InterlinkError):
        return ExitCode.NOT_FOUND if isinstance(error, FileNotFoundError) else ExitCode.UNREADABLE
    for kind, code in _MAPPING:
        if isinstance(error, kind):
            return code
    return ExitCode.ERROR
