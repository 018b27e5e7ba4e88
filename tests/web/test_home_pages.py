"""The home page and the « Sources de données » page (``web/home/pages.py``), in-process
through ASGI, on a real SQLite store that each test fills."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.web.client import WebClient
from tests.web.stores import BAD_UAI, write_bassins, write_constat
from tremplin.config import Settings
from tremplin.formats import format_datetime
from tremplin.sources.ingest import load_paths
from tremplin.store.provenance import list_loaded_files


@pytest.fixture
def client(store_client: WebClient) -> WebClient:
    return store_client


def test_home_page_is_french_and_dsfr(client: WebClient) -> None:
    html = client.page("/")
    assert '<html lang="fr">' in html
    assert "<title>Accueil — Tremplin</title>" in html
    assert '<p class="fr-logo">République<br>Française</p>' in html
    assert '<p class="fr-header__service-title">Tremplin</p>' in html
    for objective in (
        "Attractivité et orientation",
        "Accès à la formation",
        "Compétences pour les entreprises",
    ):
        assert objective in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    assert 'id="pied-de-page"' in html
    assert 'href="/sources"' in html and 'href="/api/docs"' in html
    assert '<a class="fr-nav__link" href="/" aria-current="page">Accueil</a>' in html


def test_pages_load_only_local_scripts_and_styles(client: WebClient) -> None:
    for path in ("/", "/sources", "/api/docs"):
        html = client.page(path)
        assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
        assert assets, path
        assert all(url.startswith("/static/") for url in assets), (path, assets)


def test_sources_empty_state(client: WebClient, settings: Settings) -> None:
    html = client.page("/sources")
    assert "<h1>Sources de données</h1>" in html
    assert "Aucune donnée chargée" in html
    assert f"tremplin load {settings.sources}" in html
    assert f"tremplin demo {settings.demo_dir}" in html
    assert "<table" not in html


def test_sources_lists_each_file_with_its_provenance(
    client: WebClient, store: sa.Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "sources"
    write_constat(folder, 2020, [83, 12345], bad_uai_rows=2)
    write_constat(folder, 2021, [980])
    write_bassins(folder / "bmo")
    load_paths(store, [folder])
    with store.connect() as conn:
        constat_2020 = next(f for f in list_loaded_files(conn) if f.millesime == "2020")

    html = client.page("/sources")
    assert "Aucune donnée chargée" not in html
    # One table per dataset, and one listing the rejected rows.
    assert html.count("<table>") == 3
    assert "Constat de rentrée — élèves par établissement et formation</h2>" in html
    assert "Producteur : DEPP" in html
    assert "BMO — communes de chaque bassin d&#39;emploi</h2>" in html
    for name in ("constat_2020.csv", "constat_2021.csv", "bassin_emploi_BMO_communes.csv"):
        assert f"<td>{name}</td>" in html
    assert '<td class="nombre">2</td>' in html  # rows loaded, and rejected, from constat_2020
    sha = constat_2020.sha256
    assert f'<code title="{sha}">{sha[:12]}…</code>' in html
    assert f"<td>{format_datetime(constat_2020.loaded_at)}</td>" in html
    # Only the file with rejected rows has a disclosure: line, column, value and reason.
    assert html.count("<details") == 1
    assert "Lignes rejetées de constat_2020.csv" in html
    assert '<td class="nombre">4</td>' in html and '<td class="nombre">5</td>' in html
    assert f"<code>{BAD_UAI}</code>" in html
    assert "un code UAI : 7 chiffres et une lettre, par ex. 0690001A" in html


def test_sources_shows_only_the_first_rejected_rows(
    client: WebClient, store: sa.Engine, tmp_path: Path
) -> None:
    # 50 bad rows among 570 stay under the loader's 10 % limit of rejected rows.
    load_paths(store, [write_constat(tmp_path, 2020, [10] * 520, bad_uai_rows=50)])
    html = client.page("/sources")
    assert '<td class="nombre">520</td>' in html
    assert "les 20 premières sur 50" in html
    assert html.count(f"<code>{BAD_UAI}</code>") == 20
    assert '<td class="nombre">541</td>' in html  # the 20th: header, 520 good rows, then bad ones
    assert '<td class="nombre">542</td>' not in html


def test_demo_banner_shows_on_every_page_iff_a_demo_file_is_loaded(
    client: WebClient, store: sa.Engine, tmp_path: Path
) -> None:
    banner = "Données fictives de démonstration"
    pages = ("/", "/sources")
    assert all(banner not in client.page(path) for path in pages)

    load_paths(store, [write_constat(tmp_path / "demo", 2021, [5], demo=True)])
    assert all(banner in client.page(path) for path in pages)
    assert banner in client.get("/nulle-part").text
    assert "Fictif" in client.page("/sources")

    # Real files replace the demo data: the banner goes with it.
    load_paths(store, [write_constat(tmp_path / "reels", 2020, [83])])
    assert all(banner not in client.page(path) for path in pages)


def test_own_stylesheet_is_served(client: WebClient) -> None:
    response = client.get("/static/tremplin.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["content-type"]


def test_sources_warns_of_a_millesime_that_repeats_another(
    client: WebClient, store: sa.Engine, sources_dir: Path
) -> None:
    folder = sources_dir / "parcoursup"
    load_paths(store, [folder / f"BTS_attractivite_capacite_{y}.csv" for y in (2021, 2022)])
    html = client.page("/sources")
    said = "Mêmes lignes que BTS_attractivite_capacite_2021.csv (millésime 2021)"
    # Once above the tables, once beside the year in the table of its dataset.
    assert html.count(said) == 2
    assert "<strong>BTS_attractivite_capacite_2022.csv</strong> (2022)" in html
    files = {f["year"]: f for f in client.get("/api/v1/sources").json()}
    assert files["2021"]["warnings"] == []
    [warning] = files["2022"]["warnings"]
    assert warning.startswith(said)
