"""The trainings near a need on the web (``web/companies/trainings.py``): the API, its CSV
export and the section of the need's page, read with the need's policy and scope; on a copy of
the real store, a need for welders in Oyonnax."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.accounts.people import PEOPLE, Person, create
from tests.companies.sample import OTHER_SIRET, Codes, sample_codes
from tests.web.accounts import api_token, cookie_header, web_login
from tests.web.client import WebClient, web_client, web_settings
from tremplin.companies.companies import save_company
from tremplin.companies.needs import create_need
from tremplin.orientation.data import orientation_data
from tremplin.orientation.need_trainings import DEFAULT_RADIUS_KM, need_trainings
from tremplin.referentials.perimeter import Perimeter
from tremplin.store.audit import COMMAND_LINE, Actor
from tremplin.store.database import open_store
from tremplin.web.app import OPENAPI_URL

COMPANY = PEOPLE["entreprise"]
OTHER = Person("entreprise", "rh@autre.test", siret=OTHER_SIRET)


@pytest.fixture
def codes(needs_engine: sa.Engine) -> Codes:
    with needs_engine.connect() as conn:
        return sample_codes(conn)


@pytest.fixture
def client(needs_url: str, needs_engine: sa.Engine, tmp_path: Path) -> Iterator[WebClient]:
    with needs_engine.begin() as conn:
        for person in (COMPANY, OTHER):
            create(conn, person)
    with web_client(web_settings(needs_url, tmp_path)) as client:
        yield client


def _declare(client: WebClient, codes: Codes) -> int:
    headers = api_token(client, COMPANY.email)
    saved = client.request("POST", "/api/v1/entreprises", json={"nom": "Atelier"}, headers=headers)
    assert saved.status_code == 201, saved.text
    need = {
        "code_rome": codes.code_rome,
        "nombre": 2,
        "contrat": "cdi",
        "code_insee": codes.commune,
    }
    created = client.request("POST", "/api/v1/besoins", json=need, headers=headers)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_the_trainings_of_a_need_are_read_as_the_need(client: WebClient, codes: Codes) -> None:
    need = _declare(client, codes)
    path = f"/api/v1/besoins/{need}/formations"
    mine = api_token(client, COMPANY.email)
    answer = client.request("GET", path, headers=mine)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["besoin"] == need and body["code_rome"] == codes.code_rome
    assert body["code_insee"] == codes.commune and body["rayon_km"] == DEFAULT_RADIUS_KM
    assert {"voie_scolaire", "apprentissage", "etablissements", "note", "ordre"} <= set(body)
    wider = client.request("GET", path, params={"rayon_km": "250"}, headers=mine).json()
    assert len(wider["voie_scolaire"]) >= len(body["voie_scolaire"])
    assert client.request("GET", path, params={"rayon_km": "0"}, headers=mine).status_code == 422
    other = api_token(client, OTHER.email)
    for address in (path, path + ".csv"):
        assert client.request("GET", address, headers=other).status_code == 404
        assert client.request("GET", address).status_code == 401
    csv = client.request("GET", path + ".csv", params={"rayon_km": "250"}, headers=mine)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    header = next(line for line in lines if not line.startswith("#"))
    assert header.startswith("Voie;Formation;Diplôme")
    assert len(lines) - lines.index(header) - 1 == len(wider["voie_scolaire"]) + len(
        wider["apprentissage"]
    )
    paths = client.get(OPENAPI_URL).json()["paths"]
    assert "rayon_km" in {
        p["name"] for p in paths["/api/v1/besoins/{besoin}/formations"]["get"]["parameters"]
    }
    assert "/api/v1/besoins/{besoin}/formations.csv" in paths


def test_the_needs_page_has_the_section(client: WebClient, codes: Codes) -> None:
    need = _declare(client, codes)
    cookies = cookie_header(web_login(client, COMPANY.email))
    page = client.request("GET", f"/entreprise/besoins/{need}", headers=cookies)
    assert page.status_code == 200
    assert "Formations proches menant à ce métier" in page.text
    assert "Établissements à contacter" in page.text
    refused = client.request(
        "GET", f"/entreprise/besoins/{need}", params={"rayon_km": "mille"}, headers=cookies
    )
    assert refused.status_code == 200 and "rayon invalide" in refused.text


# --- the real store --------------------------------------------------------------------------


@pytest.fixture
def welders(real_store_url: str, tmp_path: Path) -> Iterator[tuple[WebClient, int, str]]:
    """A copy of the real store with a need for welders (H2913) in Oyonnax, of level 4."""
    target = tmp_path / "reel.sqlite"
    shutil.copyfile(Path(real_store_url.removeprefix("sqlite:///")), target)
    url = f"sqlite:///{target}"
    engine = open_store(url)
    try:
        with engine.begin() as conn:
            create(conn, COMPANY)
            assert COMPANY.siret is not None
            company = save_company(conn, Actor(COMMAND_LINE), siret=COMPANY.siret, nom="Soudure")
            need = create_need(
                conn,
                Actor(COMMAND_LINE),
                company,
                {
                    "code_rome": "H2913",
                    "nombre": 3,
                    "contrat": "cdi",
                    "niveau": "4",
                    "code_insee": "01283",
                },
            )
    finally:
        engine.dispose()
    with web_client(web_settings(url, tmp_path)) as client:
        yield client, need.id, url


def test_welders_in_oyonnax_on_the_page_and_the_api(
    welders: tuple[WebClient, int, str],
) -> None:
    client, need, url = welders
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            expected = need_trainings(
                orientation_data(conn, Perimeter.load(None)), "H2913", "01283", "4"
            )
    finally:
        engine.dispose()
    body = client.request(
        "GET", f"/api/v1/besoins/{need}/formations", headers=api_token(client, COMPANY.email)
    ).json()
    assert body == {"besoin": need, **expected.as_json()}
    first = body["voie_scolaire"][0]
    assert first["uai"] == "0011119L" and first["niveau_adapte"]
    assert first["eleves_terminale"] is None and "non connu" in first["eleves_terminale_source"]
    assert first["taux_emploi_6_mois"] == pytest.approx(0.55)
    cookies = cookie_header(web_login(client, COMPANY.email))
    page = client.request("GET", f"/entreprise/besoins/{need}", headers=cookies).text
    assert "LPO LYCÉE DES MÉTIERS ARBEZ CARME" in page and "55\u00a0%" in page
    assert "Aucune formation en apprentissage menant à ce métier dans ce rayon." in page
