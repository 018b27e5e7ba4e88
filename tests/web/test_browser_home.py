"""The pages in a real browser: Debian's headless Chromium, driven by Playwright, on uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.web.browser import Tab, axe_violations, chromium, opened_tab, require_vendor, served
from tests.web.client import web_settings
from tremplin.sources.ingest import load_paths
from tremplin.web.app import create_app

pytestmark = pytest.mark.browser

REASON = "valeur invalide, attendu un code UAI : 7 chiffres et une lettre, par ex. 0690001A"


@pytest.fixture
def base_url(store: sa.Engine, sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    """uvicorn serving the app, in a background thread, on a store holding one loaded file."""
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "constat_2020.csv").write_text(
        "Rentrée scolaire;UAI;Mef Bcp 11;Nombre d'élèves : Total\n"
        "2020;0750330B;32211022207;83\n"
        "2020;0750419Y;23210031122;32\n"
        "2020;075041;23210031122;12\n",
        encoding="utf-8-sig",
    )
    load_paths(store, [folder])

    with served(create_app(web_settings(sqlite_url))) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    with opened_tab(browser, base_url) as opened:
        yield opened


def test_sources_page_shows_files_and_rejected_rows(tab: Tab, tmp_path: Path) -> None:
    page = tab.goto("/sources")
    assert page.title() == "Sources de données — Tremplin"
    assert page.locator("html").get_attribute("lang") == "fr"
    table = page.locator("table").first
    assert "constat_2020.csv" in table.inner_text()

    reason = page.get_by_text(REASON)
    assert not reason.is_visible()
    page.locator("summary", has_text="Lignes rejetées de constat_2020.csv").click()
    reason.wait_for(state="visible")
    assert "075041" in page.locator("details table").inner_text()

    page.screenshot(path=tmp_path / "sources.png", full_page=True)
    tab.assert_only_local_requests()


def test_dsfr_styles_and_fonts_are_served(tab: Tab, tmp_path: Path) -> None:
    require_vendor("dsfr/dsfr.min.css", "dsfr/fonts", "dsfr/dsfr.module.min.js", "htmx/htmx.min.js")
    page = tab.goto("/sources")
    page.evaluate("document.fonts.ready")
    font = page.locator(".fr-header").evaluate("element => getComputedStyle(element).fontFamily")
    assert "Marianne" in font
    assert page.evaluate("document.fonts.check('1em Marianne')")
    # The DSFR script marks the page once it has started.
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
    assert page.evaluate("typeof htmx") == "object"
    page.screenshot(path=tmp_path / "sources-dsfr.png", full_page=True)
    assert tab.failed == []
    tab.assert_only_local_requests()


def test_api_docs_run_swagger_ui_offline(tab: Tab) -> None:
    require_vendor("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css")
    page = tab.goto("/api/docs")
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/sources")
    operation.wait_for(state="visible")
    assert axe_violations(page) == []
    assert tab.failed == []
    tab.assert_only_local_requests()
