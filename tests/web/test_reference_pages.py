"""The coverage of the joins and the glossary (``web/diagnostic/reference_pages.py``)."""

from __future__ import annotations

from dataclasses import fields

import pytest
from markupsafe import escape

from tests.web.client import WebClient
from tremplin.diagnostic import rules
from tremplin.diagnostic.indicators import INDICATORS
from tremplin.diagnostic.selection import THRESHOLD_COLUMNS
from tremplin.reports.figures import format_value
from tremplin.web.diagnostic.reference_pages import THRESHOLD_TEXTS


@pytest.fixture
def client(demo_client: WebClient) -> WebClient:
    return demo_client


def test_coverage_api_and_page(client: WebClient) -> None:
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


def test_glossary_names_every_indicator_and_threshold(client: WebClient) -> None:
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


def test_glossary_names_the_fap_levels_and_the_thresholds(client: WebClient) -> None:
    html = client.get("/glossaire").text
    levels = html[html.index('id="tableau-niveaux-fap"') :]
    for _column, name, _shape, _size in rules.FAP_LEVELS:
        assert f'<th scope="row">{name}</th>' in levels
    assert "Domaine professionnel (FAP 2021, 22 domaines)" in html
    assert "Famille professionnelle (FAP 2021, 86 familles)" in html
    section = html[html.index('id="tri-seuils"') : html.index('id="colonnes"')]
    for name in THRESHOLD_COLUMNS:
        assert f"<code>{name}</code>" in section
