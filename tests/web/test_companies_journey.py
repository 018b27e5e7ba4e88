"""Issue 12 from end to end, through the API only, on a copy of the demo store: a company
declares an apprenticeship need that shows in its bassin's diagnostic and publishes it as an
offer; a UIMM partner imports a file of needs; a young person signs up, finds the offer near
home, applies; the company sees the contact only then and answers; the young person reads the
answer, then deletes their data and nothing of it remains in the store; another company, an
anonymous client and a brute-force login all fail to get in."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.accounts.people import PASSWORD, PEOPLE, Person, create
from tests.web.accounts import api_token
from tests.web.client import WebClient, web_client, web_settings
from tests.web.test_diagnostic_declared import trade_and_bassin
from tremplin.accounts import lockout

COMPANY = PEOPLE["entreprise"]
OTHER_COMPANY = Person("entreprise", "rh@forge-voisine.test", siret="73282932000074")
YOUNG = "lea.journey@exemple.test"
MESSAGE = "Je voudrais apprendre ce métier près de chez moi, disponible dès septembre."


@pytest.fixture
def trade(needs_engine: sa.Engine) -> tuple[str, str, str, str]:
    """A ROME code reaching a BMO family of the demo, that family, a commune and its bassin."""
    with needs_engine.connect() as conn:
        return trade_and_bassin(conn)


@pytest.fixture
def client(needs_url: str, needs_engine: sa.Engine, tmp_path: Path) -> Iterator[WebClient]:
    with needs_engine.begin() as conn:
        for person in (COMPANY, OTHER_COMPANY):
            create(conn, person)
    with web_client(web_settings(needs_url, tmp_path)) as made:
        yield made


def _partner(needs_engine: sa.Engine, departement: str) -> Person:
    partner = Person(
        "partenaire_industrie", "uimm.journey@uimm.test", territoire=f"departement:{departement}"
    )
    with needs_engine.begin() as conn:
        create(conn, partner)
    return partner


def _rows_holding(database: str, needles: tuple[str, ...]) -> list[str]:
    """« table.column » of every text cell of the store's own tables (not the loaded files',
    which hold every commune and trade by nature) that contains one of ``needles``."""
    found = []
    with sqlite3.connect(database) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith(("src_", "sqlite_"))
        ]
        for table in tables:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                for needle in needles:
                    hit = db.execute(
                        f'SELECT 1 FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ? LIMIT 1',
                        (f"%{needle}%",),
                    ).fetchone()
                    if hit:
                        found.append(f"{table}.{column} ∋ {needle}")
    return found


def test_a_need_an_offer_an_application_an_answer_then_nothing_left(
    client: WebClient, needs_url: str, needs_engine: sa.Engine, trade: tuple[str, str, str, str]
) -> None:
    code_rome, fap86, commune, bassin = trade
    company = api_token(client, COMPANY.email)
    assert (
        client.request(
            "POST", "/api/v1/entreprises", json={"nom": "Chaudronnerie", "naf": "2562A"},
            headers=company,
        ).status_code
        in (200, 201)
    )  # fmt: skip
    # 1. The need, and the diagnostic of its bassin beside BMO.
    start = (date.today() + timedelta(days=60)).isoformat()
    declared = client.request(
        "POST",
        "/api/v1/besoins",
        json={
            "code_rome": code_rome, "nombre": 2, "contrat": "apprentissage",
            "code_insee": commune, "niveau": "4", "debut": start,
        },
        headers=company,
    )  # fmt: skip
    assert declared.status_code == 201, declared.text
    need = declared.json()["id"]
    query = f"maille=bassin&groupement=fap&perimetre=tout&territoire={bassin}&taille=500"
    rows = client.request("GET", f"/api/v1/diagnostic?{query}").json()["lignes"]
    row = next(r for r in rows if r["code_groupe"] == fap86)
    assert (row["besoins_declares"], row["personnes_besoins_declares"]) == (1, 2)
    assert row["entreprises_besoins_declares"] == 1
    # 2. A partner of the département imports a file of its members' needs.
    with needs_engine.connect() as conn:
        departement = conn.execute(
            sa.text("SELECT code_departement FROM company_needs WHERE id = :id"), {"id": need}
        ).scalar_one()
    partner = api_token(client, _partner(needs_engine, departement).email)
    template = client.request("GET", "/api/v1/besoins/modele.csv", headers=partner).text
    header = template.splitlines()[0].lstrip("\ufeff")
    columns = header.split(";")
    line = {"siret": "12345678200010", "raison_sociale": "Forge", "code_rome": code_rome,
            "nombre": "3", "contrat": "pfmp", "code_insee": commune}  # fmt: skip
    body = header + "\n" + ";".join(line.get(c, "") for c in columns) + "\n"
    imported = client.request(
        "POST", "/api/v1/besoins/import?fichier=adherents.csv", content=body.encode(),
        headers=partner,
    )  # fmt: skip
    assert imported.status_code == 201, imported.text
    assert imported.json()["importes"] == 1
    # 3. The need published as an offer.
    offer = client.request(
        "POST",
        "/api/v1/offres-entreprises",
        json={"besoin": need, "intitule": "Apprenti·e en atelier"},
        headers=company,
    )
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]
    # 4. A young person signs up, publishes a profile with consent, finds the offer, applies.
    signed = client.request(
        "POST", "/api/v1/candidat/inscription", json={"email": YOUNG, "password": PASSWORD}
    )
    assert signed.status_code == 201, signed.text
    young = api_token(client, YOUNG)
    profile = {"codes_rome": [code_rome], "code_insee": commune, "rayon_km": 20, "niveau": "4",
               "disponible_le": start, "consentement": True}  # fmt: skip
    assert client.request("PUT", "/api/v1/candidat/profil", json=profile, headers=young).is_success
    ranked = client.request("GET", "/api/v1/candidat/offres", headers=young).json()["offres"]
    assert ranked[0]["offre"] == offer_id and ranked[0]["dans_rayon"]
    assert "Même métier que l’offre" in ranked[0]["explication"]
    # Before applying, the company ranks the profile without any contact.
    candidates = client.request(
        "GET", f"/api/v1/offres-entreprises/{offer_id}/candidats", headers=company
    )
    assert candidates.status_code == 200 and YOUNG not in candidates.text
    applied = client.request(
        "POST",
        "/api/v1/candidat/candidatures",
        json={"offre": offer_id, "message": MESSAGE},
        headers=young,
    )
    assert applied.status_code == 201, applied.text
    # 5. The company sees the contact now, and answers.
    received = client.request(
        "GET", f"/api/v1/offres-entreprises/{offer_id}/candidatures", headers=company
    )
    assert received.status_code == 200 and YOUNG in received.text
    application = applied.json()["id"]
    answered = client.request(
        "POST",
        f"/api/v1/offres-entreprises/{offer_id}/candidatures/{application}/reponse",
        json={"statut": "entretien", "reponse": "Venez nous voir mardi."},
        headers=company,
    )
    assert answered.status_code == 200, answered.text
    mine = client.request("GET", "/api/v1/candidat/candidatures", headers=young).json()
    assert [a["statut"] for a in mine["candidatures"]] == ["entretien"]
    rates = client.request("GET", "/api/v1/candidatures/taux", headers=partner).json()
    assert any(r["repondues"] == 1 for r in rates["entreprises"]), rates
    # 6. Another company, an anonymous client: not in.
    other = api_token(client, OTHER_COMPANY.email)
    assert client.request("GET", f"/api/v1/besoins/{need}", headers=other).status_code == 404
    assert (
        client.request(
            "GET", f"/api/v1/offres-entreprises/{offer_id}/candidatures", headers=other
        ).status_code
        == 404
    )
    assert client.request("GET", f"/api/v1/besoins/{need}").status_code == 401
    assert client.request("PATCH", f"/api/v1/besoins/{need}", json={"nombre": 9}).status_code == 401
    # 7. The young person deletes their data: nothing of them remains.
    assert client.request("DELETE", "/api/v1/moi", headers=young).status_code == 204
    assert client.request("GET", "/api/v1/candidat/candidatures", headers=young).status_code == 401
    client.close()
    database = needs_url.removeprefix("sqlite:///")
    assert _rows_holding(database, (YOUNG, MESSAGE)) == []
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM candidate_profiles").fetchone() == (0,)
        kept = db.execute("SELECT candidate_id, message, statut FROM applications").fetchall()
    # The company keeps that an application was made and answered (its response rate).
    assert kept == [(None, None, "entretien")]


def test_a_brute_force_login_is_locked_out(client: WebClient) -> None:
    for _ in range(lockout.PER_ACCOUNT):
        wrong = client.post("/api/v1/session", {"email": COMPANY.email, "password": "au hasard"})
        assert wrong.status_code == 401
    locked = client.post("/api/v1/session", {"email": COMPANY.email, "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
