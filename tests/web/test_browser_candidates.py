"""A candidate in a real browser (Debian's Chromium, Playwright, uvicorn) on a copy of the demo
store: from the login page, sign up, publish a profile with consent (the trade picked in the
datalist's field), see an offer near home ranked with its sentence, apply, see the application
listed; every page passes axe-core (WCAG 2.1 A and AA) and loads nothing from another site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.accounts.people import PASSWORD
from tests.companies.offer_sample import an_offer
from tests.companies.sample import Codes, sample_codes
from tests.web.browser import axe_violations, chromium, opened_tab, served
from tests.web.client import web_settings
from tremplin.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def codes(needs_engine: sa.Engine) -> Codes:
    with needs_engine.connect() as conn:
        return sample_codes(conn)


@pytest.fixture
def base_url(needs_url: str, needs_engine: sa.Engine, codes: Codes) -> Iterator[str]:
    with needs_engine.begin() as conn:
        an_offer(conn, codes, codes.far_commune, title="Apprenti loin de chez moi")
        an_offer(conn, codes, codes.commune, title="Apprenti près de chez moi")
    with served(create_app(web_settings(needs_url))) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("dsfr/dsfr.min.css", "htmx/htmx.min.js") as launched:
        yield launched


def test_a_young_person_signs_up_and_applies(browser: Browser, base_url: str, codes: Codes) -> None:
    with opened_tab(browser, base_url) as tab:
        page = tab.page
        page.goto(base_url + "/connexion")
        page.wait_for_load_state("networkidle")
        page.click("#lien-inscription")
        page.wait_for_url(base_url + "/inscription")
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == []
        page.fill("#email", "camille@tremplin.test")
        page.fill("#mot_de_passe", PASSWORD)
        page.fill("#confirmation", PASSWORD)
        page.click("#formulaire-inscription button[type=submit]")
        page.wait_for_url(base_url + "/candidat/profil?bienvenue=1")
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == []
        # The trade search, then the profile with its consent.
        page.fill("#recherche", "souder")
        page.click("#recherche-metier button[type=submit]")
        expect(page.locator("#metiers-trouves")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == []
        page.fill("#metier-1", codes.code_rome)
        page.fill("#code_insee", codes.commune)
        page.fill("#rayon_km", "30")
        page.select_option("#niveau", "4")
        page.click("label[for=consentement]")  # DSFR draws the box on the label
        page.click("#formulaire-profil button[type=submit]")
        expect(page.locator("#profil-enregistre")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == []
        # The offers for me: the one near home first, with why.
        page.goto(base_url + "/candidat/offres")
        page.wait_for_load_state("networkidle")
        first = page.locator("#offres-pour-moi tbody tr").first
        expect(first).to_contain_text("Apprenti près de chez moi")
        expect(first).to_contain_text("Même métier que l’offre")
        expect(first).to_contain_text("dans le rayon de 30 km")
        assert axe_violations(page) == []
        first.locator("a").click()
        page.wait_for_load_state("networkidle")
        expect(page.locator("#pourquoi")).to_contain_text("Rang 1")
        assert axe_violations(page) == []
        page.fill("#message", "Bonjour, je voudrais apprendre ce métier près de chez moi.")
        page.click("#candidater")
        expect(page.locator("#candidature-envoyee")).to_be_visible()
        expect(page.locator("#mes-candidatures")).to_contain_text("Apprenti près de chez moi")
        expect(page.locator("#mes-candidatures")).to_contain_text("Envoyée")
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == []
        tab.check()
