"""Password hashing with argon2id (``argon2-cffi``), its parameters in the stored hash."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from interlink.domain.errors import InvalidFieldError

#: Shortest password accepted.
MIN_LENGTH = 12
_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile defaults


def use_parameters(*, time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    """Hash new passwords with these argon2id parameters (tests use cheap ones); return the
    hasher used before. Stored hashes carry their parameters, so old ones still verify."""
    global _HASHER
    before = _HASHER
    _HASHER = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return before


def restore(hasher: PasswordHasher) -> None:
    """Go back to a hasher ``use_parameters`` returned."""
    global _HASHER
    _HASHER = hasher


def check_strength(password: str) -> None:
    """``InvalidFieldError`` if ``password`` is too short to be accepted."""
    if len(password) < MIN_LENGTH:
        raise InvalidFieldError("password", "***", f"must be at least {MIN_LENGTH} characters")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted; PHC string format)."""
    check_strength(password)
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (``None``: no password set, never)."""
    if not stored:
        # Spend the same time as a real check so a missing account cannot be told apart.
        _HASHER.hash(password or "x")
        return False
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored)
