"""No third-party request: no rendered page names an external script, stylesheet, image, font
or frame (only links a person clicks may lead elsewhere); the personal data page says what is
kept and for how long, from the settings."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.accounts.people import PEOPLE, create_everyone
from tests.web.accounts import cookie_header, web_login
from tests.web.client import WebClient

_LOADED = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=\"([^\"]+)\""
    r"|<link\b[^>]*\bhref=\"([^\"]+)\"",
    re.IGNORECASE,
)


def loaded_urls(html: str) -> list[str]:
    """What a page makes the browser load by itself (scripts, styles, images, frames…)."""
    return [a or b for a, b in _LOADED.findall(html)]


def test_the_pattern_finds_external_resources() -> None:
    html = (
        '<script src="https://cdn.test/x.js"></script><link rel="stylesheet" href="/static/a.css">'
    )
    assert loaded_urls(html) == ["https://cdn.test/x.js", "/static/a.css"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sources",
        "/glossaire",
        "/connexion",
        "/donnees-personnelles",
        "/mon-compte",
        "/admin/journal",
        "/simulations",
        "/diagnostic",
    ],
)
def test_pages_load_nothing_from_another_site(
    store_client: WebClient, store: sa.Engine, path: str
) -> None:
    create_everyone(store)
    cookies = web_login(store_client, PEOPLE["administrateur"].email)
    answer = store_client.request("GET", path, headers=cookie_header(cookies))
    assert answer.status_code == 200, answer.text[:300]
    urls = loaded_urls(answer.text)
    assert urls, "a page loads at least the DSFR styles"
    assert [u for u in urls if not u.startswith("/")] == []


def test_the_personal_data_page_gives_the_configured_delays(store_client: WebClient) -> None:
    text = store_client.get("/donnees-personnelles").text
    assert "après 730 jours sans connexion" in text
    assert "1 825 jours" in text or "1\u202f825 jours" in text
