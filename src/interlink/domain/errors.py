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


class NothingReadError(FormatError):
    """No record of an interchange file could be kept, so nothing was changed: ``count`` bad
    records, the first of them named in ``first``."""

    def __init__(self, location: str, count: int, first: str) -> None:
        problems = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(
            f"nothing could be read, so nothing was changed ({problems}; the first: {first})",
            location,
        )
        self.count = count
        self.first = first


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


class PolicyError(FormatError):
    """A federation policy file does not follow its format; ``field`` names the field (as a
    dotted path such as ``lists[1].disclosure``)."""

    def __init__(self, field: str, reason: str, source: str | None = None) -> None:
        where = f"{source}: " if source else ""
        super().__init__(f"{where}policy field {field}: {reason}")
        self.field = field


class PeerAuthenticationError(AccessDeniedError):
    """A message from a peer is not proven to come from it: a bad or missing signature, an
    unknown or unpinned key, a timestamp outside the window, or a nonce seen before."""

    def __init__(self, peer: str, reason: str) -> None:
        super().__init__(f"message from peer {peer!r} refused: {reason}")
        self.peer = peer
        self.reason = reason


class PolicyRefusalError(AccessDeniedError):
    """What a peer asked for is not allowed by the policy this node holds for it (or the
    policy's daily quota is spent)."""

    def __init__(self, peer: str, what: str, reason: str) -> None:
        super().__init__(f"peer {peer!r} may not {what}: {reason}")
        self.peer = peer
        self.what = what
        self.reason = reason


class AuditKeyError(ConfigurationError):
    """The node's audit signing key cannot be used: missing, readable by others, or not an
    Ed25519 private key."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"audit key {path}: {reason}")
        self.path = path
        self.reason = reason


class EvidencePathInvalidError(InvalidFieldError):
    """An evidence path given to a job is malformed (relative, or holding ``..``)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("evidence path", path, reason)


class EvidencePathNotAllowedError(AccessDeniedError):
    """An evidence path lies outside every root the operator allowed (``INTERLINK_EVIDENCE_ROOTS``),
    directly or through a symbolic link."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"evidence path {path!r}: {reason}")
        self.path = path
        self.reason = reason


class JobCancelledError(InterlinkError):
    """A running job saw that it was asked to stop (raised inside the job, caught by the
    worker that runs it)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} was cancelled")
        self.job_id = job_id


class WorkerBusyError(ConflictError):
    """Another worker already runs the jobs of this embedded store (one worker per SQLite
    store)."""


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
