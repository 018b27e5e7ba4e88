"""Password hashes: argon2id, with a cost tuned so that one check takes 20–100 ms.

The parameters (3 passes over 19 MiB, one lane) cost about 35 ms per check on the project's
2-core machines (``benchmarks/passwords.py`` prints it): slow enough that a stolen table of hashes
resists guessing, fast enough for a login. A hash made with older parameters is rehashed at the
next successful login (:func:`needs_rehash`).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tremplin.errors import InputError

TIME_COST = 3
MEMORY_COST_KIB = 19_456
PARALLELISM = 1
MIN_LENGTH = 12
"""The shortest password accepted (ANSSI's advice for a password alone)."""
MAX_LENGTH = 1_024
"""The longest: hashing a megabyte of « password » is work nobody needs to ask for."""

_HASHER = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)


@cache
def _dummy() -> str:
    """A hash to check when there is none, made at the first such check rather than at import:
    every command importing the accounts (the diagnostic reads companies' needs) paid for it."""
    return _HASHER.hash("tremplin: an account that does not exist")


def check_strength(password: str) -> None:
    """Raise :class:`InputError` (French) for a password too short or too long."""
    if len(password) < MIN_LENGTH:
        raise InputError(
            "mot de passe trop court",
            where=["mot de passe"],
            expected=f"au moins {MIN_LENGTH} caractères",
        )
    if len(password) > MAX_LENGTH:
        raise InputError(
            "mot de passe trop long",
            where=["mot de passe"],
            expected=f"au plus {MAX_LENGTH} caractères",
        )


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (checked by :func:`check_strength` first)."""
    check_strength(password)
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the hash ``stored``.

    With no hash (an unknown e-mail, an anonymised account) a dummy hash is checked anyway, so
    that the answer takes as long whether the account exists or not.
    """
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored or _dummy(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with other parameters than today's."""
    return _HASHER.check_needs_rehash(stored)
