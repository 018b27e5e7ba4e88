"""The diagnostic in a real browser: Debian's headless Chromium, driven by Playwright, on uvicorn,
over a store holding the demo territory. No request may leave 127.0.0.1 (no tiles, no CDN)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from tests.accounts.people import PASSWORD, Person, create
from tests.stores import DEMO_ACADEMIE
from tests.web.browser import Tab, axe_violations, chromium, opened_tab, served
from tests.web.client import web_settings
from tremplin.accounts.accounts import find_account
from tremplin.reports.figures import COLUMN_LABELS, format_value
from tremplin.web.app import create_app

pytestmark = pytest.mark.browser

MAP_READY = "territoire"  # « N territoires sur la carte. » once drawn


@pytest.fixture(scope="module")
def base_url(demo_store_url: str) -> Iterator[str]:
    """uvicorn serving the app on the demo store, in a background thread."""
    app = create_app(web_settings(demo_store_url))
    with served(app) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("leaflet/leaflet.js", "leaflet/leaflet.css", "htmx/htmx.min.js") as launched:
        yield launched


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    with opened_tab(browser, base_url) as opened:
        yield opened


def _wait_for_map(page: Page) -> None:
    # A locator, not a script string: the page's Content-Security-Policy forbids eval.
    expect(page.locator("#carte-etat")).to_contain_text("sur la carte")


def test_map_draws_the_academy_and_its_bassins(tab: Tab, tmp_path: Path) -> None:
    page = tab.goto("/diagnostic")
    _wait_for_map(page)
    polygons = page.locator(
        f'.leaflet-overlay-pane path.territoire-carte[data-code="{DEMO_ACADEMIE}"]'
    )
    assert polygons.count() == 1
    page.screenshot(path=tmp_path / "carte-academies.png", full_page=True)

    page = tab.goto("/diagnostic?maille=bassin&perimetre=tout")
    _wait_for_map(page)
    # Pick « industrie »: the page reloads with it.
    page.select_option("#filtre-perimetre", "industrie")
    page.wait_for_url("**perimetre=industrie**")
    _wait_for_map(page)
    circles = page.locator(".leaflet-overlay-pane path.territoire-carte")
    assert circles.count() > 3
    # The académie's outline lies under the circles.
    assert page.locator(".leaflet-overlay-pane path").count() > circles.count()
    page.screenshot(path=tmp_path / "carte-bassins-objectifs.png", full_page=True)

    # The objectives view: a coloured bassin explains itself in its popup.
    page.select_option("#filtre-objectif", "competences")
    coloured = page.locator('.leaflet-overlay-pane path.territoire-carte[fill="#18753c"]')
    expect(coloured.first).to_be_attached()
    coloured.first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert "Compétences pour les entreprises" in popup.inner_text()
    assert "projets de recrutement pour" in popup.inner_text()
    page.locator(".carte-bloc").screenshot(path=tmp_path / "carte-popup.png")

    # An indicator: the legend names its source and year.
    page.check("#vue-indicateur", force=True)
    page.select_option("#filtre-indicateur", "places")
    expect(page.locator("#carte-legende-texte")).to_contain_text("Affelnet 2021")
    page.locator(".carte-bloc").screenshot(path=tmp_path / "carte-indicateur.png")

    # Follow a territory to its page, and check a figure against the API.
    page.locator(".leaflet-overlay-pane path.territoire-carte").first.click(force=True)
    link = page.locator(".leaflet-popup-content a.popup-lien").last
    link.wait_for(state="visible")
    code = link.get_attribute("href").split("?")[0].rsplit("/", 1)[1]  # type: ignore[union-attr]
    link.click()
    page.wait_for_url(f"**/diagnostic/territoire/bassin/{code}**")
    api = page.request.get(
        f"{tab.base_url}/api/v1/diagnostic?maille=bassin&territoire={code}&taille=1000"
    ).json()["lignes"]
    row = max(api, key=lambda r: r["places"])
    cell = page.locator(
        f'#tableau-demande tr[data-code="{row["code_groupe"]}"] td[data-indicateur="places"]'
    )
    assert cell.inner_text() == format_value("places", row["places"])
    assert page.locator("#graphique-demande").count() == 1
    page.screenshot(path=tmp_path / "territoire.png", full_page=True)
    tab.check()


def test_offers_console_hides_a_column_saves_a_query_and_exports(tab: Tab, tmp_path: Path) -> None:
    page = tab.goto("/diagnostic/offres")
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
    header = page.locator('#tableau-console th[data-colonne="commune"]')
    assert header.is_visible()
    page.locator("#choix-colonnes summary").click()
    page.locator('label[for="colonne-commune"]').click()
    expect(header).to_be_hidden()
    assert page.locator('#tableau-console td[data-colonne="commune"]').first.is_hidden()

    # A filter reloads the console in place (htmx) and keeps the column hidden.
    page.select_option("#filtre-niveau", "CAP")
    page.wait_for_url("**niveau=CAP**")
    expect(page.locator('#tableau-console td[data-colonne="niveau"]').first).to_have_text("CAP")
    expect(page.locator('#tableau-console th[data-colonne="commune"]')).to_be_hidden()

    # A saved query is a named link to this address.
    page.locator("#requetes-enregistrees summary").click()
    page.fill("#nom-requete", "CAP de la région")
    page.click("#enregistrer-requete")
    saved = page.locator("#liste-requetes a", has_text="CAP de la région")
    assert "niveau=CAP" in (saved.get_attribute("href") or "")

    # The choices survive a reload.
    page.reload()
    expect(page.locator('#tableau-console th[data-colonne="commune"]')).to_be_hidden()
    expect(page.locator("#liste-requetes a", has_text="CAP de la région")).to_have_count(1)
    page.screenshot(path=tmp_path / "console-offres.png", full_page=True)

    with page.expect_download() as download:
        page.click("#export-csv")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "offres.csv"
    frame = pl.read_csv(path, separator=";", decimal_comma=True, comment_prefix="#")
    shown = page.locator("#tableau-console tbody tr").count()
    assert frame.height >= shown > 0
    assert set(frame.get_column(COLUMN_LABELS["niveau"]).to_list()) == {"CAP"}
    tab.check()


def test_console_sorts_by_a_header_and_keeps_its_thresholds(tab: Tab) -> None:
    page = tab.goto("/diagnostic/formations?perimetre=tout&min_taux_pression=1,3")
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
    ranked = page.locator('#tableau-console th[data-colonne="places_manquantes"]')
    expect(ranked).to_have_attribute("aria-sort", "descending")

    def pressures() -> list[float]:
        cells = page.locator('#tableau-console td[data-colonne="taux_pression"]').all_inner_texts()
        return [float(text.replace(",", ".")) for text in cells if text.strip() != "—"]

    page.locator('#tableau-console th[data-colonne="taux_pression"] a.lien-tri').click()
    page.wait_for_url("**tri=taux_pression**")
    header = page.locator('#tableau-console th[data-colonne="taux_pression"]')
    expect(header).to_have_attribute("aria-sort", "descending")
    assert "min_taux_pression=1.3" in page.url
    shown = pressures()
    assert shown and shown == sorted(shown, reverse=True) and min(shown) >= 1.3
    expect(ranked).not_to_have_attribute("aria-sort", "descending")

    # A second activation, from the keyboard, sorts the other way.
    page.locator('#tableau-console th[data-colonne="taux_pression"] a.lien-tri').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**ordre=asc**")
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert pressures() == sorted(shown)
    # The export link carries the same query.
    export = page.locator("#export-csv").get_attribute("href") or ""
    assert "tri=taux_pression" in export and "ordre=asc" in export
    assert "min_taux_pression=1.3" in export
    tab.check()


def test_a_planner_proposes_a_request_from_the_map_a_visitor_cannot(
    tab: Tab, demo_engine: sa.Engine
) -> None:
    page = tab.goto("/diagnostic?maille=departement")
    _wait_for_map(page)
    # A visitor: no action in the popup, no list.
    page.locator(".leaflet-overlay-pane path.territoire-carte").first.click(force=True)
    expect(page.locator(".leaflet-popup-content a.popup-lien")).to_be_visible()
    assert page.locator(".leaflet-popup-content a.popup-proposer").count() == 0
    assert page.locator("#proposer-depuis-la-carte").is_hidden()

    planner = Person("administrateur", "carte.depuis.la.carte@tremplin.test")
    with demo_engine.begin() as conn:
        if find_account(conn, planner.email) is None:
            create(conn, planner)
    page.goto(tab.base_url + "/connexion")
    page.wait_for_load_state("networkidle")
    page.fill("#email", planner.email)
    page.fill("#mot_de_passe", PASSWORD)
    page.click("#formulaire-connexion button[type=submit]")
    page.wait_for_load_state("networkidle")
    page = tab.goto("/diagnostic?maille=departement")
    _wait_for_map(page)
    # The list of the map's territories, without the map (keyboard), once the policy answered.
    section = page.locator("#proposer-depuis-la-carte")
    expect(section).to_be_visible()
    links = page.locator("#proposer-territoires a")
    assert links.count() == page.locator(".leaflet-overlay-pane path.territoire-carte").count()
    # The popup of a territory offers the action, to the territory's offers.
    territory = page.locator(".leaflet-overlay-pane path.territoire-carte").first
    code = territory.get_attribute("data-code")
    territory.click(force=True)
    action = page.locator(".leaflet-popup-content a.popup-proposer")
    expect(action).to_be_visible()
    assert f"code_departement={code}" in (action.get_attribute("href") or "")
    # Leaflet fades the popup in: axe reads its colours once it is opaque.
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    assert axe_violations(page) == []
    action.click()
    page.wait_for_url(f"**/diagnostic/offres?**code_departement={code}**")
    # Each offer of the territory opens the request form for its UAI and MEF (filled in: see
    # tests/web/test_carte_pages.py).
    href = page.locator('a[href^="/carte/demandes/nouvelle?uai="]').first.get_attribute("href")
    page = tab.goto(href or "")
    expect(page.locator("h1")).to_have_text("Nouvelle demande")
    tab.check()
