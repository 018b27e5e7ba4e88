"""The synthesis of a territory (``web/diagnostic/synthesis_pages.py``) on the real files: its
gaps are the API's rows ranked by each objective's size, its trend the trend's totals, and the
région is linked from the home page and the breadcrumbs."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.web.client import WebClient
from tests.web.reading import page_text
from tremplin.diagnostic.classify import OBJECTIVES
from tremplin.diagnostic.ranking import SIZE_COLUMNS
from tremplin.formats import format_number
from tremplin.reports.figures import format_value

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def client(real_store_url: str) -> Iterator[WebClient]:
    found = WebClient.on(real_store_url)
    yield found
    found.close()


def _gap_rows(html: str, objective: str) -> list[tuple[str, str]]:
    block = html.split(f'id="ecarts-{objective}"', 1)[1].split('class="synthese__objectif"', 1)[0]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td class="nombre">(.*?)</td>', block)
    return [(page_text(label), page_text(size)) for label, size in rows]


@pytest.mark.parametrize(
    "where", ["maille=region&territoire=84", "maille=departement&territoire=01"]
)
def test_the_gaps_are_the_largest_of_each_objective(client: WebClient, where: str) -> None:
    answer = client.get(f"/diagnostic/synthese?{where}")
    assert answer.status_code == 200
    html = answer.text
    for objective in OBJECTIVES:
        ranked = client.json(f"/api/v1/diagnostic?{where}&objectif={objective}&taille=5")
        column = SIZE_COLUMNS[objective]
        expected = [
            (row["groupe"], format_value(column, row[column])) for row in ranked["lignes"][:5]
        ]
        assert _gap_rows(html, objective) == expected, objective
        if not expected:
            assert (
                "Aucun groupe de métiers n’appelle cet objectif."
                in html.split(f'id="ecarts-{objective}"', 1)[1][:600]
            )


def test_the_headline_and_the_trend_are_the_rows_totals(client: WebClient) -> None:
    html = client.get("/diagnostic/synthese?maille=departement&territoire=01").text
    rows = client.json("/api/v1/diagnostic?maille=departement&territoire=01&taille=1000")["lignes"]
    places = round(sum(r["places"] for r in rows))
    headline = page_text(html.split('id="chiffres-cles"', 1)[1].split("</ul>", 1)[0])
    assert page_text(f"{format_number(places)} Places offertes par an") in headline
    trend = client.json("/api/v1/tendances?maille=departement&territoire=01&taille=1000")["lignes"]
    wishes = sum(
        r["voeux_confirmes"] for r in trend if (r["annee"], r["offres"]) == (2023, "toutes")
    )
    table = html.split('id="synthese-tendance-table"', 1)[1].split("</table>", 1)[0]
    row = re.search(r'data-annee="2023" data-offres="toutes">(.*?)</tr>', table)
    assert row is not None
    assert page_text(format_number(round(wishes))) in page_text(row.group(1))
    assert "Parcoursup 2022 : Mêmes lignes que" in page_text(html)


def test_the_region_is_linked_from_home_and_breadcrumbs(client: WebClient) -> None:
    assert 'href="/diagnostic/synthese"' in client.get("/").text
    territory = client.get("/diagnostic/territoire/departement/01").text
    assert 'href="/diagnostic/synthese"' in territory  # the breadcrumb
    assert 'id="lien-synthese" href="/diagnostic/synthese?maille=departement&amp;territoire=01' in (
        territory
    )
    ain = client.get("/diagnostic/synthese?maille=departement&territoire=01").text
    assert 'href="/diagnostic/synthese?maille=region&amp;territoire=84">Auvergne-Rhône-Alpes' in ain
    assert "Auvergne-Rhône-Alpes — synthèse pour le comité" in page_text(
        client.get("/diagnostic/synthese").text
    )
    assert client.get("/diagnostic/synthese?maille=departement&territoire=zz").status_code == 404


def test_a_trade_group_outside_the_perimeter_says_so(client: WebClient) -> None:
    # Construction (B) is outside the default « industrie » perimeter on the real files.
    outside = client.get("/diagnostic/metier/famille_fap/B")
    assert outside.status_code == 404
    said = page_text(outside.text)
    assert "(B) est hors du périmètre « industrie »" in said
    assert "/diagnostic/metier/famille_fap/B?perimetre=tout" in said
    assert client.get("/diagnostic/metier/famille_fap/B?perimetre=tout").status_code == 200
    assert "inconnu" in page_text(client.get("/diagnostic/metier/famille_fap/ZZZ").text)
