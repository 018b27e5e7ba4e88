"""The diagnostic's pages and API, in-process through ASGI, on a store of the demo territory."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import anyio
import httpx
import polars as pl
import pytest
import sqlalchemy as sa
from markupsafe import escape
from python_calamine import CalamineWorkbook

from tremplin.config import Settings
from tremplin.demo import generate_demo
from tremplin.diagnostic import rules
from tremplin.diagnostic.classify import OBJECTIVES
from tremplin.diagnostic.facts import build_facts
from tremplin.diagnostic.indicators import INDICATORS, ORDER, Query, compute
from tremplin.referentials.perimeter import Perimeter
from tremplin.reports.figures import COLUMN_LABELS, format_value
from tremplin.sources.ingest import load_paths
from tremplin.store.database import open_store
from tremplin.web.app import create_app
from tremplin.web.diagnostic.api import ROW_COLUMNS, DiagnosticRow
from tremplin.web.diagnostic.reference_pages import THRESHOLD_TEXTS
from tremplin.web.diagnostic.service import CHECK_EVERY

DEMO_ACADEMIE = "08"
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


def _hull(points: list[tuple[float, float]]) -> list[list[float]]:
    """The convex hull of ``points`` (monotone chain), closed, as GeoJSON positions."""
    ordered = sorted(set(points))

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for point in ordered:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], point) <= 0:
            lower.pop()
        lower.append(point)
    for point in reversed(ordered):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], point) <= 0:
            upper.pop()
        upper.append(point)
    ring = lower[:-1] + upper[:-1]
    return [[x, y] for x, y in [*ring, ring[0]]]


def write_academy_map(demo: Path) -> Path:
    """The map of académies in the official GeoJSON layout, with one fictional polygon: the
    convex hull of the demo's communes (the demo writes no map of its own)."""
    communes = pl.read_csv(
        demo / "territoires" / "communes_2026_pop_geopoint.csv", infer_schema_length=0
    )
    points = [
        (round(float(lon), 4), round(float(lat), 4))
        for lat, lon in communes.select("latitude", "longitude").iter_rows()
    ]
    feature = {
        "type": "Feature",
        "geometry": {"coordinates": [_hull(points)], "type": "Polygon"},
        "properties": {
            "libelle_aca_majuscules": "GRENOBLE",
            "code_academie": DEMO_ACADEMIE,
            "geo_point_2d": [45.2, 5.6],
            "name": "Grenoble",
            "code_region_2016": "84",
            "libelle_region_2016": "Auvergne-Rhône-Alpes",
        },
    }
    path = demo / "territoires" / "fond_carte_academies.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    return path


@dataclass(frozen=True)
class DemoStore:
    url: str
    folder: Path


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> DemoStore:
    """A SQLite store holding the demo territory and a map of its académie."""
    root = tmp_path_factory.mktemp("diagnostic")
    folder = root / "demo"
    generate_demo(folder)
    write_academy_map(folder)
    url = f"sqlite:///{root / 'tremplin.sqlite'}"
    engine = open_store(url)
    report = load_paths(engine, [folder])
    assert not [o for o in report.outcomes if o.problems], report
    engine.dispose()
    return DemoStore(url, folder)


class Client:
    """Requests to the ASGI application in-process."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)

    def get(self, path: str) -> httpx.Response:
        async def _get() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://tremplin.test") as c:
                return await c.get(path)

        return anyio.run(_get)

    def json(self, path: str) -> Any:
        response = self.get(path)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def client(demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory) -> Client:
    root = tmp_path_factory.mktemp("settings")
    return Client(
        Settings.from_env(
            {
                "TREMPLIN_DATABASE_URL": demo_store.url,
                "TREMPLIN_SOURCES": str(root / "sources"),
                "TREMPLIN_DEMO_DIR": str(root / "demo"),
            }
        )
    )


@pytest.fixture(scope="module")
def engine(demo_store: DemoStore) -> Iterator[sa.Engine]:
    found = sa.create_engine(demo_store.url)
    yield found
    found.dispose()


def _computed(engine: sa.Engine, query: Query) -> pl.DataFrame:
    """The rows ``compute`` gives, on facts built here, independently of the app's cache."""
    with engine.connect() as conn:
        facts = build_facts(conn, Perimeter.load(None))
    return compute(facts, query)


