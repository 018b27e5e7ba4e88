"""A pupil's path on a phone (390 px wide), in Chromium: the page of a trade (reached from the
search) → the trainings near home → one training → back to the list, each page passing
axe-core, the map drawn without any third-party request, and the same trainings in the table
that replaces the map."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.web.browser import axe_violations, chromium, opened_tab, served
from tests.web.client import web_settings
from tremplin.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(demo_store_url: str) -> Iterator[str]:
    with served(create_app(web_settings(demo_store_url))) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("dsfr/dsfr.min.css", "leaflet/leaflet.js") as launched:
        yield launched


def test_three_clicks_from_a_trade_to_a_training_on_a_phone(
    browser: Browser, base_url: str
) -> None:
    with opened_tab(browser, base_url, width=390, height=844) as tab:
        page = tab.goto("/orientation/metier/H2206?commune=Grenoble")
        expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator("#recrutement")).to_contain_text("près de chez toi")
        assert axe_violations(page) == []
        # Nothing wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.locator("#formations-apres-3e").click()  # click 1
        page.wait_for_url("**/orientation/formations?**")
        expect(page.locator("#resume")).to_contain_text("Grenoble")
        expect(page.locator("#carte-orientation .leaflet-interactive").first).to_be_attached()
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        cards = page.locator(".formation-carte h3 a")
        rows = page.locator("#tableau-carte tbody tr")
        assert cards.count() > 0 and rows.count() == cards.count()
        # The table replacing the map opens with the keyboard.
        button = page.get_by_role("button", name="La carte sous forme de tableau")
        button.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#tableau-carte")).to_be_visible()

        first = cards.first
        title = first.inner_text()
        first.click()  # click 2
        page.wait_for_url("**/orientation/formation/**")
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator("#titre-devenir")).to_be_visible()
        expect(page.locator(".emplois-phrase").first).to_contain_text("recrutement")
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.get_by_role("link", name="Retour aux formations près de chez moi").click()  # click 3
        page.wait_for_url("**/orientation/formations?**")
        tab.check()
