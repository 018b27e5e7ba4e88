"""A campaign's effect on the real AURA data, in-process: on its page the impact of its requests
(all, or validated ones), the requests left out said; « Simuler l'effet sur les élèves » queues a
simulation of the same requests (a scenario of the existing format) and goes to its page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import polars as pl
import pytest
import sqlalchemy as sa

from tests.accounts.people import Person, create
from tests.planning.samples import FIELDS
from tests.web.accounts import cookie_header, web_login
from tests.web.client import WebClient
from tremplin.companies.needs import declared_needs
from tremplin.diagnostic.facts import stored_facts
from tremplin.jobs import records
from tremplin.planning.campaigns import create_campaign
from tremplin.planning.requests import change_status, create_request
from tremplin.referentials.perimeter import Perimeter
from tremplin.store.audit import Actor
from tremplin.store.schema import companies, company_needs
from tremplin.web.shared.auth import CSRF_COOKIE

pytestmark = pytest.mark.realdata

OYONNAX, VILLEURBANNE, MEF = "0010034G", "0690103M", "23820025411"
"""The planner's example: 1re pro chaudronnerie industrielle opened in Oyonnax, 15 places less in
Villeurbanne."""


def test_a_campaigns_impact_and_its_simulation(real_store_url: str, real_engine: sa.Engine) -> None:
    me = Actor("effet@region.test")
    person = Person("region", "effet.campagne@region.test")
    with real_engine.begin() as conn:
        create(conn, person)
        campaign = create_campaign(conn, me, nom="Carte effet", annee=2025).id
        opening = replace(
            FIELDS,
            type="ouverture_nette",
            uai=OYONNAX,
            mef_stat_11=MEF,
            rentree=2026,
            capacite_scolaire_avant=0,
            capacite_scolaire_apres=15,
        )
        fewer = replace(
            FIELDS,
            type="diminution",
            uai=VILLEURBANNE,
            mef_stat_11=MEF,
            rentree=2026,
            capacite_scolaire_avant=30,
            capacite_scolaire_apres=15,
        )
        colour = replace(FIELDS, type="coloration", uai=VILLEURBANNE, mef_stat_11="24020022710",
                         rentree=2026, capacite_scolaire_avant=24, capacite_scolaire_apres=24,
                         capacite_scolaire_coloree_apres=12)  # fmt: skip
        made = [
            create_request(conn, me, campaign, f, territoires=["region:84"]).id
            for f in (opening, fewer, colour)
        ]
        for status in ("proposition", "dossier_complet", "projet_de_demande",
                       "pret_pour_le_vote", "validee"):  # fmt: skip
            change_status(conn, me, made[0], status)
    client = WebClient.on(real_store_url)
    cookies = web_login(client, person.email)
    headers = cookie_header(cookies)
    page = client.request("GET", f"/carte/campagnes/{campaign}", headers=headers)
    assert page.status_code == 200 and 'id="simuler-campagne"' in page.text
    assert 'id="tableau-impact-offres"' not in page.text  # computed when asked
    every = client.request("GET", f"/carte/campagnes/{campaign}?impact=toutes", headers=headers)
    assert every.status_code == 200, every.text
    assert 'id="tableau-impact-offres"' in every.text
    assert OYONNAX in every.text and VILLEURBANNE in every.text
    assert 'id="demandes-ecartees"' in every.text and f"/carte/demandes/{made[2]}" in every.text
    validated = client.request(
        "GET", f"/carte/campagnes/{campaign}?impact=validees", headers=headers
    )
    offers = validated.text.split('id="tableau-impact-offres"')[1].split("</table>")[0]
    assert OYONNAX in offers and VILLEURBANNE not in offers
    # The simulation of the validated requests: queued, its page, its scenario.
    posted = client.request(
        "POST", f"/carte/campagnes/{campaign}/simulation",
        data={"csrf": cookies[CSRF_COOKIE], "selection": "validees"}, headers=headers,
    )  # fmt: skip
    assert posted.status_code == 303, posted.text
    job = posted.headers["location"].removeprefix("/simulations/")
    with real_engine.connect() as conn:
        found = records.get(conn, job)
    assert found is not None and found.kind == "simulation"
    text = str(found.parameters)
    assert "Carte effet — les demandes validées" in text and "ouvrir" in text
    assert VILLEURBANNE not in text
    client.request(
        "POST", f"/simulations/{job}/annulation", data={"csrf": cookies[CSRF_COOKIE]},
        headers=headers,
    )  # fmt: skip
    # Nothing to simulate: said on the campaign's page.
    with real_engine.begin() as conn:
        empty = create_campaign(conn, me, nom="Carte vide", annee=2025).id
    refused = client.request(
        "POST", f"/carte/campagnes/{empty}/simulation",
        data={"csrf": cookies[CSRF_COOKIE], "selection": "toutes"}, headers=headers,
    )  # fmt: skip
    assert refused.status_code == 422 and "aucune demande" in refused.text
    client.close()


def test_declared_needs_show_beside_bmo_in_the_impact(
    real_store_url: str, real_engine: sa.Engine
) -> None:
    now = datetime.now(UTC)
    with real_engine.begin() as conn:
        company = conn.execute(
            companies.insert().values(
                siret="55210055400013", nom="Chaudronnerie de l’Ain", created_at=now, updated_at=now
            )
        ).inserted_primary_key[0]
        conn.execute(
            company_needs.insert().values(
                company_id=company, code_rome="H2913", nombre=7, pourvus=0,
                contrat="apprentissage", code_insee="01283", bassin_bmo="8402",
                code_departement="01", code_academie="10", code_region="84", statut="ouvert",
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        declared = declared_needs(conn)
    client = WebClient.on(real_store_url)
    answer = client.request(
        "POST", "/api/v1/carte/impact",
        json={"changements": [
            {"uai": "0010001W", "mef_stat_11": "23810020008", "places_apres": 75}
        ]},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    groups = answer.json()["groupes"]
    # Recomputed from the declared needs: FAP 2021 → its FAP 22 domain.
    with real_engine.connect() as conn:
        families = stored_facts(conn, Perimeter.load(None)).familles_fap
    assert families is not None
    domains = dict(families.select("fap2021", "fap22").unique("fap2021").iter_rows())
    expected: dict[tuple[str, str], int] = {}
    for row in declared.drop_nulls("fap2021").iter_rows(named=True):
        key = (row["code_departement"], domains.get(row["fap2021"]))
        expected[key] = expected.get(key, 0) + row["personnes"]  # type: ignore[index]
    assert (
        expected[("01", domains[declared.filter(pl.col("code_rome") == "H2913")["fap2021"][0]])]
        >= 7
    )
    assert groups and any(g["code_departement"] == "01" for g in groups)
    for g in groups:
        assert g["besoins_declares"] == expected.get((g["code_departement"], g["fap22"]))
    domain = client.request("GET", "/carte/impact?changements=0010001W%3B23810020008%3B75")
    assert "Besoins déclarés par les entreprises" in domain.text
    client.close()
