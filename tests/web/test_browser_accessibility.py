"""The diagnostic's pages pass axe-core's WCAG 2.1 A and AA rules in Chromium, as a reader finds
them: consoles sorted, filtered by thresholds and on several territories, territory pages
sorted, the glossary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.web.browser import Tab, axe_violations, chromium, opened_tab, served
from tests.web.client import web_settings
from tests.web.companies import PEOPLE_OF_STORE, company_store, log_in
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


COMPANY_PAGES = (
    ("entreprise", "/entreprise"),
    ("entreprise", "/entreprise/besoins/{besoin}"),
    ("partenaire_industrie", "/partenaire/besoins"),
)
"""The companies' pages, as the account that uses them sees them (with one need declared)."""


@pytest.fixture(scope="module")
def company_url(demo_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the demo store with a company, its partner and one need, served."""
    url = company_store(demo_store_url, tmp_path_factory.mktemp("entreprises"))
    with served(create_app(web_settings(url))) as address:
        yield address


@pytest.mark.parametrize(("role", "path"), COMPANY_PAGES)
def test_company_page_passes_axe(browser: Browser, company_url: str, role: str, path: str) -> None:
    with opened_tab(browser, company_url) as tab:
        target = path.replace("{besoin}", "1")
        log_in(tab.page, company_url, PEOPLE_OF_STORE[role].email, target)
        assert axe_violations(tab.page) == []
        tab.check()
