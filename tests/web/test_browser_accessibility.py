"""The diagnostic's pages pass axe-core's WCAG 2.1 A and AA rules in Chromium, as a reader finds
them: consoles sorted, filtered by thresholds and on several territories, territory pages
sorted, the glossary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.accounts.people import PASSWORD, PEOPLE
from tests.planning.samples import SeededCarte, seeded_carte
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
    "/orientation",
    "/orientation/metiers?q=je+veux+r%C3%A9parer+des+machines&commune=07010",
    "/orientation/metiers?q=xqzwv",
    "/orientation/metiers?domaine=H29",
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


# --- the carte des formations: pages behind an account, on a copy of the demo store ----------

CARTE_PAGES = (
    "/carte",
    "/carte/campagnes/1",
    "/carte/campagnes/1?statut=validee&tri=uai&ordre=desc",
    "/carte/campagnes/1/indicateurs",
    "/carte/campagnes/1/indicateurs?par=niveau",
    "/carte/demandes/1",
    "/carte/demandes/2",
    "/carte/demandes/3",
    "/carte/demandes/nouvelle?campagne=1&uai={uai}&mef={mef}",
)


@pytest.fixture(scope="module")
def carte_site(
    demo_store_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, SeededCarte]]:
    """The application on a copy of the demo store with campaign 1 and its three requests (one
    validated with opinions, a draft with an attachment and its upload form, one ready for the
    vote) and an administrator; the offer the new-request form names."""
    seeded = seeded_carte(demo_store_url, tmp_path_factory.mktemp("carte"))
    with served(create_app(web_settings(seeded.url))) as address:
        yield address, seeded


@pytest.mark.parametrize("path", CARTE_PAGES)
def test_carte_page_passes_axe(
    browser: Browser, carte_site: tuple[str, SeededCarte], path: str
) -> None:
    base_url, seeded = carte_site
    with opened_tab(browser, base_url) as tab:
        page = tab.page
        page.goto(base_url + "/connexion")
        page.wait_for_load_state("networkidle")
        page.fill("#email", PEOPLE["administrateur"].email)
        page.fill("#mot_de_passe", PASSWORD)
        page.click("#formulaire-connexion button[type=submit]")
        page.wait_for_load_state("networkidle")
        loaded = tab.goto(path.format(uai=seeded.uai, mef=seeded.mef))
        expect(loaded.locator("html")).to_have_attribute("data-fr-js", "true")
        expect(loaded.locator("h1")).not_to_contain_text("Erreur")
        assert axe_violations(loaded) == []
        tab.check()
