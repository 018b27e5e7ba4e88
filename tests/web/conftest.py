"""The web tests' fixtures: an application on the test's empty store, one on the demo territory
and one on the real files cohorts read — the last two built once per test session, read-only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.web.client import Posted, WebClient, web_client, web_settings
from tests.web.stores import (
    EXAMPLE,
    SEEDS,
    TRANSFER,
    DemoStore,
    build_demo_store,
    load_cohort_store,
)
from tremplin.config import Settings
from tremplin.diagnostic.facts import build_facts
from tremplin.referentials.perimeter import Perimeter
from tremplin.scenarios.scenario_comparison import Comparison, run_scenario
from tremplin.scenarios.scenarios import Scenario
from tremplin.store.database import open_store


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
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> DemoStore:
    """A SQLite store holding the demo territory and a map of its académie (read-only)."""
    return build_demo_store(tmp_path_factory.mktemp("diagnostic"))


@pytest.fixture(scope="session")
def demo_client(
    demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebClient]:
    """One application on the demo store for the session (its caches warm up once)."""
    client = WebClient.on(demo_store.url, tmp_path_factory.mktemp("settings"))
    yield client
    client.close()


@pytest.fixture(scope="session")
def demo_engine(demo_store: DemoStore) -> Iterator[sa.Engine]:
    """The demo store, read by the tests themselves to compare with what the web answers."""
    found = sa.create_engine(demo_store.url)
    yield found
    found.dispose()


# --- the real files cohorts read, and simulations on them -----------------------------------------


@pytest.fixture(scope="session")
def cohort_store(sources_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a SQLite store of the real files cohorts read (read-only)."""
    return load_cohort_store(sources_dir, tmp_path_factory.mktemp("simulations"))


@pytest.fixture(scope="session")
def simulations_client(cohort_store: str) -> Iterator[WebClient]:
    """One application on the cohort store for the session: the simulations live in its
    memory, so the tests of the API and of the pages read the same ones."""
    client = WebClient.on(cohort_store)
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
def direct(cohort_store: str) -> Comparison:
    """The example through the library, as ``tremplin simulate scenario`` runs it."""
    engine = open_store(cohort_store)
    try:
        with engine.connect() as conn:
            facts = build_facts(conn, Perimeter.load(None))
            return run_scenario(
                conn,
                facts,
                Scenario.from_mapping(EXAMPLE),
                territoire="region:84",
                seeds=range(1, SEEDS + 1),
            )
    finally:
        engine.dispose()
