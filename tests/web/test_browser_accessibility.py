"""The diagnostic's pages pass axe-core's WCAG 2.1 A and AA rules in Chromium, as a reader finds
them: consoles sorted, filtered by thresholds and on several territories, territory pages
sorted, the glossary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.web.browser import Tab, axe_violations, chromium, opened_tab, served
from tests.web.client import web_settings
from tremplin.web.app import create_app

pytestmark = pytest.mark.browser

PAGES = (
    "/diagnostic/formations",
    "/diagnostic/offres",
    "/diagnostic/offres?perimetre=tout&min_taux_pression=1,3&tri=taux_pression&ordre=desc",
    "/diagnostic/formations?perimetre=tout&code_departement=01&code_departement=38"
    "&max_taux_remplissage=0.9",
    "/diagnostic/territoire/region/84?perimetre=tout&tri=places&ordre=desc",
    "/diagnostic/metier/famille_fap/D?maille=departement&tri=territoire",
    "/glossaire",
    "/",
    "/sources",
    "/couverture",
    "/diagnostic?maille=departement",
    "/diagnostic/tendances?maille=region&territoire=84",
    "/diagnostic/synthese?maille=region&territoire=84",
    "/simulations",
    "/connexion",
    "/donnees-personnelles",
    "/orientation/metier/H2206?commune=38185",
    "/orientation/metier/H1101",
    "/orientation/formations?rome=H2206&commune=38185&niveau=apres-3e",
    "/orientation/formations?rome=H1101&commune=Grenoble&niveau=apres-bac&voie=apprentissage",
    "/orientation/formations?rome=H2206",
)


@pytest.fixture(scope="module")
def base_url(demo_store_url: str) -> Iterator[str]:
    with served(create_app(web_settings(demo_store_url))) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("dsfr/dsfr.min.css", "htmx/htmx.min.js") as launched:
        yield launched


@pytest.mark.parametrize("path", PAGES)
def test_page_passes_axe(browser: Browser, base_url: str, path: str) -> None:
    with opened_tab(browser, base_url) as tab:
        page: Tab = tab
        loaded = page.goto(path)
        expect(loaded.locator("html")).to_have_attribute("data-fr-js", "true")
        assert axe_violations(loaded) == []
        page.check()
