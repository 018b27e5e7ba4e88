"""The diagnostic's pages (``web/diagnostic/pages.py``): the map, a territory, a trade; in-process
through ASGI, on a store of the demo territory."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests.web.client import WebClient
from tests.web.reading import busiest_row, computed, figure_cells
from tremplin.config import Settings
from tremplin.diagnostic.classify import OBJECTIVES, classify
from tremplin.diagnostic.facts import build_facts
from tremplin.diagnostic.indicators import INDICATORS, Query
from tremplin.diagnostic.ranking import SIZE_COLUMNS, rank
from tremplin.referentials.perimeter import Perimeter
from tremplin.reports.figures import format_cell


@pytest.fixture
def client(demo_client: WebClient) -> WebClient:
    return demo_client


PAGES = (
    "/diagnostic",
    "/diagnostic?maille=bassin&vue=indicateur&indicateur=places",
    "/diagnostic?maille=departement&perimetre=tout&groupement=fap",
    "/diagnostic/formations",
    "/diagnostic/offres",
    "/diagnostic/offres?code_region=&perimetre=tout&page=2",
    "/couverture",
    "/glossaire",
)


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_in_french(client: WebClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    html = response.text
    assert '<html lang="fr">' in html
    assert "— Tremplin</title>" in html
    assert "Données fictives de démonstration" in html
    for leak in (">None<", ">nan<", "NaN", "Traceback", "{{", "{%"):
        assert leak not in html, (path, leak)
    # Every figure names its sources and links to the glossary.
    if path.startswith("/diagnostic"):
        assert 'id="sources-annees"' in html
        assert 'href="/glossaire' in html


def test_navigation_leads_to_the_diagnostic(client: WebClient) -> None:
    html = client.get("/").text
    for href, label in (
        ("/diagnostic", "Diagnostic"),
        ("/couverture", "Couverture"),
        ("/glossaire", "Glossaire"),
    ):
        assert f'<a class="fr-nav__link" href="{href}">{label}</a>' in html
    current = client.get("/diagnostic/offres").text
    assert 'href="/diagnostic" aria-current="page">Diagnostic</a>' in current


def test_map_page_embeds_its_settings_and_lists_territories_by_objective(client: WebClient) -> None:
    html = client.get("/diagnostic?maille=bassin&perimetre=industrie").text
    found = re.search(r'<script type="application/json" id="carte-config">(.*?)</script>', html)
    assert found
    config = json.loads(found.group(1))
    assert config["query"]["maille"] == "bassin"
    assert config["query"]["region"] == "84"
    assert config["shapes"] == "/api/v1/carte/bassin"
    assert {i["name"] for i in config["indicators"]} == {i.name for i in INDICATORS}
    assert '<script src="/static/vendor/leaflet/leaflet.js"></script>' in html
    for code in OBJECTIVES:
        assert f'id="objectif-{code}"' in html
    rows = client.json("/api/v1/diagnostic?maille=bassin&region=84&taille=1000")["lignes"]
    called = {r["territoire"] for r in rows if "acces" in r["objectifs"]}
    section = html.split('id="objectif-acces"')[1].split("</section>")[0]
    for name in sorted(called)[:12]:
        assert name in section


def test_territory_page_shows_compute_figures(client: WebClient, demo_engine: sa.Engine) -> None:
    busiest = busiest_row(client, "bassin")
    code = busiest["code_territoire"]
    response = client.get(f"/diagnostic/territoire/bassin/{code}?perimetre=tout")
    assert response.status_code == 200
    html = response.text
    expected = computed(demo_engine, Query(maille="bassin", perimetre="tout", territoire=code))
    cells = figure_cells(html)
    assert set(cells) == set(expected.get_column("code_groupe"))
    shown = 0
    for row in expected.iter_rows(named=True):
        for name, text in cells[row["code_groupe"]].items():
            # A BMO figure says its secret cells: « secret », « au moins N (…) ».
            assert text == format_cell(row, name), (row["code_groupe"], name)
            shown += 1
    assert shown > 20
    assert f"<h1>{escape(busiest['territoire'])}</h1>" in html
    # Sources and years, glossary links, charts, consoles filtered on the territory.
    assert "Affelnet 2021" in html
    assert 'href="/glossaire#taux_pression"' in html
    assert 'id="graphique-demande"' in html
    assert 'id="graphique-difficulte"' in html
    assert f"/diagnostic/offres?perimetre=tout&amp;code_region=&amp;bassin_bmo={code}" in html


def test_trade_page_shows_every_territory_of_a_group(
    client: WebClient, demo_engine: sa.Engine
) -> None:
    busiest = busiest_row(client, "departement")
    group = busiest["code_groupe"]
    html = client.get(f"/diagnostic/metier/famille_fap/{group}?maille=departement").text
    expected = computed(demo_engine, Query(maille="departement", groupe=group, dans="region:84"))
    cells = figure_cells(html)
    assert set(cells) == set(expected.get_column("code_territoire"))
    for row in expected.iter_rows(named=True):
        for name, text in cells[row["code_territoire"]].items():
            assert text == format_cell(row, name)
    assert f"<h1>{escape(busiest['groupe'])}</h1>" in html
    assert client.get("/diagnostic/metier/famille_fap/ZZZ").status_code == 404


def test_pages_of_an_empty_store_say_how_to_load_files(
    store: sa.Engine, sqlite_url: str, tmp_path: Path
) -> None:
    empty = WebClient(
        Settings.from_env(
            {"TREMPLIN_DATABASE_URL": sqlite_url, "TREMPLIN_SOURCES": str(tmp_path / "src")}
        )
    )
    for path in ("/diagnostic", "/diagnostic/offres", "/couverture", "/glossaire"):
        response = empty.get(path)
        assert response.status_code == 200, path
    html = empty.get("/diagnostic").text
    assert "Aucune donnée chargée" in html
    assert f"tremplin load {tmp_path / 'src'}" in html


def test_a_territory_page_says_secret_and_ranks_each_objective(
    client: WebClient, demo_engine: sa.Engine
) -> None:
    rows = computed(demo_engine, Query(maille="bassin", perimetre="tout", dans="region:84"))
    secret = rows.filter(pl.col("projets_recrutement_secret").fill_null(False))
    partly = rows.filter(
        (pl.col("part_cellules_bmo_secretes") > 0) & (pl.col("part_cellules_bmo_secretes") < 1)
    )
    assert secret.height and partly.height  # the demo suppresses small BMO cells (« * »)
    code, group = (
        secret.row(0, named=True)["code_territoire"],
        secret.row(0, named=True)["code_groupe"],
    )
    html = client.get(f"/diagnostic/territoire/bassin/{code}?perimetre=tout").text
    assert figure_cells(html)[group]["projets_recrutement"] == "secret"
    # Each objective, its rows ranked by its size, largest first.
    territory = classify(rows.filter(pl.col("code_territoire") == code), reasons=False)
    assert 'id="classement-objectifs"' in html
    for objective, column in SIZE_COLUMNS.items():
        ranked = rank(territory, objective)
        if ranked.is_empty():
            assert f'id="classement-{objective}"' not in html
            continue
        section = html.split(f'id="classement-{objective}"')[1].split("</ol>")[0]
        names = re.findall(r"<strong>(.*?)</strong>", section)
        assert names == [str(escape(n)) for n in ranked.get_column("groupe")]
        sizes = [v for v in ranked.get_column(column).to_list() if v is not None]
        assert sizes == sorted(sizes, reverse=True)


def test_formation_page_shows_its_trades_and_their_weights(
    client: WebClient, demo_engine: sa.Engine
) -> None:
    with demo_engine.connect() as conn:
        facts = build_facts(conn, Perimeter.load(None))
    offres = facts.offres.filter(pl.col("code_region") == "84")
    # The formation of the région spread over the most trades.
    assert facts.metiers is not None
    counts = facts.metiers.group_by("id_offre").len("n")
    spread = offres.join(counts, on="id_offre").sort("n", "cfd")
    cfd = spread.item(spread.height - 1, "cfd")
    html = client.get(f"/diagnostic/metier/diplome/{cfd}?perimetre=tout").text
    assert "Les métiers de cette formation" in html
    table = html[
        html.index('id="tableau-poids"') : html.index("</table>", html.index('id="tableau-poids"'))
    ]
    cells = re.findall(r"<td>([0-9\u202f\u00a0,]+)\u00a0%</td>", table)
    assert cells
    # The weights shown add up to 100 % (each rounded to one decimal).
    total = sum(
        float(c.replace("\u202f", "").replace("\u00a0", "").replace(",", ".")) for c in cells
    )
    assert total == pytest.approx(100.0, abs=0.05 * len(cells))
    assert "Pourquoi ces poids" in html


def test_territory_tables_sort_by_any_column(demo_client: WebClient) -> None:
    rows = demo_client.json("/api/v1/diagnostic?maille=region&territoire=84&perimetre=tout")[
        "lignes"
    ]
    html = demo_client.get(
        "/diagnostic/territoire/region/84?perimetre=tout&tri=places&ordre=desc"
    ).text
    assert re.search(
        r'<th scope="col" class="nombre" aria-sort="descending">\s*'
        r'<a class="lien-tri" href="[^"]*tri=places&amp;ordre=asc',
        html,
    )
    table = html[
        html.index('id="tableau-demande"') : html.index(
            "</table>", html.index('id="tableau-demande"')
        )
    ]
    codes = re.findall(r'<tr data-code="([^"]+)">', table)
    expected = [r["code_groupe"] for r in sorted(rows, key=lambda r: -r["places"])]
    assert codes == expected
    assert demo_client.get("/diagnostic/territoire/region/84?tri=inconnu").status_code == 422