def _busiest(client: Client, maille: str) -> dict[str, Any]:
    """The row of ``maille`` in AURA with the most places (a territory with many figures)."""
    rows = client.json(f"/api/v1/diagnostic?maille={maille}&region=84&taille=1000")["lignes"]
    placed = [r for r in rows if rules.UNPLACED not in (r["code_territoire"], r["code_groupe"])]
    return max(placed, key=lambda r: (r["places"], r["code_territoire"]))


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_in_french(client: Client, path: str) -> None:
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


def test_navigation_leads_to_the_diagnostic(client: Client) -> None:
    html = client.get("/").text
    for href, label in (
        ("/diagnostic", "Diagnostic"),
        ("/couverture", "Couverture"),
        ("/glossaire", "Glossaire"),
    ):
        assert f'<a class="fr-nav__link" href="{href}">{label}</a>' in html
    current = client.get("/diagnostic/offres").text
    assert 'href="/diagnostic" aria-current="page">Diagnostic</a>' in current


def test_map_page_embeds_its_settings_and_lists_territories_by_objective(client: Client) -> None:
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


def test_bad_values_give_a_french_422(client: Client) -> None:
    response = client.get("/api/v1/diagnostic?maille=canton")
    assert response.status_code == 422
    message = response.json()["detail"]
    assert message.startswith("maille « canton » inconnu ; valeurs possibles : region, academie")
    assert client.get("/api/v1/diagnostic?taille=5000").json()["detail"] == (
        "taille « 5000 » : au plus 1000 est attendu"
    )
    assert client.get("/api/v1/diagnostic?annee=demain").json()["detail"] == (
        "annee « demain » : un nombre entier est attendu"
    )
    assert "objectif « paix » inconnu" in client.get("/api/v1/diagnostic?objectif=paix").text
    assert "statut « stage » inconnu" in client.get("/api/v1/offres?statut=stage").text
    page = client.get("/diagnostic?maille=canton")
    assert page.status_code == 422
    assert "maille « canton » inconnu" in page.text
    assert '<html lang="fr">' in page.text
    assert client.get("/diagnostic/territoire/bassin/nulle-part").status_code == 404


# --- API ---------------------------------------------------------------------------------------


