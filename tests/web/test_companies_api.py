"""The companies' API on a copy of the demo store: a company records itself and declares,
fills and deletes needs; another company, a visitor and a brute-force login get nothing; a
partner sees its territory and imports a file all-or-nothing; writes are limited per account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.accounts.people import PEOPLE, Person, create
from tests.companies.sample import OTHER_SIRET, Codes, sample_codes
from tests.web.accounts import api_token
from tests.web.client import WebClient, web_client, web_settings
from tremplin.companies.imports import COLUMNS
from tremplin.web.app import OPENAPI_URL

COMPANY = PEOPLE["entreprise"]
OTHER = Person("entreprise", "rh@autre.test", siret=OTHER_SIRET)


@pytest.fixture
def codes(needs_engine: sa.Engine) -> Codes:
    with needs_engine.connect() as conn:
        return sample_codes(conn)


@pytest.fixture
def partner(codes: Codes) -> Person:
    return Person(
        "partenaire_industrie", "emploi@uimm.test", territoire=f"departement:{codes.departement}"
    )


def _client(url: str, tmp_path: Path, **changes: int) -> Iterator[WebClient]:
    settings = replace(web_settings(url, tmp_path), **changes)
    with web_client(settings) as client:
        yield client


@pytest.fixture
def client(
    needs_url: str, needs_engine: sa.Engine, tmp_path: Path, partner: Person
) -> Iterator[WebClient]:
    with needs_engine.begin() as conn:
        for person in (COMPANY, OTHER, partner, PEOPLE["lecteur"], PEOPLE["administrateur"]):
            create(conn, person)
    yield from _client(needs_url, tmp_path)


def _need(codes: Codes, **changes: object) -> dict[str, object]:
    return {
        "code_rome": codes.code_rome,
        "nombre": 2,
        "contrat": "apprentissage",
        "code_insee": codes.commune,
        "debut": "2027-09-01",
    } | changes


def _declare(client: WebClient, person: Person, codes: Codes, **changes: object) -> int:
    headers = api_token(client, person.email)
    saved = client.request(
        "POST", "/api/v1/entreprises", json={"nom": "Atelier", "naf": "2562A"}, headers=headers
    )
    assert saved.status_code == 201, saved.text
    created = client.request(
        "POST", "/api/v1/besoins", json=_need(codes, **changes), headers=headers
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_a_company_declares_fills_and_deletes_a_need(client: WebClient, codes: Codes) -> None:
    headers = api_token(client, COMPANY.email)
    need = _declare(client, COMPANY, codes)
    mine = client.request("GET", "/api/v1/entreprises", headers=headers).json()
    assert [c["siret"] for c in mine] == [COMPANY.siret]
    listed = client.request("GET", "/api/v1/besoins", headers=headers).json()
    assert [n["id"] for n in listed["besoins"]] == [need] and listed["total"] == 1
    filled = client.request(
        "PATCH", f"/api/v1/besoins/{need}", json={"pourvus": 1}, headers=headers
    )
    assert filled.json()["statut"] == "pourvu_partiellement"
    closed = client.request(
        "PATCH", f"/api/v1/besoins/{need}", json={"statut": "ferme"}, headers=headers
    )
    assert closed.json()["statut"] == "ferme"
    assert client.request("DELETE", f"/api/v1/besoins/{need}", headers=headers).status_code == 204
    assert client.request("GET", f"/api/v1/besoins/{need}", headers=headers).status_code == 404


def test_another_company_a_visitor_and_a_reader_get_nothing(
    client: WebClient, codes: Codes
) -> None:
    need = _declare(client, COMPANY, codes)
    other = api_token(client, OTHER.email)
    for method in ("GET", "PATCH", "DELETE"):
        options = {"json": {"nombre": 9}} if method == "PATCH" else {}
        answer = client.request(method, f"/api/v1/besoins/{need}", headers=other, **options)
        assert answer.status_code == 404, (method, answer.text)
        assert client.request(method, f"/api/v1/besoins/{need}", **options).status_code == 401
    assert client.request("GET", "/api/v1/besoins", headers=other).json()["total"] == 0
    reader = api_token(client, PEOPLE["lecteur"].email)
    assert client.request("GET", "/api/v1/besoins", headers=reader).status_code == 403


def test_a_brute_force_login_is_locked_out(client: WebClient) -> None:
    answers = [
        client.post("/api/v1/session", {"email": COMPANY.email, "password": f"faux {n}"})
        for n in range(12)
    ]
    assert answers[0].status_code == 401
    assert answers[-1].status_code == 429 and "Retry-After" in answers[-1].headers
    assert client.get("/api/v1/besoins").status_code == 401


def test_a_partner_sees_its_territory_and_nothing_else(
    client: WebClient, codes: Codes, partner: Person
) -> None:
    near = _declare(client, COMPANY, codes)
    far = _declare(client, OTHER, codes, code_insee=codes.far_commune)
    headers = api_token(client, partner.email)
    listed = client.request("GET", "/api/v1/besoins", headers=headers).json()
    assert [n["id"] for n in listed["besoins"]] == [near]
    assert client.request("GET", f"/api/v1/besoins/{far}", headers=headers).status_code == 404
    aggregate = client.request("GET", "/api/v1/besoins/agregats", headers=headers).json()
    assert aggregate == [
        {
            "code_rome": codes.code_rome,
            "bassin_bmo": codes.bassin,
            "contrat": "apprentissage",
            "besoins": 1,
            "personnes": 2,
            "entreprises": 1,
            "dernier_besoin": aggregate[0]["dernier_besoin"],
        }
    ]


def _file(rows: list[dict[str, str]]) -> bytes:
    lines = [";".join(COLUMNS)] + [";".join(r.get(c, "") for c in COLUMNS) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_partner_imports_a_file_all_or_nothing(
    client: WebClient, codes: Codes, partner: Person
) -> None:
    headers = api_token(client, partner.email)
    good = {
        "siret": "12345678200010",
        "raison_sociale": "Forge",
        "code_rome": codes.code_rome,
        "nombre": "3",
        "contrat": "pfmp",
        "code_insee": codes.commune,
    }
    bad = good | {"code_insee": codes.far_commune}
    refused = client.request(
        "POST",
        "/api/v1/besoins/import?fichier=adherents.csv",
        content=_file([good, bad]),
        headers=headers,
    )
    assert refused.status_code == 422
    assert "adherents.csv, ligne 3, colonne « code_insee »" in refused.json()["detail"]
    assert client.request("GET", "/api/v1/besoins", headers=headers).json()["total"] == 0
    done = client.request(
        "POST", "/api/v1/besoins/import?fichier=adherents.csv", content=_file([good, good]),
        headers=headers,
    )  # fmt: skip
    assert done.status_code == 201 and done.json()["importes"] == 2
    assert done.json()["entreprises_creees"] == 1
    company = api_token(client, COMPANY.email)
    forbidden = client.request(
        "POST", "/api/v1/besoins/import", content=_file([good]), headers=company
    )
    assert forbidden.status_code == 403


def test_a_title_with_an_address_is_refused_in_french(client: WebClient, codes: Codes) -> None:
    _declare(client, COMPANY, codes)
    headers = api_token(client, COMPANY.email)
    answer = client.request(
        "POST",
        "/api/v1/besoins",
        json=_need(codes, intitule="Postulez sur https://exemple.fr"),
        headers=headers,
    )
    assert answer.status_code == 422
    assert "lien" in answer.json()["detail"]


def test_writes_are_limited_per_account(
    needs_url: str, needs_engine: sa.Engine, tmp_path: Path, codes: Codes
) -> None:
    with needs_engine.begin() as conn:
        create(conn, COMPANY)
        create(conn, OTHER)
    for client in _client(needs_url, tmp_path, besoins_par_heure=3):
        _declare(client, COMPANY, codes)  # 2 writes: the company, a need
        headers = api_token(client, COMPANY.email)
        assert (
            client.request(
                "POST", "/api/v1/besoins", json=_need(codes), headers=headers
            ).status_code
            == 201
        )
        refused = client.request("POST", "/api/v1/besoins", json=_need(codes), headers=headers)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert "par heure" in refused.json()["detail"]
        # Another account is not limited by the first one's writes.
        _declare(client, OTHER, codes)


def test_the_openapi_documents_the_needs(client: WebClient) -> None:
    paths = client.json(OPENAPI_URL)["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/besoins"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/besoins/{besoin}"])
    assert "post" in paths["/api/v1/besoins/import"]
    assert {"get", "post"} <= set(paths["/api/v1/entreprises"])


def test_my_data_holds_my_company_and_goes_with_my_account(client: WebClient, codes: Codes) -> None:
    need = _declare(client, COMPANY, codes)
    headers = api_token(client, COMPANY.email)
    mine = client.request("GET", "/api/v1/moi/donnees", headers=headers).json()
    assert mine["entreprise"]["siret"] == COMPANY.siret
    assert [n["id"] for n in mine["entreprise"]["besoins"]] == [need]
    assert client.request("DELETE", "/api/v1/moi", headers=headers).status_code == 204
    admin = api_token(client, PEOPLE["administrateur"].email)
    assert client.request("GET", f"/api/v1/besoins/{need}", headers=admin).status_code == 404
    companies = client.request("GET", "/api/v1/entreprises", headers=admin).json()
    assert COMPANY.siret not in [c["siret"] for c in companies]
