"""The trend's page and the printable synthesis in a real browser (Debian's headless
Chromium, Playwright, uvicorn) on the real files: the trend reached from a territory's page, its
chart and tables drawn, its filters working; the synthesis on one A4 page; nothing requested
outside 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.web.browser import Tab, chromium, opened_tab, served
from tests.web.client import web_settings
from tremplin.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.realdata]


@pytest.fixture(scope="module")
def base_url(real_store_url: str) -> Iterator[str]:
    with served(create_app(web_settings(real_store_url))) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("dsfr/dsfr.min.css") as launched:
        yield launched


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    with opened_tab(browser, base_url) as opened:
        yield opened


def test_trend_page_from_a_territory_page(tab: Tab) -> None:
    page = tab.goto("/diagnostic/territoire/departement/01")
    page.locator("#lien-tendances").click()
    page.wait_for_url("**/diagnostic/tendances?maille=departement&territoire=01**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tendances — Ain")
    chart = page.locator("#graphique-tendance-0")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() >= 3  # bars of 2021 and 2023, and the legend
    total = page.locator("#tableau-tendances-total")
    expect(total).to_be_visible()
    expect(total.locator("tr[data-annee='2023'][data-offres='comparables']")).to_have_count(1)
    expect(page.locator("#avertissements-tendances")).to_contain_text("Parcoursup 2022")
    # The palier's filter: BTS only, so Affelnet's figures are no part of it.
    page.select_option("#filtre-palier", "bts")
    page.locator("#filtres-tendances button[type=submit]").click()
    page.wait_for_url("**palier=bts**")
    expect(page.locator(".fr-text--lead")).to_contain_text("1re année de bts")
    row = page.locator("#tableau-tendances-total tr[data-annee='2021'][data-offres='toutes']")
    expect(row.locator("td[data-indicateur='demandes_voeux_1']")).to_have_text("—")
    tab.check()


@pytest.mark.parametrize("where", ["", "?maille=departement&territoire=01"])
def test_the_synthesis_prints_on_one_a4_page(tab: Tab, where: str) -> None:
    page = tab.goto(f"/diagnostic/synthese{where}")
    expect(page.locator("#synthese")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".fr-header")).to_be_hidden()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    # One page object in the PDF (« /Type /Pages » is the tree that holds them).
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    tab.check()
