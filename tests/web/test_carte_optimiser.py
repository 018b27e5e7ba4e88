"""The optimiser's API and pages and the impact, in-process on the real AURA data: a pilot
launches a run (a durable job), reads the proposals with their reasons and the curve, locks
and forbids changes and runs it again; the impact answers at once. Every launch is audited."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
import sqlalchemy as sa

from tests.accounts.people import Person, create
from tests.web.accounts import api_token, web_login
from tests.web.client import WebClient
from tremplin.store.audit import read_audit
from tremplin.web.shared.auth import CSRF_COOKIE

pytestmark = pytest.mark.realdata


def _finished(client: WebClient, identifier: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 300
    while True:
        answer = client.request("GET", f"/api/v1/carte/optimisations/{identifier}", headers=headers)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        if found["statut"] in ("terminee", "echec", "annulee"):
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.2)


def test_a_pilot_optimises_locks_forbids_and_runs_again(
    real_store_url: str, real_engine: sa.Engine
) -> None:
    client = WebClient.on(real_store_url)
    person = Person("pilote", "optimiseur.pilote@ac-lyon.test", territoire="academie:10")
    with real_engine.begin() as conn:
        account = create(conn, person)
    try:
        signed = api_token(client, person.email)
        bad = client.request(
            "POST", "/api/v1/carte/optimisations", json={"perimetre": "mer"}, headers=signed
        )
        assert bad.status_code == 422 and "périmètre inconnu" in bad.text
        posted = client.request(
            "POST",
            "/api/v1/carte/optimisations",
            json={"territoire": "84", "budget_places": 10, "sections_max": 12, "courbe": True},
            headers=signed,
        )
        assert posted.status_code == 202, posted.text
        identifier = posted.json()["id"]
        done = _finished(client, identifier, signed)
        assert done["statut"] == "terminee", done
        result = done["resultat"]
        assert 0 < len(result["changes"]) <= 12 and result["gap"] <= 0.005
        assert sum(c["places_apres"] - c["places_avant"] for c in result["changes"]) <= 10
        assert all(re.search(r"\d", c["raison"]) for c in result["changes"])
        assert len(result["courbe"]) == 5
        # The page: the proposals, their reasons, a checkbox each, the curve and its table.
        cookies = web_login(client, person.email)
        headers = {"cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        page = client.request("GET", f"/carte/optimisations/{identifier}", headers=headers)
        assert page.status_code == 200
        first, second = result["changes"][0], result["changes"][1]
        assert first["raison"].replace("'", "&#39;")[:40] in page.text
        assert 'id="tableau-courbe"' in page.text and "<svg" in page.text
        # Keep the first, forbid the second, run again through the form.
        keep = f"{first['uai']}|{first['mef_stat_11']}|{first['statut']}|{first['places_apres']}"
        forbid = f"{second['uai']}|{second['mef_stat_11']}|{second['statut']}"
        form = {
            "csrf": cookies[CSRF_COOKIE], "territoire": "84", "perimetre": "industrie",
            "budget_places": "10", "sections_max": "12", "verrou": keep, "interdit": forbid,
        }  # fmt: skip
        again = client.request("POST", "/carte/optimiser", data=form, headers=headers)
        assert again.status_code == 303, again.text
        second_id = again.headers["location"].rsplit("/", 1)[1]
        rerun = _finished(client, second_id, signed)["resultat"]
        kept = {(c["uai"], c["mef_stat_11"], c["statut"]): c for c in rerun["changes"]}
        assert (
            kept[(first["uai"], first["mef_stat_11"], first["statut"])]["places_apres"]
            == (first["places_apres"])
        )
        assert (second["uai"], second["mef_stat_11"], second["statut"]) not in kept
        assert rerun["objective"] <= result["objective"] * 1.005 + 1e-6
        # A lock the budget cannot hold: the conflict is named.
        impossible = client.request(
            "POST",
            "/api/v1/carte/optimisations",
            json={
                "budget_places": -100000 // 100,
                "sections_max": 0,
                "verrous": [
                    {
                        "uai": first["uai"],
                        "mef_stat_11": first["mef_stat_11"],
                        "statut": first["statut"],
                        "places_apres": first["places_apres"],
                    }
                ],
            },
            headers=signed,
        )
        assert impossible.status_code == 202
        failed = _finished(client, impossible.json()["id"], signed)
        assert (
            failed["statut"] == "echec"
            and "sections modifiées par les verrous" in failed["message"]
        )
        # Someone else's run is not found; a visitor is asked to log in.
        assert client.request("GET", f"/carte/optimisations/{identifier}").status_code in (302, 401)
    finally:
        client.close()
    with real_engine.connect() as conn:
        log = [
            line
            for line in read_audit(conn).to_dicts()
            if line["target"] == f"optimisation:{identifier}"
        ]
    assert [(line["action"], line["actor"]) for line in log] == [
        ("optimisation.lancer", person.email)
    ]
    assert json.loads(log[0]["after"])["territoire"] == "84"
    assert account.id == log[0]["actor_id"]


def test_impact_api_and_page(real_store_url: str) -> None:
    client = WebClient.on(real_store_url)
    try:
        change = {"uai": "0010001W", "mef_stat_11": "23810020008", "places_apres": 75}
        answer = client.post("/api/v1/carte/impact", {"territoire": "84", "changements": [change]})
        assert answer.status_code == 200, answer.text
        found = answer.json()
        (offer,) = found["offres"]
        assert offer["places_apres"] == 75 and offer["pression_apres"] < offer["pression_avant"]
        assert found["totaux"]["ecart"] == 75 - offer["places_avant"]
        bad = client.post("/api/v1/carte/impact", {"changements": [{**change, "places_apres": -1}]})
        assert bad.status_code == 422
        page = client.page("/carte/impact?territoire=84&changements=0010001W%3B23810020008%3B75")
        assert 'id="tableau-impact-groupes"' in page and "Places pour 100 projets" in page
        wrong = client.get("/carte/impact?changements=0010001W%3Bx")
        assert wrong.status_code == 422 and "ligne 1" in wrong.text
    finally:
        client.close()
