"""Accounts in a real browser: Debian's headless Chromium, driven by Playwright, on uvicorn.

A planner logs in through the form (the session cookie and the CSRF token as a browser handles
them), sees her account in the header and on « Mon compte », downloads her data, logs out; an
administrator reads the audit log. Each page loads nothing from another site and passes the
axe-core accessibility check (WCAG 2 A and AA rules).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from tests.accounts.people import PASSWORD, PEOPLE, create_everyone
from tests.web.browser import Tab, axe_violations, chromium, opened_tab, served
from tests.web.client import web_settings
from tremplin.web.app import create_app

pytestmark = pytest.mark.browser

HEADER_LINKS = ".fr-header__tools-links .liens-compte"
"""The account links of the header (DSFR copies them into the mobile menu too)."""


@pytest.fixture
def base_url(store: sa.Engine, sqlite_url: str) -> Iterator[str]:
    create_everyone(store)
    # Default settings: Secure cookies, which Chromium keeps on http://127.0.0.1 (a
    # « potentially trustworthy » origin), as it would on HTTPS.
    with served(create_app(web_settings(sqlite_url))) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("dsfr/dsfr.min.css", "htmx/htmx.min.js") as launched:
        yield launched


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    with opened_tab(browser, base_url) as opened:
        yield opened


def settle(page: Page) -> None:
    """Wait until the page's own requests are done (the header's account links come by htmx):
    leaving earlier would abort them."""
    page.wait_for_load_state("networkidle")


def _log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/connexion")
    settle(page)
    page.fill("#email", email)
    page.fill("#mot_de_passe", password)
    page.click("#formulaire-connexion button[type=submit]")


def test_a_planner_logs_in_reads_her_account_exports_her_data_and_logs_out(
    tab: Tab, tmp_path: Path
) -> None:
    page = tab.page
    page.goto(tab.base_url + "/")
    expect(page.locator(HEADER_LINKS)).to_contain_text("Se connecter")
    settle(page)
    page.goto(tab.base_url + "/connexion")
    assert axe_violations(page) == []

    _log_in(page, tab.base_url, PEOPLE["pilote"].email)
    page.wait_for_url(tab.base_url + "/mon-compte")
    expect(page.locator("#mon-compte")).to_contain_text("academie:10")
    expect(page.locator(HEADER_LINKS)).to_contain_text("Mon compte")
    expect(page.locator("#mes-droits")).to_contain_text("demande.proposer")
    settle(page)
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.click('a[href="/mon-compte/donnees.json"]')
    saved = tmp_path / "donnees.json"
    download.value.save_as(saved)
    assert json.loads(saved.read_text(encoding="utf-8"))["compte"]["email"] == (
        PEOPLE["pilote"].email
    )

    page.click(".formulaire-deconnexion button")
    page.wait_for_url(tab.base_url + "/")
    expect(page.locator(HEADER_LINKS)).to_contain_text("Se connecter")
    settle(page)
    page.goto(tab.base_url + "/mon-compte")
    assert page.url.startswith(tab.base_url + "/connexion?suivant=/mon-compte")
    settle(page)
    tab.check()


def test_a_wrong_password_is_said_in_french(tab: Tab) -> None:
    page = tab.page
    _log_in(page, tab.base_url, PEOPLE["pilote"].email, "pas le bon mot de passe")
    expect(page.locator("#erreur-connexion")).to_contain_text(
        "adresse électronique ou mot de passe incorrect"
    )
    assert axe_violations(page) == []
    settle(page)
    # The 401 of the form is the answer expected.
    assert tab.failed == [f"401 {tab.base_url}/connexion"]
    tab.failed.clear()
    tab.check()


def test_an_administrator_reads_the_audit_log_and_the_personal_data_page(tab: Tab) -> None:
    page = tab.page
    _log_in(page, tab.base_url, PEOPLE["administrateur"].email, PASSWORD)
    page.wait_for_url(tab.base_url + "/mon-compte")
    settle(page)
    page.goto(tab.base_url + "/admin/journal")
    # One creation per account, and this login.
    expect(page.locator("#journal tbody tr")).to_have_count(len(PEOPLE) + 1)
    expect(page.locator(HEADER_LINKS)).to_contain_text("Journal")
    settle(page)
    assert axe_violations(page) == []
    page.goto(tab.base_url + "/donnees-personnelles")
    expect(page.locator("#donnees-gardees")).to_contain_text("argon2id")
    settle(page)
    assert axe_violations(page) == []
    tab.check()
