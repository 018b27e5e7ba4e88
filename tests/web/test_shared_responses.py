"""Pages computed once for every process of a store: a second application on the same store,
code and settings serves the first one's response without computing it; other settings compute
their own; the background warm-up prepares the région's pages and shares the work."""

from __future__ import annotations

import shutil
from pathlib import Path

import anyio
import pytest

from tests.web.client import WebClient, web_settings
from tremplin.store import shared_responses
from tremplin.web.diagnostic.warm_pages import addresses, warm_pages


def _territory_page(client: WebClient) -> str:
    """The page of the demo's first département, in the industrial perimeter."""
    return next(
        page
        for page in addresses(client.app.state.diagnostic)
        if page.startswith("/diagnostic/territoire/departement/") and "industrie" in page
    )


@pytest.fixture
def store_url(demo_store_url: str, tmp_path: Path) -> str:
    """A copy of the demo store of its own (the responses it keeps are this test's)."""
    source = Path(demo_store_url.removeprefix("sqlite:///"))
    copy = tmp_path / "tremplin.sqlite"
    shutil.copyfile(source, copy)
    return f"sqlite:///{copy}"


def test_a_second_process_serves_the_first_ones_page_without_computing(
    store_url: str, tmp_path: Path
) -> None:
    first = WebClient(web_settings(store_url, tmp_path))
    second = WebClient(web_settings(store_url, tmp_path))
    try:
        engine = first.app.state.engine
        page = _territory_page(first)
        before = shared_responses.count(engine)
        computed = first.get(page)
        assert computed.status_code == 200
        assert shared_responses.count(engine) == before + 1
        served = second.get(page)
        assert served.status_code == 200 and served.content == computed.content
        # The second process computed nothing: it read the response.
        assert second.app.state.diagnostic.kept()[0] == 0
        assert first.app.state.diagnostic.kept()[0] > 0
    finally:
        first.close()
        second.close()


def test_other_settings_compute_their_own_page(store_url: str, tmp_path: Path) -> None:
    first = WebClient(web_settings(store_url, tmp_path))
    other = WebClient(web_settings(store_url, tmp_path / "autres"))
    try:
        engine = first.app.state.engine
        page = _territory_page(first)
        assert first.get(page).status_code == 200
        kept = shared_responses.count(engine)
        assert other.get(page).status_code == 200
        assert other.app.state.diagnostic.kept()[0] > 0
        assert shared_responses.count(engine) == kept + 1
    finally:
        first.close()
        other.close()


def test_the_warm_up_prepares_the_regions_pages_once_for_all_processes(
    store_url: str, tmp_path: Path
) -> None:
    first = WebClient(web_settings(store_url, tmp_path))
    second = WebClient(web_settings(store_url, tmp_path))
    try:
        service = first.app.state.diagnostic
        pages = addresses(service)
        assert len(pages) == len(set(pages)) > 20
        asked = anyio.run(warm_pages, first.app, 1)
        assert asked == len(pages)
        engine = first.app.state.engine
        stored = shared_responses.count(engine)
        assert stored >= len(pages) - 5  # a page that fails (404) is not kept
        # Every page is kept: a visitor's request is answered from memory.
        for page in pages[:10]:
            assert first.get(page).status_code in (200, 404)
        assert shared_responses.count(engine) == stored
        # Another process reads them from the store, in its own order, computing none.
        assert anyio.run(warm_pages, second.app, 2) == len(pages)
        assert shared_responses.count(engine) == stored
        assert second.app.state.diagnostic.kept()[0] < first.app.state.diagnostic.kept()[0]
        # Once kept, nothing is asked again.
        assert anyio.run(warm_pages, first.app, 3) == 0
    finally:
        first.close()
        second.close()


def test_the_warm_up_waits_while_a_visitor_is_answered(store_url: str, tmp_path: Path) -> None:
    client = WebClient(web_settings(store_url, tmp_path))
    try:
        engine = client.app.state.engine
        stored = shared_responses.count(engine)
        client.app.state.in_flight.count = 1  # a visitor's request is being answered

        async def for_a_while() -> None:
            with anyio.move_on_after(1.0):
                await warm_pages(client.app, 1)

        anyio.run(for_a_while)
        assert shared_responses.count(engine) == stored  # nothing asked meanwhile
        client.app.state.in_flight.count = 0
        assert anyio.run(warm_pages, client.app, 1) > 0
        # A visitor's request is counted while it is answered, and no longer after.
        assert client.get("/couverture").status_code == 200
        assert client.app.state.in_flight.count == 0
    finally:
        client.close()
