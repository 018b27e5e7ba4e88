"""A campaign's requests as changes: per voie for the impact, per offer for the scenario, the
requests neither can express said; validated ones or all live ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import polars as pl

from tests.planning.samples import FIELDS
from tremplin.planning.campaign_effect import impact_changes, scenario_of, selected
from tremplin.planning.impact import declared_by_group
from tremplin.planning.requests import Request


def _request(identifier: int, statut: str = "brouillon", **changes: object) -> Request:
    now = datetime.now(UTC)
    return Request(
        identifier, 1, statut, replace(FIELDS, **changes), ("region:84",), "a", None, now, now,
        "a", 1,
    )  # fmt: skip


REQUESTS = [
    _request(1, "validee"),  # augmentation 15 → 24, scolaire
    _request(2, type="fermeture", capacite_scolaire_avant=12, capacite_scolaire_apres=0,
             capacite_apprentissage_avant=6, capacite_apprentissage_apres=0),
    _request(3, type="coloration", capacite_scolaire_avant=24, capacite_scolaire_apres=24,
             capacite_scolaire_coloree_apres=12),
    _request(4, type="transfert", capacite_scolaire_avant=24, capacite_scolaire_apres=12,
             capacite_apprentissage_apres=12),
    _request(5, type="transformation", mef_stat_11_cible="24020022711",
             capacite_scolaire_avant=24, capacite_scolaire_apres=24),
    _request(6, "refusee"),
]  # fmt: skip


def test_validated_or_every_live_request() -> None:
    assert [r.id for r in selected(REQUESTS, "validees")] == [1]
    assert [r.id for r in selected(REQUESTS, "toutes")] == [1, 2, 3, 4, 5]


def test_the_impact_changes_each_voie_that_changes() -> None:
    changes, left = impact_changes(selected(REQUESTS, "toutes"))
    assert [(c["uai"], c["statut"], c["places_avant"], c["places_apres"]) for c in changes] == [
        ("0010001W", "scolaire", 15, 24),
        ("0010001W", "scolaire", 12, 0),
        ("0010001W", "apprentissage", 6, 0),
        ("0010001W", "scolaire", 24, 12),
        ("0010001W", "apprentissage", 0, 12),
    ]
    assert [(out.id, out.type) for out in left] == [(3, "coloration"), (5, "transformation")]


def test_the_scenario_changes_each_offer_and_says_what_it_leaves_out() -> None:
    document, left = scenario_of(selected(REQUESTS, "toutes"), "Carte 2026", "region:84")
    assert document["territoire"] == "region:84" and document["titre"] == "Carte 2026"
    assert document["changements"] == [
        {"uai": "0010001W", "mef_stat_11": "24020022710", "action": "ajuster", "places": 9},
        {"uai": "0010001W", "mef_stat_11": "24020022710", "action": "fermer"},
        {"uai": "0010001W", "mef_stat_11": "24020022710", "action": "transferer", "places": 24,
         "vers_uai": "0010001W", "vers_mef_stat_11": "24020022711"},
    ]  # fmt: skip
    assert [(out.id, out.type) for out in left] == [(3, "coloration"), (4, "transfert")]
    assert "ne change pas" in left[0].raison


def test_declared_needs_count_per_departement_and_domain() -> None:
    declared = pl.DataFrame(
        {
            "fap2021": ["D2Z40", "D2Z41", "D1Z40", None],
            "code_departement": ["01", "01", "69", "01"],
            "personnes": [3, 2, 4, 9],
        }
    )
    labels = pl.DataFrame({"fap2021": ["D2Z40", "D2Z41", "D1Z40"], "fap22": ["D", "D", "D"]})
    found = declared_by_group(declared, labels).sort("code_departement")
    assert found.rows() == [("01", "D", 5), ("69", "D", 4)]
    assert declared_by_group(None, labels).is_empty()


BTS, PREMIERE = "32022010001", "24720022711"


def test_one_palier_is_simulated_and_the_others_are_said() -> None:
    """Two entry-year changes, a 1re pro one and a BTS one: the entry palier (most changes) is
    simulated; the 1re pro change is left out as another palier, the BTS one as a formation the
    assignment does not cover; a transformation across paliers is left out too."""
    requests = [
        _request(1),
        _request(2, type="fermeture", capacite_scolaire_avant=12, capacite_scolaire_apres=0),
        _request(3, mef_stat_11=PREMIERE),
        _request(4, mef_stat_11=BTS),
        _request(5, type="transformation", mef_stat_11_cible=PREMIERE,
                 capacite_scolaire_avant=24, capacite_scolaire_apres=24),
    ]  # fmt: skip
    paliers = {"24020022710": "3e", "24020022711": "3e", PREMIERE: "2nde"}
    document, left = scenario_of(requests, "Carte 2027", "region:84", paliers)
    assert document["palier"] == "3e"
    assert [c["action"] for c in document["changements"]] == ["ajuster", "fermer"]
    reasons = {out.id: out.raison for out in left}
    assert set(reasons) == {3, 4, 5}
    assert reasons[3].startswith("autre palier (entrée en 1re pro)")
    assert "Parcoursup" in reasons[4] and "Parcoursup" in reasons[5]
    # With more 1re pro changes, their palier is the one simulated.
    more = [_request(n, mef_stat_11=PREMIERE, uai=f"001000{n}X") for n in (6, 7, 8)]
    document, left = scenario_of(requests + more, "Carte 2027", "region:84", paliers)
    assert document["palier"] == "2nde" and len(document["changements"]) == 4
    # Nothing the simulation covers: no palier, every change said.
    document, left = scenario_of([requests[3]], "Carte 2027", "region:84", paliers)
    assert document["changements"] == [] and "palier" not in document and len(left) == 1
