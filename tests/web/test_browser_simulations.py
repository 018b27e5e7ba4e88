"""A simulation in a real browser: Debian's headless Chromium, driven by Playwright, on uvicorn,
over the session's store of the real files. The planner runs her example (« open 15 places of
bac pro Technicien en chaudronnerie industrielle in Oyonnax, close 15 elsewhere ») from the form
and reads its before / after."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.web.browser import Tab, axe_violations, chromium, opened_tab, served
from tests.web.client import web_settings
from tests.web.reading import estimate
from tests.web.stores import OYONNAX, VILLEURBANNE
from tremplin.reports.scenario_figures import format_difference, format_interval, format_mean
from tremplin.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.realdata]


@pytest.fixture(scope="module")
def base_url(real_store_url: str) -> Iterator[str]:
    """uvicorn serving the app on the store of the real files, in a background thread."""
    app = create_app(web_settings(real_store_url))
    with served(app) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("dsfr/dsfr.min.css", "htmx/htmx.min.js") as launched:
        yield launched


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    with opened_tab(browser, base_url) as opened:
        yield opened


def test_the_planner_runs_the_oyonnax_example(tab: Tab, tmp_path: Path) -> None:
    page = tab.page
    page.goto(tab.base_url + "/simulations")
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.locator('.fr-nav__link[href="/simulations"]')).to_have_attribute(
        "aria-current", "page"
    )
    # The example is filled in, each offer named as the data know it.
    rows = page.locator("#liste-changements .changement")
    expect(rows.nth(0).locator('input[name="uai"]')).to_have_value(OYONNAX)
    expect(rows.nth(0).locator(".libelle-offre")).to_contain_text("PAUL PAINLEVÉ (Oyonnax)")
    expect(rows.nth(1).locator(".libelle-offre")).to_contain_text("offre existante")
    assert axe_violations(page) == []

    # A change typed by hand is looked up at once (htmx): a transfer's target too.
    blank = rows.nth(2)
    blank.locator('select[name="action"]').select_option("transferer")
    blank.locator('input[name="uai"]').fill(VILLEURBANNE)
    blank.locator('input[name="mef_stat_11"]').fill("23820025411")
    blank.locator('input[name="vers_uai"]').fill(OYONNAX)
    blank.locator('input[name="vers_uai"]').dispatch_event("change")
    expect(blank.locator(".libelle-offre")).to_contain_text("FRÉDÉRIC FAŸS (Villeurbanne)")
    expect(blank.locator(".libelle-offre")).to_contain_text("→ vers LYCÉE POLYVALENT PAUL")
    page.click("#ajouter-changement")
    expect(rows).to_have_count(5)
    page.screenshot(path=tmp_path / "simulations-formulaire.png", full_page=True)
    # Back to the planner's example alone: the typed row is emptied, two cohorts.
    for name in ("uai", "mef_stat_11", "vers_uai"):
        blank.locator(f'input[name="{name}"]').fill("")
    page.fill("#graines", "2")
    page.click("#lancer-simulation")

    page.wait_for_url(re.compile(r".*/simulations/[0-9a-f]{32}$"))  # 128 random bits
    identifier = page.url.rsplit("/", 1)[1]
    table = page.locator("#tableau-avant-apres")
    expect(table).to_be_visible(timeout=60_000)  # the page reloads itself until it is done
    expect(page.locator(".statut-simulation")).to_have_text("Terminée")

    result = page.request.get(f"{tab.base_url}/api/v1/simulations/{identifier}").json()
    assert result["statut"] == "terminee" and result["seeds"] == [1, 2]
    assert len(result["scenario"]["changements"]) == 2
    for row in result["indicators"]:
        key = row["key"]
        cells = table.locator(f'tr[data-indicateur="{key}"]')
        difference = estimate(row["difference"])
        if row["before"] is not None:
            expect(cells.locator('[data-valeur="avant"]')).to_have_text(
                format_mean(key, estimate(row["before"]))
            )
            expect(cells.locator('[data-valeur="apres"]')).to_have_text(
                format_mean(key, estimate(row["after"]))
            )
            expect(cells.locator('[data-valeur="difference"]')).to_have_text(
                format_difference(key, difference)
            )
        expect(cells.locator('[data-valeur="intervalle"]')).to_have_text(
            format_interval(key, difference)
        )
    expect(page.locator("#tableau-offres")).to_contain_text("Oyonnax")
    expect(page.locator("#graphique-offres")).to_be_visible()
    expect(page.locator("#sources-annees")).to_contain_text("affelnet1PROspe.csv")
    page.screenshot(path=tmp_path / "simulation-resultat.png", full_page=True)
    assert axe_violations(page) == []
    # The comparison of two simulations (here the same one twice) passes too.
    page.goto(f"{tab.base_url}/simulations/comparer?a={identifier}&b={identifier}")
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
    expect(page.locator("#graphique-comparaison")).to_be_visible()
    assert axe_violations(page) == []
    tab.check()
