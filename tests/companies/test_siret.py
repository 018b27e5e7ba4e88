"""SIRET keys: the Luhn check, by properties and on known numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.companies.siret import check_siret, luhn_valid, siret_valid
from tremplin.errors import InputError

digits = st.text(alphabet="0123456789", min_size=13, max_size=13)


def _with_key(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


@given(digits)
def test_exactly_one_key_digit_completes_thirteen_digits(body: str) -> None:
    assert sum(luhn_valid(body + d) for d in "0123456789") == 1


@given(digits, st.integers(0, 13), st.integers(1, 9))
def test_changing_one_digit_breaks_the_key(body: str, position: int, shift: int) -> None:
    siret = _with_key(body)
    changed = siret[:position] + str((int(siret[position]) + shift) % 10) + siret[position + 1 :]
    assert not luhn_valid(changed)
    if not changed.startswith("356000000"):
        with pytest.raises(InputError, match="clé de contrôle"):
            check_siret(changed)


@given(digits, st.integers(0, 12))
def test_swapping_two_different_neighbours_breaks_the_key(body: str, position: int) -> None:
    siret = _with_key(body)
    a, b = siret[position], siret[position + 1]
    swapped = siret[:position] + b + a + siret[position + 2 :]
    # Luhn misses only the swap of 0 and 9.
    if a != b and {a, b} != {"0", "9"}:
        assert not luhn_valid(swapped)


@given(digits)
def test_a_valid_siret_is_accepted_with_spaces(body: str) -> None:
    siret = _with_key(body)
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    assert check_siret(spaced) == siret


def test_known_sirets() -> None:
    # Valid keys, one of them under La Poste's SIREN; a changed last digit is refused.
    assert siret_valid("12000101100010")
    assert siret_valid("35600000000048")
    assert not siret_valid("12000101100011")
    with pytest.raises(InputError, match="14 chiffres"):
        check_siret("1234")
