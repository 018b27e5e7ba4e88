"""Passwords: argon2id with the tuned parameters, strength checked, unknown accounts checked
against a dummy hash."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters
from argon2.low_level import Type

from tremplin.accounts.passwords import (
    MEMORY_COST_KIB,
    MIN_LENGTH,
    TIME_COST,
    hash_password,
    needs_rehash,
    verify_password,
)
from tremplin.errors import InputError


def test_a_hash_is_argon2id_with_the_tuned_cost_and_checks_its_password() -> None:
    stored = hash_password("correct cheval pile agrafe")
    parameters = extract_parameters(stored)
    assert parameters.type is Type.ID
    assert (parameters.time_cost, parameters.memory_cost) == (TIME_COST, MEMORY_COST_KIB)
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct cheval pile agrafe")
    assert not verify_password(stored, "correct cheval pile agrafE")
    assert not needs_rehash(stored)


def test_two_hashes_of_one_password_differ() -> None:
    assert hash_password("un mot de passe assez long") != hash_password(
        "un mot de passe assez long"
    )


def test_no_hash_never_matches() -> None:
    assert not verify_password(None, "tremplin: an account that does not exist")
    assert not verify_password("pas un hash", "x" * MIN_LENGTH)


def test_an_old_hash_is_rehashed() -> None:
    from argon2 import PasswordHasher

    older = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("x" * 12)
    assert verify_password(older, "x" * 12) and needs_rehash(older)


@pytest.mark.parametrize("password, reason", [("court", "trop court"), ("x" * 2000, "trop long")])
def test_weak_passwords_are_refused_in_french(password: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        hash_password(password)
