"""The pages in a real browser: Debian's headless Chromium, driven by Playwright, on uvicorn."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from tremplin.config import Settings
from tremplin.sources.ingest import load_paths
from tremplin.web.app import create_app
from tremplin.web.assets import VENDOR

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REASON = "valeur invalide, attendu un code UAI : 7 chiffres et une lettre, par ex. 0690001A"


def _require(condition: bool, message: str) -> None:
    """Skip when ``condition`` is false, except in CI, where the test must run: fail."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _require_vendor(*targets: str) -> None:
    missing = [target for target in targets if not (VENDOR / target).exists()]
    _require(
        not missing,
        f"fichiers front-end absents de {VENDOR} ({', '.join(missing)}) : lancez « make assets »",
    )


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

    settings = Settings.from_env({"TREMPLIN_DATABASE_URL": sqlite_url})
    # A socket bound here, on a free loopback port, and handed over: no race for the port.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)
    listener.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require(CHROMIUM.exists(), f"{CHROMIUM} absent : apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A browser page, with every URL it requested and every response or request that failed."""

    page: Page
    base_url: str
    requested: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        return self.page

    def assert_only_local_requests(self) -> None:
        outside = [url for url in self.requested if not url.startswith(self.base_url + "/")]
        assert not outside, outside


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    opened = Tab(context.new_page(), base_url)
    opened.page.on("request", lambda request: opened.requested.append(request.url))
    opened.page.on(
        "response",
        lambda response: (
            opened.failed.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    opened.page.on("requestfailed", lambda request: opened.failed.append(request.url))
    yield opened
    context.close()


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
    _require_vendor(
        "dsfr/dsfr.min.css", "dsfr/fonts", "dsfr/dsfr.module.min.js", "htmx/htmx.min.js"
    )
    page = tab.goto("/sources")
    page.evaluate("document.fonts.ready")
    font = page.locator(".fr-header").evaluate("element => getComputedStyle(element).fontFamily")
    assert "Marianne" in font
    assert page.evaluate("document.fonts.check('1em Marianne')")
    # The DSFR script marks the page once it has started.
    page.wait_for_function("document.documentElement.getAttribute('data-fr-js') === 'true'")
    assert page.evaluate("typeof htmx") == "object"
    page.screenshot(path=tmp_path / "sources-dsfr.png", full_page=True)
    assert tab.failed == []
    tab.assert_only_local_requests()


def test_api_docs_run_swagger_ui_offline(tab: Tab) -> None:
    _require_vendor("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css")
    page = tab.goto("/api/docs")
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/sources")
    operation.wait_for(state="visible")
    assert tab.failed == []
    tab.assert_only_local_requests()
