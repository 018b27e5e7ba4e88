"""Shared fixtures: where the real files are, and a fresh store per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tremplin.demo.generate import generate_demo
from tremplin.sources.ingest import load_paths
from tremplin.store.database import open_store

pytest_plugins = ["tests.pg"]

ROOT = Path(__file__).resolve().parent.parent

# Property tests: ``dev`` for the edit loop, ``ci`` for CI (no deadline: a busy machine must not
# fail a property that holds). HYPOTHESIS_PROFILE overrides the choice.
hypothesis_settings.register_profile("dev", max_examples=50)
hypothesis_settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what a test needs from its fixtures, so ``make test-fast`` can leave it out: the
    real files (``realdata``) and a PostgreSQL server (``postgres``)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "sources_dir" in fixtures:
            item.add_marker(pytest.mark.realdata)
        if fixtures & {"postgres_server", "postgres_url"}:
            item.add_marker(pytest.mark.postgres)


def _sources_path() -> Path:
    configured = os.environ.get("TREMPLIN_SOURCES")
    return Path(configured) if configured else ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The folder of real official files; in CI its absence fails the test instead of skipping."""
    path = _sources_path()
    if not (path / "affelnet").is_dir():
        message = f"données réelles absentes de {path} (TREMPLIN_SOURCES)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tremplin.sqlite'}"


@pytest.fixture
def store(sqlite_url: str) -> Iterator[sa.Engine]:
    """An up-to-date store in a fresh SQLite file."""
    engine = open_store(sqlite_url)
    yield engine
    engine.dispose()


def _loaded_store(url: str, paths: list[Path]) -> str:
    engine = open_store(url)
    try:
        load_paths(engine, paths)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def real_store_url(sources_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding every real file, loaded once per test session. Read-only: a test
    that writes loads its own store."""
    folder = tmp_path_factory.mktemp("real-store")
    return _loaded_store(f"sqlite:///{folder / 'tremplin.sqlite'}", [sources_dir])


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo territory's files, written once per test session."""
    folder = tmp_path_factory.mktemp("demo-files") / "demo"
    generate_demo(folder)
    return folder


@pytest.fixture(scope="session")
def demo_store_url(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the demo territory, loaded once per test session. Read-only."""
    folder = tmp_path_factory.mktemp("demo-store")
    return _loaded_store(f"sqlite:///{folder / 'tremplin.sqlite'}", [demo_dir])