def test_diagnostic_rows_have_the_documented_shape_and_paginate(client: Client) -> None:
    everything = client.json("/api/v1/diagnostic?maille=bassin&region=84&taille=1000")
    assert everything["page"] == 1 and everything["taille"] == 1000
    total = everything["total"]
    assert total == len(everything["lignes"]) > 10
    for row in everything["lignes"]:
        assert list(row) == ROW_COLUMNS
        assert row["maille"] == "bassin"
        assert set(row["objectifs"]) <= set(OBJECTIVES)
        assert len(row["explications"]) == len(row["objectifs"])
    pages = []
    for page in range(1, total // 7 + 2):
        answer = client.json(f"/api/v1/diagnostic?maille=bassin&region=84&taille=7&page={page}")
        assert answer["total"] == total and answer["page"] == page
        pages += answer["lignes"]
    assert pages == everything["lignes"]
    beyond = client.json(f"/api/v1/diagnostic?maille=bassin&region=84&taille=7&page={total}")
    assert beyond["lignes"] == [] or total <= 7


def test_diagnostic_rows_equal_compute(client: Client, engine: sa.Engine) -> None:
    served = client.json("/api/v1/diagnostic?maille=departement&groupement=fap&taille=1000")
    expected = _computed(engine, Query(maille="departement", groupement="fap"))
    assert served["total"] == expected.height
    for got, want in zip(served["lignes"], expected.to_dicts(), strict=True):
        assert {k: got[k] for k in ORDER} == pytest.approx(want, nan_ok=True)


def test_objective_filter_keeps_rows_that_call_for_it(client: Client) -> None:
    everything = client.json("/api/v1/diagnostic?maille=bassin&taille=1000")["lignes"]
    for objective in OBJECTIVES:
        kept = client.json(f"/api/v1/diagnostic?maille=bassin&taille=1000&objectif={objective}")
        assert kept["lignes"] == [r for r in everything if objective in r["objectifs"]]


def test_territory_and_group_filters(client: Client) -> None:
    busiest = _busiest(client, "bassin")
    rows = client.json(
        f"/api/v1/diagnostic?maille=bassin&territoire={busiest['code_territoire']}&taille=1000"
    )["lignes"]
    assert rows and {r["code_territoire"] for r in rows} == {busiest["code_territoire"]}
    group = client.json(
        f"/api/v1/diagnostic?maille=bassin&groupe={busiest['code_groupe']}&taille=1000"
    )["lignes"]
    assert busiest in group
    assert {r["code_groupe"] for r in group} == {busiest["code_groupe"]}


def test_openapi_documents_every_column(client: Client) -> None:
    assert list(DiagnosticRow.model_fields) == ROW_COLUMNS
    document = client.json("/api/openapi.json")
    for path in (
        "/api/v1/diagnostic",
        "/api/v1/diagnostic.csv",
        "/api/v1/diagnostic.xlsx",
        "/api/v1/couverture",
        "/api/v1/formations",
        "/api/v1/offres",
        "/api/v1/carte/{maille}",
    ):
        assert path in document["paths"], path
    row = document["components"]["schemas"]["DiagnosticRow"]["properties"]
    assert list(row) == ROW_COLUMNS
    parameters = {
        p["name"]: p for p in document["paths"]["/api/v1/diagnostic"]["get"]["parameters"]
    }
    assert parameters["maille"]["schema"]["enum"] == list(rules.MAILLES)
    assert {"page", "taille", "objectif", "region", "territoire", "groupe"} <= set(parameters)


def test_coverage_api_and_page(client: Client) -> None:
    rows = client.json("/api/v1/couverture")
    assert rows
    assert {r["territoire"] for r in rows} == {"France", "Auvergne-Rhône-Alpes"}
    for row in rows:
        assert row["lignes_conservees"] <= row["lignes"]
        assert row["volume_conserve"] <= row["volume_total"]
    html = client.get("/couverture").text
    assert "Couverture des jointures — Auvergne-Rhône-Alpes" in html
    first = rows[0]
    assert f"{format_value('lignes', first['lignes'])}" in html
    assert "Non rattaché" in html


def test_glossary_names_every_indicator_and_threshold(client: Client) -> None:
    html = client.get("/glossaire").text
    for indicator in INDICATORS:
        assert f'id="{indicator.name}"' in html
        assert str(escape(indicator.label)) in html
    assert set(THRESHOLD_TEXTS) == {f.name for f in fields(rules.Thresholds)}
    for field in fields(rules.Thresholds):
        assert f"<code>{field.name}</code>" in html
    assert 'id="tableau-perimetre"' in html
    assert "Industrie / métallurgie" in html
    assert "GPL-3" in html


def test_map_shapes(client: Client) -> None:
    academies = client.json("/api/v1/carte/academie?region=84")
    assert academies["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in academies["features"]}
    assert by_code[DEMO_ACADEMIE]["geometry"]["type"] == "Polygon"
    assert by_code[DEMO_ACADEMIE]["properties"]["forme"] == "polygone"
    bassins = client.json("/api/v1/carte/bassin?region=84")["features"]
    assert len(bassins) > 3
    assert {f["geometry"]["type"] for f in bassins} == {"Point"}
    rows = client.json("/api/v1/diagnostic?maille=bassin&region=84&taille=1000")["lignes"]
    drawn = {f["properties"]["code"] for f in bassins}
    assert {r["code_territoire"] for r in rows} - {rules.UNPLACED} <= drawn
    assert client.get("/api/v1/carte/canton").status_code == 422


# --- exports -----------------------------------------------------------------------------------


def _csv_frame(content: bytes) -> pl.DataFrame:
    return pl.read_csv(
        io.BytesIO(content),
        separator=";",
        decimal_comma=True,
        comment_prefix="#",
        infer_schema_length=None,
    )


def test_csv_export_reads_back_with_the_api_numbers(client: Client) -> None:
    query = "maille=bassin&region=84&groupement=famille_fap"
    rows = client.json(f"/api/v1/diagnostic?{query}&taille=1000")["lignes"]
    response = client.get(f"/api/v1/diagnostic.csv?{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "diagnostic.csv" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff# Diagnostic territorial".encode())
    preamble = response.content.decode("utf-8-sig").split("\n")
    assert any(line.startswith("# Source : Affelnet, 2021") for line in preamble)
    frame = _csv_frame(response.content)
    assert frame.height == len(rows)
    assert frame.columns[:3] == ["Maille", "Code du territoire", "Territoire"]
    for name in ("capacite", "demandes_voeux_1", "taux_pression", "projets_recrutement"):
        column = frame.get_column(COLUMN_LABELS[name]).to_list()
        assert column == pytest.approx([r[name] for r in rows], nan_ok=True), name
    # Strings with the separator are quoted, lists are joined.
    reader = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    assert max(len(line) for line in reader) == len(ROW_COLUMNS)


def test_xlsx_export_has_a_sources_sheet_then_the_api_numbers(client: Client) -> None:
    query = "maille=departement&region=84&groupement=fap&objectif=acces"
    rows = client.json(f"/api/v1/diagnostic?{query}&taille=1000")["lignes"]
    response = client.get(f"/api/v1/diagnostic.xlsx?{query}")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["Sources", "Diagnostic"]
    about = book.get_sheet_by_name("Sources").to_python()
    text = " ".join(str(cell) for line in about for cell in line)
    assert "Diagnostic territorial" in text
    assert "Affelnet" in text and "2021" in text
    assert "Accès à la formation" in text
    data = book.get_sheet_by_name("Diagnostic").to_python()
    header, body = data[0], data[1:]
    assert header == [COLUMN_LABELS[c] for c in ROW_COLUMNS]
    assert len(body) == len(rows)
    for name in ("places", "taux_pression", "taux_remplissage"):
        index = ROW_COLUMNS.index(name)
        got = [None if cell == "" else cell for cell in (line[index] for line in body)]
        assert got == pytest.approx([r[name] for r in rows], nan_ok=True), name


# --- territory and trade pages ----------------------------------------------------------------


class _Cells(HTMLParser):
    """The ``data-indicateur`` cells of the figures table, by row code."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, dict[str, str]] = {}
        self._row: str | None = None
        self._cell: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and values.get("data-code"):
            self._row = values["data-code"]
            self.cells.setdefault(self._row or "", {})
        if tag == "td" and self._row and values.get("data-indicateur"):
            self._cell, self._text = values["data-indicateur"], ""

    def handle_data(self, data: str) -> None:
        if self._cell:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell and self._row:
            self.cells[self._row][self._cell] = self._text.strip()
            self._cell = None
        if tag == "tr":
            self._row = None


def _cells(html: str) -> dict[str, dict[str, str]]:
    parser = _Cells()
    parser.feed(html)
    return parser.cells


def test_territory_page_shows_compute_figures(client: Client, engine: sa.Engine) -> None:
    busiest = _busiest(client, "bassin")
    code = busiest["code_territoire"]
    response = client.get(f"/diagnostic/territoire/bassin/{code}?perimetre=tout")
    assert response.status_code == 200
    html = response.text
    expected = _computed(engine, Query(maille="bassin", perimetre="tout", territoire=code))
    cells = _cells(html)
    assert set(cells) == set(expected.get_column("code_groupe"))
    shown = 0
    for row in expected.iter_rows(named=True):
        for name, text in cells[row["code_groupe"]].items():
            assert text == format_value(name, row[name]), (row["code_groupe"], name)
            shown += 1
    assert shown > 20
    assert f"<h1>{escape(busiest['territoire'])}</h1>" in html
    # Sources and years, glossary links, charts, consoles filtered on the territory.
    assert "Affelnet 2021" in html
    assert 'href="/glossaire#taux_pression"' in html
    assert 'id="graphique-demande"' in html
    assert 'id="graphique-difficulte"' in html
    assert f"/diagnostic/offres?perimetre=tout&amp;code_region=&amp;bassin_bmo={code}" in html


def test_trade_page_shows_every_territory_of_a_group(client: Client, engine: sa.Engine) -> None:
    busiest = _busiest(client, "departement")
    group = busiest["code_groupe"]
    html = client.get(f"/diagnostic/metier/famille_fap/{group}?maille=departement").text
    expected = _computed(engine, Query(maille="departement", groupe=group, dans="region:84"))
    cells = _cells(html)
    assert set(cells) == set(expected.get_column("code_territoire"))
    for row in expected.iter_rows(named=True):
        for name, text in cells[row["code_territoire"]].items():
            assert text == format_value(name, row[name])
    assert f"<h1>{escape(busiest['groupe'])}</h1>" in html
    assert client.get("/diagnostic/metier/famille_fap/ZZZ").status_code == 404


# --- consoles ----------------------------------------------------------------------------------


def test_console_api_filters_and_paginates(client: Client) -> None:
    busiest = _busiest(client, "bassin")
    bassin = busiest["code_territoire"]
    offers = client.json(f"/api/v1/offres?bassin_bmo={bassin}&perimetre=tout&taille=1000")
    assert offers["total"] == len(offers["lignes"]) > 0
    assert {r["bassin_bmo"] for r in offers["lignes"]} == {bassin}
    # The offers behind a figure add up to it: places of the bassin, all groups.
    rows = client.json(f"/api/v1/diagnostic?maille=bassin&territoire={bassin}&perimetre=tout")
    affelnet = sum(r["capacite"] or 0 for r in offers["lignes"] if r["source"] == "affelnet")
    assert affelnet == sum(r["capacite"] for r in rows["lignes"])
    first = client.json(f"/api/v1/offres?bassin_bmo={bassin}&perimetre=tout&taille=3&page=2")
    assert first["lignes"] == offers["lignes"][3:6]
    formations = client.json("/api/v1/formations?code_region=84&taille=5")
    assert formations["taille"] == 5 and len(formations["lignes"]) <= 5
    assert {"cfd", "libelle_formation", "capacite", "taux_pression"} <= set(formations["lignes"][0])


def test_console_exports_read_back(client: Client) -> None:
    offers = client.json("/api/v1/offres?code_region=84&perimetre=tout&taille=1000")
    content = client.get("/api/v1/offres.csv?code_region=84&perimetre=tout").content
    frame = _csv_frame(content)
    assert frame.height == offers["total"]
    frame = frame.head(len(offers["lignes"]))
    assert frame.get_column("UAI").to_list() == [r["uai"] for r in offers["lignes"]]
    assert frame.get_column(COLUMN_LABELS["taux_pression"]).to_list() == pytest.approx(
        [r["taux_pression"] for r in offers["lignes"]], nan_ok=True
    )
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(client.get("/api/v1/formations.xlsx?code_region=84").content)
    )
    assert book.sheet_names[0] == "Sources"
    formations = client.json("/api/v1/formations?code_region=84&taille=1000")
    assert len(book.get_sheet_by_name(book.sheet_names[1]).to_python()) == formations["total"] + 1


def test_console_pages_filter_and_link_to_establishments(client: Client) -> None:
    html = client.get("/diagnostic/formations?code_region=84&perimetre=tout").text
    assert 'id="choix-colonnes"' in html and 'id="requetes-enregistrees"' in html
    assert 'href="/api/v1/formations.csv?perimetre=tout&amp;code_region=84"' in html
    link = re.search(r'href="(/diagnostic/offres\?[^"]*cfd=[^"]*)"', html)
    assert link
    target = client.get(link.group(1).replace("&amp;", "&"))
    assert target.status_code == 200
    assert "Établissements et offres" in target.text
    empty = client.get("/diagnostic/offres?texte=introuvable-xyz").text
    assert "Aucune ligne pour ces filtres." in empty


def test_facts_are_built_once_and_rebuilt_when_the_store_changes(
    demo_store: DemoStore, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'copie.sqlite'}"
    source = sa.create_engine(demo_store.url)
    with source.connect() as conn:
        conn.exec_driver_sql(f"VACUUM INTO '{tmp_path / 'copie.sqlite'}'")
    source.dispose()
    copy = Client(Settings.from_env({"TREMPLIN_DATABASE_URL": url}))
    service = copy.app.state.diagnostic
    before = copy.json("/api/v1/diagnostic?maille=region&taille=1000")
    facts = service.facts()
    copy.json("/api/v1/diagnostic?maille=academie&taille=1000")
    assert service.facts() is facts
    # A new file changes the store: the next request sees new facts.
    extra = tmp_path / "extra"
    (extra / "effectifs").mkdir(parents=True)
    (extra / ".tremplin-demo").write_text("fictif", "utf-8")
    (extra / "effectifs" / "constat_2021.csv").write_text(
        "Rentrée scolaire;UAI;Mef Bcp 11;Nombre d'élèves : Total\n2021;0699999A;32221023210;12\n",
        encoding="utf-8-sig",
    )
    store = open_store(url)
    load_paths(store, [extra])
    store.dispose()
    # The store is checked again at most every CHECK_EVERY seconds.
    time.sleep(CHECK_EVERY + 0.05)
    after = copy.json("/api/v1/diagnostic?maille=region&taille=1000")
    assert service.facts() is not facts
    assert after["total"] == before["total"]


def test_pages_of_an_empty_store_say_how_to_load_files(
    store: sa.Engine, sqlite_url: str, tmp_path: Path
) -> None:
    empty = Client(
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
