"""Shared fixtures: where the real files are, and a fresh store per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tremplin.store.database import open_store

pytest_plugins = ["tests.pg"]

ROOT = Path(__file__).resolve().parent.parent


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
