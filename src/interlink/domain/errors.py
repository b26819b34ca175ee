"""The error hierarchy. Every error Interlink raises on purpose derives from ``InterlinkError``.

Each leaf is narrow and carries the context needed to act on it. Faces map them to exit codes
(``interlink.cli.exit_codes``) and HTTP problems in one place each.
"""

from __future__ import annotations


class InterlinkError(Exception):
    """Root of every error Interlink raises on purpose."""


class ConfigurationError(InterlinkError):
    """A setting is missing or invalid."""


class InvalidSignalError(InterlinkError, ValueError):
    """A hash value does not fit its signal type (wrong length, not hex, unknown type)."""

    def __init__(self, signal_type: str, value: str, reason: str) -> None:
        shown = value if len(value) <= 80 else value[:77] + "..."
        super().__init__(f"invalid {signal_type} value {shown!r}: {reason}")
        self.signal_type = signal_type
        self.value = value
        self.reason = reason


class InvalidFieldError(InterlinkError, ValueError):
    """A field of a record has a value its rules refuse (a country that is not ISO 3166-1
    alpha-2, an IP that is not an address, an empty pseudonym)."""

    def __init__(self, field: str, value: str, reason: str) -> None:
        super().__init__(f"invalid {field} {value!r}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


class UnknownSignalTypeError(InterlinkError, KeyError):
    """No signal type is registered under this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown signal type {name!r}")
        self.name = name

    def __str__(self) -> str:
        return str(self.args[0])


class SourceError(InterlinkError):
    """An evidence source as a whole cannot be opened (one bad item is a ``Problem``, not this)."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason


class EvidenceReadError(InterlinkError, OSError):
    """One item of an exhibit cannot be read, or not to its end.

    ``kind`` is the value of the ``ProblemKind`` the reader records it as (``unreadable``,
    ``corrupt``, ``truncated``, ``archive_bomb``, ...); ``reason`` is the readable message.
    It is an ``OSError`` too, so code that guards reads against I/O errors also catches it.
    """

    def __init__(self, location: str, kind: str, reason: str) -> None:
        super().__init__(f"{location}: {kind}: {reason}")
        self.location = location
        self.kind = kind
        self.reason = reason


class ClosedEntryError(InterlinkError, ValueError):
    """An archive member was opened after its source had moved past it (a caller's mistake)."""

    def __init__(self, location: str) -> None:
        super().__init__(
            f"{location}: archive member is no longer available: open it before asking the "
            "source for the next item"
        )
        self.location = location


class MediaError(InterlinkError):
    """One item cannot be decoded as the media it claims to be."""


class DecodeError(MediaError):
    """The bytes are corrupt, truncated or of an unsupported variant."""


class UnsupportedMediaError(DecodeError):
    """The media is recognised but holds nothing a decoder here supports (a video file with no
    video stream, or a codec with no decoder)."""


class PixelLimitError(MediaError):
    """The image declares more pixels than the configured limit (a decompression bomb)."""

    def __init__(self, pixels: int, limit: int) -> None:
        super().__init__(f"image has {pixels} pixels, over the limit of {limit}")
        self.pixels = pixels
        self.limit = limit


class FormatError(InterlinkError):
    """An interchange file (or one record of it) does not follow its format."""

    def __init__(self, reason: str, position: str | None = None) -> None:
        super().__init__(f"{position}: {reason}" if position else reason)
        self.reason = reason
        self.position = position


class StoreError(InterlinkError):
    """The store failed or refused an operation."""


class NotFoundError(StoreError, LookupError):
    """A named record does not exist."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"no {kind} {key!r}")
        self.kind = kind
        self.key = key


class ConflictError(StoreError):
    """The operation would contradict a record that exists (a duplicate name, say)."""


class TransitionError(ConflictError):
    """A record's status cannot move from ``current`` to ``wanted`` (a victim safeguarded
    before being identified, say)."""

    def __init__(self, record: str, current: str, wanted: str) -> None:
        super().__init__(f"a {record} cannot go from {current} to {wanted}")
        self.record = record
        self.current = current
        self.wanted = wanted


class IndexCorruptError(InterlinkError):
    """A persisted index file is damaged or of another version; rebuild it from the store."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class AccessDeniedError(InterlinkError):
    """The actor may not perform this operation on this record."""


class AuthenticationError(InterlinkError):
    """No valid credentials: a wrong password or second factor, a locked or disabled account,
    an unknown, expired or revoked token or session. The message never says which."""


class RateLimitedError(InterlinkError):
    """Too many requests or attempts from one client; retry after ``retry_after`` seconds."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"too many {what}; retry in {retry_after} s")
        self.what = what
        self.retry_after = retry_after


class TooLargeError(InterlinkError, ValueError):
    """An upload or a batch is larger than the configured limit."""

    def __init__(self, field: str, limit: int, unit: str = "bytes") -> None:
        super().__init__(f"{field} is larger than the limit of {limit} {unit}")
        self.field = field
        self.limit = limit
