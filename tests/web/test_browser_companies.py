"""Companies in a real browser (Debian's Chromium, Playwright, uvicorn) on a copy of the demo
store: a company records itself and declares a need with the trade picker, fills it; a
partner of the industry downloads the template and imports a file through the upload form;
every page passes axe-core (WCAG 2.1 A and AA) and loads nothing from another site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.accounts.people import PEOPLE, Person, create
from tests.companies.sample import Codes, sample_codes
from tests.web.browser import axe_violations, chromium, opened_tab, served
from tests.web.client import web_settings
from tests.web.companies import log_in
from tremplin.companies.imports import COLUMNS
from tremplin.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def codes(needs_engine: sa.Engine) -> Codes:
    with needs_engine.connect() as conn:
        return sample_codes(conn)


@pytest.fixture
def partner(codes: Codes) -> Person:
    return Person(
        "partenaire_industrie", "emploi@uimm.test", territoire=f"departement:{codes.departement}"
    )


@pytest.fixture
def base_url(needs_url: str, needs_engine: sa.Engine, partner: Person) -> Iterator[str]:
    with needs_engine.begin() as conn:
        create(conn, PEOPLE["entreprise"])
        create(conn, partner)
    with served(create_app(web_settings(needs_url))) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("dsfr/dsfr.min.css", "htmx/htmx.min.js") as launched:
        yield launched


def test_a_company_declares_and_fills_a_need(browser: Browser, base_url: str, codes: Codes) -> None:
    with opened_tab(browser, base_url) as tab:
        page = tab.page
        log_in(page, base_url, PEOPLE["entreprise"].email, "/entreprise")
        assert axe_violations(page) == []
        page.fill("#nom", "Chaudronnerie de l’Ain")
        page.fill("#site", codes.commune)
        page.click("#formulaire-entreprise button[type=submit]")
        expect(page.locator("#fiche-entreprise")).to_contain_text(codes.commune)
        page.wait_for_load_state("networkidle")
        page.fill("#code_rome", codes.code_rome)
        page.fill("#nombre", "3")
        page.select_option("#contrat", "apprentissage")
        page.click("#formulaire-besoin button[type=submit]")
        expect(page.locator("#statut")).to_have_text("Ouvert")
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == []
        page.fill("#pourvus", "1")
        page.click("#formulaire-pourvoir button[type=submit]")
        expect(page.locator("#statut")).to_have_text("Pourvu partiellement")
        page.wait_for_load_state("networkidle")
        page.goto(base_url + "/entreprise")
        expect(page.locator("#besoins")).to_contain_text(codes.code_rome)
        page.wait_for_load_state("networkidle")
        tab.check()


def test_a_partner_imports_a_file_through_the_form(
    browser: Browser, base_url: str, codes: Codes, partner: Person, tmp_path: Path
) -> None:
    with opened_tab(browser, base_url) as tab:
        page = tab.page
        log_in(page, base_url, partner.email, "/partenaire/besoins")
        expect(page.locator("#aucun-besoin")).to_be_visible()
        assert axe_violations(page) == []
        with page.expect_download() as download:
            page.click("a[href='/api/v1/besoins/modele.csv']")
        template = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert template.splitlines()[0] == ";".join(COLUMNS)
        row = {
            "siret": "12345678200010",
            "raison_sociale": "Forge",
            "code_rome": codes.code_rome,
            "nombre": "4",
            "contrat": "pfmp",
            "code_insee": codes.commune,
        }
        bad = tmp_path / "faux.csv"
        bad.write_text(
            ";".join(COLUMNS)
            + "\n"
            + ";".join((row | {"nombre": "x"}).get(c, "") for c in COLUMNS),
            encoding="utf-8",
        )
        page.set_input_files("#fichier", str(bad))
        page.click("#formulaire-import button[type=submit]")
        expect(page.locator("#erreur-import")).to_contain_text(
            "faux.csv, ligne 2, colonne « nombre »"
        )
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == []
        good = tmp_path / "adherents.csv"
        good.write_text(
            ";".join(COLUMNS) + "\n" + ";".join(row.get(c, "") for c in COLUMNS) + "\n",
            encoding="utf-8",
        )
        page.set_input_files("#fichier", str(good))
        page.click("#formulaire-import button[type=submit]")
        expect(page.locator("#import-reussi")).to_contain_text("1 besoin(s) importé(s)")
        expect(page.locator("#agregats")).to_contain_text(codes.code_rome)
        page.wait_for_load_state("networkidle")
        # The refused file answered 422 (the form again, with its errors), nothing else failed.
        tab.assert_only_local_requests()
        assert tab.failed == [f"422 {base_url}/partenaire/besoins"]
        assert tab.errors == []
