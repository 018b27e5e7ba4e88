"""Issue 10 from end to end on the real AURA data, in-process: a planner lets the optimiser
propose a carte for the industrial perimeter, keeps one change and forbids another and solves
again; the Région puts the proposals in a campaign, they go through the statuses with the
Région's and the UIMM's opinions to the vote; the campaign's impact says places against
recruitment needs, its effect on pupils is simulated for two selections and the two compared;
the committee's note comes out as a PDF with the impact and the simulations' figures."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tests.accounts.people import Person, create
from tests.web.accounts import api_token, cookie_header, web_login
from tests.web.client import WebClient
from tests.web.test_carte_optimiser import _finished
from tremplin.diagnostic.facts import stored_facts
from tremplin.planning.campaigns import get_campaign
from tremplin.planning.requests import list_requests
from tremplin.referentials.perimeter import Perimeter
from tremplin.reports.carte_note import campaign_note
from tremplin.web.planning.note import note_html
from tremplin.web.shared.auth import CSRF_COOKIE
from tremplin.web.shared.templating import create_templates

pytestmark = pytest.mark.realdata

PILOT = Person("pilote", "parcours.pilote@ac-lyon.test", territoire="region:84")
REGION = Person("region", "parcours.carte@auvergnerhonealpes.test")
UIMM = Person("partenaire_industrie", "parcours.uimm@uimm.test", territoire="region:84")
CAMPAIGN = "Carte industrie — parcours"
STEPS = ("proposition", "dossier_complet", "projet_de_demande", "pret_pour_le_vote")


def _simulated(client: WebClient, job: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 600
    while True:
        found: dict[str, Any] = client.request(
            "GET", f"/api/v1/simulations/{job}", headers=headers
        ).json()
        if found["statut"] in ("terminee", "echec", "annulee"):
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.5)


def _key(change: dict[str, Any]) -> tuple[str, str, str]:
    return change["uai"], change["mef_stat_11"], change["statut"]


def test_a_planner_builds_the_carte_and_hands_the_note_to_the_committee(
    real_store_url: str, real_engine: sa.Engine
) -> None:
    with real_engine.begin() as conn:
        for person in (PILOT, REGION, UIMM):
            create(conn, person)
    client = WebClient.on(real_store_url)
    try:
        pilot = api_token(client, PILOT.email)
        # 1. The optimiser proposes a carte for the industrial perimeter (a durable job).
        asked = {"territoire": "84", "perimetre": "industrie", "budget_places": 24,
                 "sections_max": 6}  # fmt: skip
        posted = client.request("POST", "/api/v1/carte/optimisations", json=asked, headers=pilot)
        assert posted.status_code == 202, posted.text
        first = _finished(client, posted.json()["id"], pilot)
        assert first["statut"] == "terminee", first
        changes = first["resultat"]["changes"]
        assert 2 <= len(changes) <= 6 and first["resultat"]["gap"] <= 0.005
        assert all(c["raison"] for c in changes)
        # 2. The planner keeps the first change, forbids the second, and solves again.
        kept, forbidden = changes[0], changes[1]
        lock = {k: kept[k] for k in ("uai", "mef_stat_11", "statut", "places_apres")}
        veto = {k: forbidden[k] for k in ("uai", "mef_stat_11", "statut")}
        again = client.request(
            "POST", "/api/v1/carte/optimisations",
            json=asked | {"verrous": [lock], "interdits": [veto]}, headers=pilot,
        )  # fmt: skip
        assert again.status_code == 202, again.text
        second = _finished(client, again.json()["id"], pilot)
        assert second["statut"] == "terminee", second
        proposed = second["resultat"]["changes"]
        assert lock in [{k: c[k] for k in lock} for c in proposed]
        assert _key(forbidden) not in {_key(c) for c in proposed}
        # 3. The Région makes a campaign and adds the first two proposals to it.
        region = api_token(client, REGION.email)
        made = client.request(
            "POST", "/api/v1/carte/campagnes", json={"nom": CAMPAIGN, "annee": 2026},
            headers=region,
        )  # fmt: skip
        assert made.status_code == 201, made.text
        campaign = made.json()["id"]
        # Two changes of lycées (MEF STAT 11 of the voie pro: 2…) and one of a BTS (3…) if any.
        lycees = [n for n, c in enumerate(proposed, start=1) if c["mef_stat_11"][0] == "2"]
        bts = [n for n, c in enumerate(proposed, start=1) if c["mef_stat_11"][0] == "3"]
        assert len(lycees) >= 2, proposed
        requests = []
        for number in lycees[:2] + bts[:1]:
            added = client.request(
                "POST", f"/api/v1/carte/optimisations/{again.json()['id']}/propositions/{number}",
                json={"campagne_id": campaign}, headers=region,
            )  # fmt: skip
            assert added.status_code == 201, added.text
            assert added.json()["statut"] == "brouillon"
            requests.append(added.json()["id"])
        # 4. Through the statuses, with the Région's and the UIMM's opinions, to the vote.
        for status in STEPS:
            moved = client.request(
                "POST", "/api/v1/carte/demandes/statuts",
                json={"demandes": requests, "statut": status}, headers=region,
            )  # fmt: skip
            assert moved.status_code == 200, (status, moved.text)
        uimm = api_token(client, UIMM.email)
        for headers, opinion in ((region, "favorable"), (uimm, "reserve")):
            given = client.request(
                "POST", f"/api/v1/carte/demandes/{requests[0]}/avis",
                json={"type": "consultatif", "avis": opinion, "commentaire": "Vu en comité."},
                headers=headers,
            )  # fmt: skip
            assert given.status_code == 201, given.text
        # The UIMM does not vote; the Région does.
        refused = client.request(
            "POST", "/api/v1/carte/demandes/statuts",
            json={"demandes": [requests[0]], "statut": "validee"}, headers=uimm,
        )  # fmt: skip
        assert refused.status_code == 403
        voted = client.request(
            "POST", "/api/v1/carte/demandes/statuts",
            json={"demandes": [requests[0]], "statut": "validee"}, headers=region,
        )  # fmt: skip
        assert voted.status_code == 200, voted.text
        request = client.request("GET", f"/api/v1/carte/demandes/{requests[0]}", headers=region)
        shown = request.json()
        assert shown["statut"] == "validee"
        assert [h["statut_apres"] for h in shown["historique"]][-1] == "validee"
        assert {a["avis"] for a in shown["avis"]} == {"favorable", "reserve"}
        # 5. The campaign's impact: places against recruitment needs, at once.
        cookies = web_login(client, REGION.email)
        page = client.request(
            "GET", f"/carte/campagnes/{campaign}?impact=toutes", headers=cookie_header(cookies)
        )
        assert page.status_code == 200 and 'id="tableau-impact-groupes"' in page.text
        assert "projets" in page.text.lower()
        if bts:  # a BTS is Parcoursup's: the assignment's simulation leaves it out, said
            assert "hors de l’affectation simulée" in page.text
        # 6. Its effect on pupils, for all requests and for the validated one, compared.
        jobs = []
        for selection in ("toutes", "validees"):
            simulated = client.request(
                "POST", f"/carte/campagnes/{campaign}/simulation",
                data={"csrf": cookies[CSRF_COOKIE], "selection": selection},
                headers=cookie_header(cookies),
            )  # fmt: skip
            assert simulated.status_code == 303, simulated.text
            jobs.append(simulated.headers["location"].removeprefix("/simulations/"))
        results = [_simulated(client, job, region) for job in jobs]
        assert [r["statut"] for r in results] == ["terminee", "terminee"], results
        compared = client.request(
            "GET", f"/simulations/comparer?a={jobs[0]}&b={jobs[1]}", headers=cookie_header(cookies)
        )
        assert compared.status_code == 200, compared.text
        assert f"{CAMPAIGN} — " in compared.text
        # 7. The committee's note: the PDF, and the impact and simulations it is made from.
        pdf = client.request(
            "GET", f"/carte/campagnes/{campaign}/note.pdf", headers=cookie_header(cookies)
        )
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 10_000
        impact = _note(real_engine, campaign).split('id="note-impact"')[1]
        assert "Non calculé" not in impact and "Aucune simulation" not in impact
        for selection in ("toutes les demandes", "les demandes validées"):
            assert f"Simulation « {CAMPAIGN} — {selection} »" in impact
        assert "premier vœu" in impact
    finally:
        client.close()


def _note(engine: sa.Engine, campaign: int) -> str:
    """The note's HTML, as the PDF route makes it for the Région (every request readable)."""
    with engine.connect() as conn:
        facts = stored_facts(conn, Perimeter.load(None))
        found = get_campaign(conn, campaign)
        content = campaign_note(
            conn, found, list_requests(conn, campaign), facts, datetime.now(UTC), "84"
        )
    return note_html(create_templates().env, content)
