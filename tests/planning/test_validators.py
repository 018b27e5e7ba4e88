"""The validators: each refusal names the field and the rule (an opening starts at 0 places, a
closing ends at 0, a decrease lowers the total, one request per UAI × formation × rentrée…),
and a request built to follow the rules passes them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.planning.samples import FIELDS
from tremplin.errors import InputError
from tremplin.planning.validators import (
    RequestFields,
    RequestRefused,
    from_mapping,
    problems,
    validate,
)


def _fields(request: RequestFields) -> set[str]:
    return {p.field for p in problems(request)}


def test_a_sound_request_passes() -> None:
    assert problems(FIELDS) == []
    validate(FIELDS)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"type": "ouverture_nette"}, "capacite_scolaire_avant", "part de 0 place"),
        ({"type": "fermeture"}, "capacite_scolaire_apres", "finit à 0 place"),
        ({"type": "diminution"}, "capacite_scolaire_apres", "baisse le nombre total"),
        ({"capacite_scolaire_apres": 10}, "capacite_scolaire_apres", "accroît le nombre total"),
        ({"uai": "001001W"}, "uai", "7 chiffres"),
        ({"mef_stat_11": "2402"}, "mef_stat_11", "11 chiffres"),
        ({"motifs": ()}, "motifs", "au moins un motif"),
        ({"motifs": ("autre",)}, "autre_motif", "précision"),
        ({"capacite_scolaire_coloree_apres": 30}, "capacite_scolaire_coloree_apres", "colorées"),
        ({"type": "transformation"}, "mef_stat_11_cible", "formation qui remplace"),
        ({"type": "transfert_etablissement"}, "uai_cible", "reçoit les places"),
        ({"type": "transfert"}, "capacite_apprentissage_apres", "capacité totale"),
        ({"capacite_scolaire_apres": 1200}, "capacite_scolaire_apres", "entre 0 et 999"),
        ({"type": "inconnu"}, "type", "type inconnu"),
    ],
)
def test_each_rule_names_its_field(changes: dict[str, object], field: str, rule: str) -> None:
    request = replace(FIELDS, **changes)  # type: ignore[arg-type]
    with pytest.raises(RequestRefused) as refused:
        validate(request)
    named = [p for p in refused.value.problems if p.field == field]
    assert named and rule in named[0].rule, refused.value.problems
    assert field in str(refused.value)


def test_a_second_request_for_the_same_offer_is_refused() -> None:
    found = problems(FIELDS, duplicate_of=7)
    assert [p.field for p in found] == ["uai"]
    assert "demande n° 7" in found[0].rule


def test_a_rentree_before_the_campaign_is_refused() -> None:
    assert _fields(FIELDS) == set()
    assert [p.field for p in problems(FIELDS, first_rentree=2026)] == ["rentree"]


@given(
    kind=st.sampled_from(
        ["ouverture_nette", "fermeture", "diminution", "augmentation_nette", "transfert"]
    ),
    before=st.integers(1, 500),
    after=st.integers(1, 500),
    shift=st.integers(1, 50),
)
def test_requests_built_by_the_rules_pass_and_their_mirror_fails(
    kind: str, before: int, after: int, shift: int
) -> None:
    shape = {
        "ouverture_nette": (0, after, 0),
        "fermeture": (before, 0, 0),
        "diminution": (before + shift, before, 0),
        "augmentation_nette": (before, before + shift, 0),
        "transfert": (before + shift, before, shift),
    }[kind]
    request = replace(
        FIELDS,
        type=kind,
        capacite_scolaire_avant=shape[0],
        capacite_scolaire_apres=shape[1],
        capacite_apprentissage_apres=shape[2],
    )
    assert problems(request) == []
    mirrored = replace(request, capacite_scolaire_avant=shape[1], capacite_scolaire_apres=shape[0])
    if kind != "transfert":
        assert problems(mirrored), mirrored


def test_from_mapping_reads_text_lists_and_names_a_bad_number() -> None:
    fields = from_mapping(
        {
            "type": "diminution",
            "uai": "0010001w",
            "mef_stat_11": "24020022710",
            "rentree": "2025",
            "capacite_scolaire_avant": "24",
            "capacite_scolaire_apres": "15",
            "motifs": "recrutements_baisse; locaux",
            "partenaires": ["UIMM de l’Ain"],
        }
    )
    assert fields.uai == "0010001W"
    assert fields.motifs == ("recrutements_baisse", "locaux")
    assert problems(fields) == []
    with pytest.raises(InputError) as refused:
        from_mapping({**fields.as_dict(), "capacite_scolaire_apres": "quinze"})
    assert refused.value.where == ("capacite_scolaire_apres",)
    with pytest.raises(InputError, match="inconnu"):
        from_mapping({**fields.as_dict(), "couleur": "bleu"})
