"""The trend's API, exports and page (``web/diagnostic/trend_api.py``, ``trend_pages.py``) on
the real files: the same rows as the library, the year a source lacks said."""

from __future__ import annotations

import io
from collections.abc import Iterator

import polars as pl
import pytest
import sqlalchemy as sa
from python_calamine import CalamineWorkbook

from tests.web.client import WebClient
from tests.web.reading import csv_frame, page_text
from tremplin.diagnostic.facts import stored_facts
from tremplin.diagnostic.indicators import Query
from tremplin.diagnostic.trends import ORDER, trend
from tremplin.referentials.perimeter import Perimeter
from tremplin.reports.figures import COLUMN_LABELS
from tremplin.store.provenance import list_loaded_files, year_warnings

pytestmark = pytest.mark.realdata

AIN = "maille=departement&territoire=01&palier=bts"


@pytest.fixture(scope="module")
def client(real_store_url: str) -> Iterator[WebClient]:
    found = WebClient.on(real_store_url)
    yield found
    found.close()


def _expected(engine: sa.Engine, query: Query) -> pl.DataFrame:
    with engine.connect() as conn:
        facts = stored_facts(conn, Perimeter.load(None))
        return trend(facts, query, year_warnings(list_loaded_files(conn)))


def test_trend_rows_equal_the_library(client: WebClient, real_engine: sa.Engine) -> None:
    served = client.json(f"/api/v1/tendances?{AIN}&taille=1000")
    expected = _expected(real_engine, Query(maille="departement", territoire="01", palier="bts"))
    assert served["total"] == expected.height == len(served["lignes"])
    assert all(list(row) == ORDER for row in served["lignes"])
    assert served["lignes"] == expected.to_dicts()
    # The year is no filter of a trend: the document does not offer it.
    document = client.json("/api/openapi.json")
    names = {p["name"] for p in document["paths"]["/api/v1/tendances"]["get"]["parameters"]}
    assert {
        "maille",
        "territoire",
        "groupement",
        "groupe",
        "perimetre",
        "niveau",
        "palier",
    } <= names
    assert "annee" not in names


def test_trend_exports_hold_the_rows(client: WebClient, real_engine: sa.Engine) -> None:
    expected = _expected(real_engine, Query(maille="departement", territoire="01", palier="bts"))
    answer = client.get(f"/api/v1/tendances.csv?{AIN}")
    assert answer.status_code == 200
    assert "# Source : Parcoursup, 2021, 2023" in answer.content.decode("utf-8-sig")
    frame = csv_frame(answer.content)
    assert frame.height == expected.height
    label = COLUMN_LABELS["voeux_confirmes"]
    # The CSV writes each weighted count as the page shows it, to one decimal: the sum of the
    # rows is within half a unit of the last place per row.
    rows = expected.height
    assert frame[label].sum() == pytest.approx(
        expected["voeux_confirmes"].sum(), abs=0.05 * rows + 1e-6
    )
    workbook = CalamineWorkbook.from_filelike(
        io.BytesIO(client.get(f"/api/v1/tendances.xlsx?{AIN}").content)
    )
    assert workbook.sheet_names == ["Sources", "Tendances"]
    assert len(workbook.get_sheet_by_name("Tendances").to_python()) == expected.height + 1
    document = client.json(f"/api/v1/tendances.json?{AIN}")
    assert document["titre"] == "Tendances" and len(document["lignes"]) == expected.height


def test_a_year_a_source_lacks_is_a_422_naming_it(client: WebClient) -> None:
    answer = client.get("/api/v1/diagnostic?annee=2022")
    assert answer.status_code == 422
    assert answer.json()["detail"] == (
        "annee : Affelnet n'a pas de fichier pour 2022 ; années chargées : 2021."
    )
    answer = client.get("/api/v1/diagnostic.csv?annee=2024&palier=bts")
    assert answer.status_code == 422
    assert "Parcoursup n'a pas de fichier pour 2024" in answer.json()["detail"]
    assert client.get("/api/v1/diagnostic?annee=2022&palier=bts").status_code == 200


def test_trend_page_shows_chart_table_and_warnings(client: WebClient) -> None:
    answer = client.get(f"/diagnostic/tendances?{AIN}")
    assert answer.status_code == 200
    html = answer.text
    assert 'id="graphique-tendance-0"' in html and 'id="tableau-tendances-total"' in html
    text = page_text(html)
    assert "Tendances — Ain" in text
    assert "Parcoursup 2022 : Mêmes lignes que BTS_attractivite_capacite_2021.csv" in text
    assert "/api/v1/tendances.csv?maille=departement&amp;territoire=01" in html
    assert client.get("/diagnostic/tendances?maille=departement&territoire=zz").status_code == 404
    # The région of the partnership by default.
    assert "Tendances — Auvergne-Rhône-Alpes" in page_text(client.get("/diagnostic/tendances").text)
