"""The web tests' fixtures: an application on the test's empty store, one on the session's demo
store and one on its real-data store (``tests/conftest.py``) — the last two built once per test
session, read-only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.web.client import Posted, WebClient, web_client, web_settings
from tests.web.stores import EXAMPLE, SEEDS, TRANSFER
from tremplin.config import Settings
from tremplin.diagnostic.facts import stored_facts
from tremplin.referentials.perimeter import Perimeter
from tremplin.scenarios.scenario_comparison import Comparison, run_scenario
from tremplin.scenarios.scenarios import Scenario


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    """Settings on the test's store (``store``), its sources and demo folders in ``tmp_path``."""
    return web_settings(sqlite_url, tmp_path)


@pytest.fixture
def store_client(store: sa.Engine, settings: Settings) -> Iterator[WebClient]:
    """The application on the same SQLite file as ``store``, which the test fills."""
    with web_client(settings) as client:
        yield client


# --- the demo territory ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_client(
    demo_store_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebClient]:
    """One application on the demo store for the session (its caches warm up once)."""
    client = WebClient.on(demo_store_url, tmp_path_factory.mktemp("settings"))
    yield client
    client.close()


# --- the real files, and simulations on them -----------------------------------------------------


@pytest.fixture(scope="session")
def simulations_client(real_store_url: str) -> Iterator[WebClient]:
    """One application on the real-data store for the session: the simulations live in its
    memory, so the tests of the API and of the pages read the same ones."""
    client = WebClient.on(real_store_url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def oyonnax(simulations_client: WebClient) -> Posted:
    """The planner's example, posted with two cohorts, once done."""
    created = simulations_client.post("/api/v1/simulations", EXAMPLE)
    identifier = created.json()["id"]
    return Posted(identifier, created, simulations_client.finished(identifier))


@pytest.fixture(scope="session")
def transfer(simulations_client: WebClient, oyonnax: Posted) -> Posted:
    """A transfer of 10 places to Oyonnax, posted after the example, once done."""
    created = simulations_client.post(
        f"/api/v1/simulations?graines={SEEDS}&territoire=region:84", TRANSFER
    )
    identifier = created.json()["id"]
    return Posted(identifier, created, simulations_client.finished(identifier))


@pytest.fixture(scope="session")
def direct(real_engine: sa.Engine) -> Comparison:
    """The example through the library, as ``tremplin simulate scenario`` runs it (on the facts
    the load stored)."""
    with real_engine.connect() as conn:
        return run_scenario(
            conn,
            stored_facts(conn, Perimeter.load(None)),
            Scenario.from_mapping(EXAMPLE),
            territoire="region:84",
            seeds=range(1, SEEDS + 1),
        )
