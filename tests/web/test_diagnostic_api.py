"""The diagnostic's API (``web/diagnostic/api.py``): rows, filters, OpenAPI, map shapes and
exports, on a store of the demo territory."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from python_calamine import CalamineWorkbook

from tests.stores import DEMO_ACADEMIE
from tests.web.client import WebClient
from tests.web.reading import assert_rounded, busiest_row, computed, csv_frame
from tremplin.diagnostic import rules
from tremplin.diagnostic.classify import OBJECTIVES
from tremplin.diagnostic.indicators import ORDER, Query
from tremplin.reports.figures import COLUMN_LABELS
from tremplin.web.diagnostic.api import ROW_COLUMNS, DiagnosticRow


@pytest.fixture
def client(demo_client: WebClient) -> WebClient:
    return demo_client


def test_diagnostic_rows_have_the_documented_shape_and_paginate(client: WebClient) -> None:
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


def test_diagnostic_rows_equal_compute(client: WebClient, demo_engine: sa.Engine) -> None:
    served = client.json("/api/v1/diagnostic?maille=departement&groupement=fap&taille=1000")
    expected = computed(demo_engine, Query(maille="departement", groupement="fap"))
    assert served["total"] == expected.height
    for got, want in zip(served["lignes"], expected.to_dicts(), strict=True):
        assert {k: got[k] for k in ORDER} == pytest.approx(want, nan_ok=True)


def test_objective_filter_keeps_rows_that_call_for_it(client: WebClient) -> None:
    everything = client.json("/api/v1/diagnostic?maille=bassin&taille=1000")["lignes"]
    for objective in OBJECTIVES:
        kept = client.json(f"/api/v1/diagnostic?maille=bassin&taille=1000&objectif={objective}")
        # Issue 8: the rows that call for an objective come ranked by its size, largest first
        # (they came by code before); they are still exactly those rows.
        expected = [r for r in everything if objective in r["objectifs"]]
        key = lambda r: (r["code_territoire"], r["code_groupe"])  # noqa: E731
        assert sorted(kept["lignes"], key=key) == sorted(expected, key=key)
        sizes = [r[f"taille_{objective}"] for r in kept["lignes"]]
        known = [s for s in sizes if s is not None]
        assert known == sorted(known, reverse=True)
        assert sizes[: len(known)] == known  # unknown sizes last


def test_territory_and_group_filters(client: WebClient) -> None:
    busiest = busiest_row(client, "bassin")
    rows = client.json(
        f"/api/v1/diagnostic?maille=bassin&territoire={busiest['code_territoire']}&taille=1000"
    )["lignes"]
    assert rows and {r["code_territoire"] for r in rows} == {busiest["code_territoire"]}
    group = client.json(
        f"/api/v1/diagnostic?maille=bassin&groupe={busiest['code_groupe']}&taille=1000"
    )["lignes"]
    assert busiest in group
    assert {r["code_groupe"] for r in group} == {busiest["code_groupe"]}


def test_openapi_documents_every_column(client: WebClient) -> None:
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


def test_map_shapes(client: WebClient) -> None:
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


def test_csv_export_reads_back_with_the_api_numbers(client: WebClient) -> None:
    query = "maille=bassin&region=84&groupement=famille_fap"
    rows = client.json(f"/api/v1/diagnostic?{query}&taille=1000")["lignes"]
    response = client.get(f"/api/v1/diagnostic.csv?{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "diagnostic.csv" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff# Diagnostic territorial".encode())
    preamble = response.content.decode("utf-8-sig").split("\n")
    assert any(line.startswith("# Source : Affelnet, 2021") for line in preamble)
    frame = csv_frame(response.content)
    assert frame.height == len(rows)
    assert frame.columns[:3] == ["Maille", "Code du territoire", "Territoire"]
    # Rounded as the page shows them: weighted counts to 1 decimal, pressure to 2.
    for name, digits in (
        ("capacite", 1),
        ("demandes_voeux_1", 1),
        ("taux_pression", 2),
        ("projets_recrutement", 0),
    ):
        column = frame.get_column(COLUMN_LABELS[name]).to_list()
        assert_rounded(column, [r[name] for r in rows], digits, name)
    # Strings with the separator are quoted, lists are joined.
    reader = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    assert max(len(line) for line in reader) == len(ROW_COLUMNS)


def test_xlsx_export_has_a_sources_sheet_then_the_api_numbers(client: WebClient) -> None:
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
    for name, digits in (("places", 1), ("taux_pression", 2), ("taux_remplissage", 3)):
        index = ROW_COLUMNS.index(name)
        got = [None if cell == "" else cell for cell in (line[index] for line in body)]
        assert_rounded(got, [r[name] for r in rows], digits, name)


def test_json_export_is_the_api_rows_with_their_sources(client: WebClient) -> None:
    query = "maille=departement&region=84&objectif=acces"
    rows = client.json(f"/api/v1/diagnostic?{query}&taille=1000")["lignes"]
    response = client.get(f"/api/v1/diagnostic.json?{query}")
    assert response.status_code == 200
    assert "diagnostic.json" in response.headers["content-disposition"]
    document = response.json()
    assert document["titre"] == "Diagnostic territorial"
    assert {"nom": "Objectif", "valeur": "Accès à la formation"} in document["filtres"]
    assert any(s["source"] == "Affelnet" for s in document["sources"])
    assert document["lignes"] == rows
    paths = client.json("/api/openapi.json")["paths"]
    for kind in ("csv", "xlsx", "json"):
        assert f"/api/v1/diagnostic.{kind}" in paths
        assert f"/api/v1/offres.{kind}" in paths and f"/api/v1/formations.{kind}" in paths
