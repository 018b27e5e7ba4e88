"""A run's parameters from JSON: checked field by field, in French, naming the field."""

from __future__ import annotations

import pytest

from tremplin.errors import InputError
from tremplin.planning.carte import territory_column
from tremplin.planning.optimisation import settings_from
from tremplin.planning.optimiser import Lock


def test_parameters_become_settings() -> None:
    s = settings_from(
        {
            "territoire": "84",
            "perimetre": "tous",
            "budget_places": 12,
            "poids_besoins": 2,
            "verrous": [{"uai": "0010001w", "mef_stat_11": " 23810020008 ", "places_apres": 75}],
            "interdits": [{"uai": "0010016M", "mef_stat_11": "23810020008"}],
        }
    )
    assert (s.perimetre, s.budget_places, s.poids_besoins) == ("tous", 12, 2.0)
    assert s.verrous == (Lock("0010001W", "23810020008", "scolaire", 75),)
    assert s.interdits == (Lock("0010016M", "23810020008", "scolaire", None),)


@pytest.mark.parametrize(
    ("parameters", "where", "message"),
    [
        ({"budget": 3}, "budget", "paramètre inconnu : budget"),
        ({"budget_places": 1.5}, "budget_places", "« budget_places » doit être un nombre entier"),
        ({"poids_jeunes": "beaucoup"}, "poids_jeunes", "« poids_jeunes » doit être un nombre"),
        ({"poids_jeunes": -1}, "poids_jeunes", "poids_jeunes doit être un nombre positif"),
        ({"perimetre": "mer"}, "perimetre", "périmètre inconnu : mer"),
        ({"verrous": {"uai": "x"}}, "verrous", "« verrous » doit être une liste"),
        ({"verrous": [{"uai": "x"}]}, "verrous[1]", "« uai » et « mef_stat_11 » sont obligatoires"),
        (
            {"verrous": [{"uai": "x", "mef_stat_11": "y", "places_apres": -2}]},
            "verrous[1].places_apres",
            "« places_apres » doit être un entier positif",
        ),
    ],
)
def test_bad_parameters_name_the_field(
    parameters: dict[str, object], where: str, message: str
) -> None:
    with pytest.raises(InputError) as error:
        settings_from(parameters)
    assert error.value.where == (where,)
    assert message in str(error.value)


def test_territories() -> None:
    assert territory_column("84") == ("code_region", "84")
    assert territory_column("departement:69") == ("code_departement", "69")
    with pytest.raises(InputError):
        territory_column("bassin:1")
