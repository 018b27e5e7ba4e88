"""Territory references « maille:code » are parsed in one place."""

from __future__ import annotations

import pytest

from tremplin.errors import InputError
from tremplin.referentials.territory_ref import TerritoryRef


def test_parse_and_print_round_trip() -> None:
    ref = TerritoryRef.parse(" Region : 84 ")
    assert ref == TerritoryRef("region", "84")
    assert str(ref) == "region:84"
    assert TerritoryRef.parse(str(ref)) == ref


@pytest.mark.parametrize("text", ["84", "region:", "canton:12", ":84", ""])
def test_bad_reference_is_a_french_input_error(text: str) -> None:
    with pytest.raises(InputError) as error:
        TerritoryRef.parse(text)
    assert f"territoire « {text} » invalide" in str(error.value)
    assert "attendu : maille:code" in str(error.value)


def test_allowed_mailles_and_wording_are_the_callers() -> None:
    with pytest.raises(InputError, match="attendu : region:CODE ou france"):
        TerritoryRef.parse("bassin:1", mailles=("region",), expected="region:CODE ou france")
