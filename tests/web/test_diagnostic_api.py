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


def test_several_territories_thresholds_and_sort(client: WebClient) -> None:
    base = "/api/v1/diagnostic?maille=departement&perimetre=tout&taille=1000"
    everything = client.json(f"{base}&region=84")["lignes"]
    first, second = sorted({r["code_territoire"] for r in everything} - {rules.UNPLACED})[:2]
    each = [client.json(f"{base}&territoire={code}")["lignes"] for code in (first, second)]
    repeated = client.json(f"{base}&territoire={first}&territoire={second}")["lignes"]
    listed = client.json(f"{base}&territoire={first},{second}")["lignes"]
    assert each[0] and each[1]
    assert repeated == listed == each[0] + each[1]

    # Thresholds: the rows whose figure is known and within them, in the API and its exports.
    query = "min_taux_pression=1,3&max_taux_remplissage=0.9&tri=taux_pression&ordre=desc"
    kept = client.json(f"{base}&region=84&{query}")["lignes"]
    expected = [
        r
        for r in everything
        if r["taux_pression"] is not None
        and r["taux_pression"] >= 1.3
        and r["taux_remplissage"] is not None
        and r["taux_remplissage"] <= 0.9
    ]
    assert kept and sorted(map(repr, kept)) == sorted(map(repr, expected))
    pressures = [r["taux_pression"] for r in kept]
    assert pressures == sorted(pressures, reverse=True)
    exported = client.json(
        f"/api/v1/diagnostic.json?maille=departement&perimetre=tout&region=84&{query}"
    )
    assert [r["taux_pression"] for r in exported["lignes"]] == pressures
    assert {"nom": "Taux de pression au moins", "valeur": "1,3"} in exported["filtres"]
    assert {"nom": "Tri", "valeur": "Taux de pression, décroissant"} in exported["filtres"]
    frame = csv_frame(
        client.get(f"/api/v1/diagnostic.csv?maille=departement&region=84&{query}").content
    )
    assert all(value >= 1.3 for value in frame.get_column(COLUMN_LABELS["taux_pression"]))

    # A secret count never passes a threshold (it is not 0).
    projects = client.json(f"{base}&region=84&max_projets_recrutement=0")["lignes"]
    assert all(r["projets_recrutement"] == 0 for r in projects)
    for bad in ("tri=inconnu", "ordre=haut&tri=places", "min_taux_pression=beaucoup"):
        answer = client.get(f"{base}&{bad}")
        assert answer.status_code == 422, bad
        assert "detail" in answer.json()
    described = client.json("/api/openapi.json")["paths"]["/api/v1/diagnostic"]["get"]["parameters"]
    names = {p["name"] for p in described}
    assert {"tri", "ordre", "min_taux_pression", "max_taux_remplissage"} <= names


def test_exports_write_labels_not_codes_and_rounded_values(client: WebClient) -> None:
    query = "maille=bassin&region=84&groupement=fap&perimetre=tout"
    content = client.get(f"/api/v1/diagnostic.csv?{query}").content.decode("utf-8-sig")
    frame = csv_frame(content.encode("utf-8"))
    assert set(frame.get_column(COLUMN_LABELS["maille"])) == {rules.MAILLE_LABELS["bassin"]}
    assert set(frame.get_column(COLUMN_LABELS["groupement"])) == {rules.GROUPEMENT_LABELS["fap"]}
    assert set(frame.get_column(COLUMN_LABELS["perimetre"])) == {"Tous les métiers"}
    assert set(frame.get_column(COLUMN_LABELS["palier"])) == {rules.PALIER_LABELS["tous"]}
    assert set(frame.get_column(COLUMN_LABELS["projets_recrutement_secret"]).drop_nulls()) <= {
        "oui",
        "non",
    }
    body = [line for line in content.splitlines() if not line.startswith("#")]
    cells = [cell for line in body[1:] for cell in line.split(";")]
    # Every number has at most three decimals (a share: 0.1 point), none is a formula.
    decimals = [len(c.split(",")[1]) for c in cells if c.replace(",", "").isdigit() and "," in c]
    assert decimals and max(decimals) <= 3
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    header = body[0].split(";")
    counts = frame.get_column(COLUMN_LABELS["capacite"]).drop_nulls()
    assert (counts * 10 - (counts * 10).round()).abs().max() < 1e-9  # type: ignore[operator]
    assert "Maille" in header
