"""An optimiser's change as a request: its kind from the places before and after, its voie, its
reasons and comment; every change the optimiser can propose passes the validators."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tremplin.errors import InputError
from tremplin.planning.campaigns import create_campaign
from tremplin.planning.proposals import proposal_fields, proposal_kind
from tremplin.planning.requests import create_request
from tremplin.planning.validators import RequestRefused, problems
from tremplin.store.audit import Actor

RAISON = (
    "Ajouter 12 places : 40 premiers vœux pour 24 places (pression 1,67), 150 besoins de "
    "recrutement BMO non couverts en D2Z dans le département 01, taux d'emploi à 6 mois 62 %."
)


def test_the_kind_follows_the_places_before_and_after() -> None:
    assert proposal_kind(0, 12) == "ouverture_nette"
    assert proposal_kind(24, 0) == "fermeture"
    assert proposal_kind(24, 36) == "augmentation_nette"
    assert proposal_kind(24, 12) == "diminution"
    with pytest.raises(InputError, match="ne modifie pas"):
        proposal_kind(24, 24)


def test_a_rise_carries_its_voie_reasons_and_the_optimisers_sentence() -> None:
    change = {
        "uai": "0010001w",
        "mef_stat_11": "24020022710",
        "statut": "apprentissage",
        "places_avant": 24,
        "places_apres": 36,
        "raison": RAISON,
    }
    fields = proposal_fields(change, 2026)
    assert (fields.type, fields.uai, fields.rentree) == ("augmentation_nette", "0010001W", 2026)
    assert (fields.capacite_apprentissage_avant, fields.capacite_apprentissage_apres) == (24, 36)
    assert (fields.capacite_scolaire_avant, fields.capacite_scolaire_apres) == (0, 0)
    assert fields.motifs == ("forte_demande_jeunes", "besoins_economiques_locaux")
    assert fields.commentaire is not None and RAISON in fields.commentaire
    closing = proposal_fields({**change, "statut": "scolaire", "places_apres": 0}, 2026)
    assert closing.type == "fermeture" and closing.capacite_scolaire_avant == 24
    assert closing.motifs == ("capacite_trop_elevee_territoire",)


@given(
    before=st.integers(0, 999),
    after=st.integers(0, 999),
    statut=st.sampled_from(["scolaire", "apprentissage"]),
)
def test_every_change_the_optimiser_can_propose_passes_the_validators(
    before: int, after: int, statut: str
) -> None:
    change = {
        "uai": "0010001W",
        "mef_stat_11": "24020022710",
        "statut": statut,
        "places_avant": before,
        "places_apres": after,
        "raison": RAISON,
    }
    if before == after:
        with pytest.raises(InputError):
            proposal_fields(change, 2025)
        return
    fields = proposal_fields(change, 2025)
    assert problems(fields, first_rentree=2025) == []
    assert fields.total("avant") == before and fields.total("apres") == after


def test_a_second_acceptance_is_refused_with_the_validators_message(store: sa.Engine) -> None:
    actor = Actor("pilote@ac-lyon.test")
    change = {"uai": "0010001W", "mef_stat_11": "24020022710", "places_avant": 0,
              "places_apres": 15, "raison": RAISON}  # fmt: skip
    with store.begin() as conn:
        campaign = create_campaign(conn, actor, nom="Carte 2026", annee=2025)
        fields = proposal_fields(change, campaign.premiere_rentree)
        made = create_request(conn, actor, campaign.id, fields)
    assert made.statut == "brouillon" and made.fields.type == "ouverture_nette"
    with store.begin() as conn, pytest.raises(RequestRefused, match="une seule demande"):
        create_request(conn, actor, campaign.id, fields)
