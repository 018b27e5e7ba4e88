"""The consoles' API and exports (``web/diagnostic/console_api.py``), on the demo territory."""

from __future__ import annotations

import io
import re

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from tests.web.client import WebClient
from tests.web.reading import assert_rounded, busiest_row, csv_frame
from tremplin.reports.figures import COLUMN_LABELS
from tremplin.web.diagnostic.console_spec import CONSOLES, ConsoleSpec


@pytest.fixture
def client(demo_client: WebClient) -> WebClient:
    return demo_client


def test_console_api_filters_and_paginates(client: WebClient) -> None:
    busiest = busiest_row(client, "bassin")
    bassin = busiest["code_territoire"]
    offers = client.json(f"/api/v1/offres?bassin_bmo={bassin}&perimetre=tout&taille=1000")
    assert offers["total"] == len(offers["lignes"]) > 0
    assert {r["bassin_bmo"] for r in offers["lignes"]} == {bassin}
    # The offers behind a figure add up to it: places of the bassin, all groups.
    # The consoles list entry offers: compare with the diagnostic of the same palier.
    rows = client.json(
        f"/api/v1/diagnostic?maille=bassin&territoire={bassin}&perimetre=tout&palier=entree"
    )
    affelnet = sum(r["capacite"] or 0 for r in offers["lignes"] if r["source"] == "affelnet")
    assert affelnet == sum(r["capacite"] for r in rows["lignes"])
    first = client.json(f"/api/v1/offres?bassin_bmo={bassin}&perimetre=tout&taille=3&page=2")
    assert first["lignes"] == offers["lignes"][3:6]
    formations = client.json("/api/v1/formations?code_region=84&taille=5")
    assert formations["taille"] == 5 and len(formations["lignes"]) <= 5
    assert {"cfd", "libelle_formation", "capacite", "taux_pression"} <= set(formations["lignes"][0])


def test_console_exports_read_back(client: WebClient) -> None:
    offers = client.json("/api/v1/offres?code_region=84&perimetre=tout&taille=1000")
    content = client.get("/api/v1/offres.csv?code_region=84&perimetre=tout").content
    frame = csv_frame(content)
    assert frame.height == offers["total"]
    frame = frame.head(len(offers["lignes"]))
    assert frame.get_column("UAI").to_list() == [r["uai"] for r in offers["lignes"]]
    # Pressure rounded to 2 decimals, as the page writes it.
    assert_rounded(
        frame.get_column(COLUMN_LABELS["taux_pression"]).to_list(),
        [r["taux_pression"] for r in offers["lignes"]],
        2,
        "taux_pression",
    )
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(client.get("/api/v1/formations.xlsx?code_region=84").content)
    )
    assert book.sheet_names[0] == "Sources"
    formations = client.json("/api/v1/formations?code_region=84&taille=1000")
    assert len(book.get_sheet_by_name(book.sheet_names[1]).to_python()) == formations["total"] + 1


@pytest.mark.parametrize("spec", CONSOLES.values(), ids=list(CONSOLES))
def test_each_console_is_declared_once_for_its_page_api_and_exports(
    client: WebClient, spec: ConsoleSpec
) -> None:
    query = "code_region=84&perimetre=tout"
    rows = client.json(f"/api/v1/{spec.name}?{query}&taille=1000")["lignes"]
    assert rows and list(rows[0]) == [c for c in spec.exported if c in rows[0]]
    exported = client.get(f"/api/v1/{spec.name}.json?{query}")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/json")
    assert f"{spec.name}.json" in exported.headers["content-disposition"]
    document = exported.json()
    assert document["titre"] == spec.export_title
    assert {"nom": "Région", "valeur": "84"} in document["filtres"]
    assert document["lignes"][: len(rows)] == rows
    header = csv_frame(client.get(f"/api/v1/{spec.name}.csv?{query}").content).columns
    assert header == [c.label for c in spec.columns if c.name in rows[0]]
    html = client.page(f"/diagnostic/{spec.name}?{query}")
    shown = re.findall(r'<th scope="col" data-colonne="([^"]+)"', html)
    assert shown == [c.name for c in spec.columns if c.page is not None and c.name in rows[0]]
    assert {c.name for c in spec.columns if c.page == "shown"} <= set(shown)


def test_console_api_takes_several_departements_thresholds_and_a_sort(client: WebClient) -> None:
    base = "/api/v1/offres?perimetre=tout&taille=1000"
    everything = client.json(f"{base}&code_region=84")["lignes"]
    first, second = sorted({r["code_departement"] for r in everything if r["code_departement"]})[:2]
    each = [client.json(f"{base}&code_departement={code}")["lignes"] for code in (first, second)]
    both = client.json(f"{base}&code_departement={first}&code_departement={second}")["lignes"]
    listed = client.json(f"{base}&code_departement={first},{second}")["lignes"]
    assert both == listed
    assert sorted(map(repr, both)) == sorted(map(repr, each[0] + each[1]))
    # Every territory code has its name next to it.
    assert all(r["departement"] for r in both) and all(r["region"] for r in both)

    kept = client.json(f"{base}&code_region=84&min_taux_pression=1.3&tri=taux_pression&ordre=asc")
    pressures = [r["taux_pression"] for r in kept["lignes"]]
    expected = sorted(
        r["taux_pression"]
        for r in everything
        if r["taux_pression"] is not None and r["taux_pression"] >= 1.3
    )
    assert pressures == expected and pressures
    # By default, the rows come ranked by places missing, largest first.
    missing = [r["places_manquantes"] for r in everything if r["places_manquantes"] is not None]
    assert missing == sorted(missing, reverse=True)
    assert [r["places_manquantes"] for r in everything[: len(missing)]] == missing
    assert client.get("/api/v1/offres?tri=inconnu").status_code == 422
    csv_content = client.get(
        "/api/v1/offres.csv?code_region=84&perimetre=tout&min_taux_pression=1.3"
        "&tri=taux_pression&ordre=asc"
    ).content
    frame = csv_frame(csv_content)
    assert frame.get_column(COLUMN_LABELS["taux_pression"]).to_list() == [
        round(p, 2) for p in pressures
    ]
    assert set(frame.get_column(COLUMN_LABELS["statut"])) <= {"Scolaire", "Apprentissage"}
    assert set(frame.get_column(COLUMN_LABELS["source"])) <= {"Affelnet", "Parcoursup"}
    # Each code column comes with its label.
    for code, label in (
        ("code_departement", "departement"),
        ("uai", "etablissement"),
        ("cfd", "libelle_formation"),
        ("fap86", "libelle_fap86"),
        ("bassin_bmo", "nom_bassin_bmo"),
    ):
        assert COLUMN_LABELS[label] in frame.columns, label
        codes = frame.get_column(COLUMN_LABELS[code])
        labels = frame.get_column(COLUMN_LABELS[label])
        assert (codes.is_null() | labels.is_not_null()).all(), label
    # A ROME code is named by the ROME fiches loaded (the demo's cover part of the codes).
    named = frame.filter(pl.col(COLUMN_LABELS["libelle_rome"]).is_not_null())
    assert named.height and named.get_column(COLUMN_LABELS["code_rome"]).null_count() == 0
