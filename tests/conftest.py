"""Shared fixtures: where the real files are, a fresh store per test, and the session's shared
stores (real files, demo territory), read-only."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.stores import LoadedStore, load_store, write_academy_map
from tremplin.demo.generate import DemoSummary, generate_demo
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


def _engine(url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def real_store(sources_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> LoadedStore:
    """A SQLite store holding every real file and its derived data (referentials, facts,
    scenarios' inputs), loaded and built once per test session, and the load's report.
    Read-only: a test that writes loads its own store."""
    folder = tmp_path_factory.mktemp("real-store")
    return load_store(f"sqlite:///{folder / 'tremplin.sqlite'}", [sources_dir])


@pytest.fixture(scope="session")
def real_store_url(real_store: LoadedStore) -> str:
    return real_store.url


@pytest.fixture(scope="session")
def real_engine(real_store_url: str) -> Iterator[sa.Engine]:
    """An engine on :func:`real_store` (read-only)."""
    yield from _engine(real_store_url)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    """The demo territory's files, written once per test session (read-only)."""
    return generate_demo(tmp_path_factory.mktemp("demo-files") / "demo")


@pytest.fixture(scope="session")
def demo_dir(demo: DemoSummary) -> Path:
    """The folder of :func:`demo` (read-only: copy it to change a file)."""
    return demo.directory


@pytest.fixture(scope="session")
def demo_store_url(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the demo territory with a map of its académie (the pages draw
    it), and its derived data, loaded and built once per test session. Read-only."""
    folder = tmp_path_factory.mktemp("demo-store")
    files = shutil.copytree(demo_dir, folder / "demo")
    write_academy_map(files)
    loaded = load_store(f"sqlite:///{folder / 'tremplin.sqlite'}", [files])
    assert not [o for o in loaded.report.outcomes if o.problems], loaded.report
    return loaded.url


@pytest.fixture(scope="session")
def demo_engine(demo_store_url: str) -> Iterator[sa.Engine]:
    """An engine on :func:`demo_store_url` (read-only)."""
    yield from _engine(demo_store_url)


@pytest.fixture
def needs_url(demo_store_url: str, tmp_path: Path) -> str:
    """A copy of the demo store for one test that writes (companies and their needs): its
    communes, ROME and bassins are real extracts."""
    target = tmp_path / "besoins.sqlite"
    shutil.copyfile(Path(demo_store_url.removeprefix("sqlite:///")), target)
    return f"sqlite:///{target}"


@pytest.fixture
def needs_engine(needs_url: str) -> Iterator[sa.Engine]:
    """An engine on :func:`needs_url`."""
    yield from _engine(needs_url)
