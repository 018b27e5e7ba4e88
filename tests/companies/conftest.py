"""The companies' tests write: each gets its own copy of the session's demo store (its
communes, ROME and bassins are real extracts), never the shared one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tremplin.store.database import open_store


@pytest.fixture
def needs_url(demo_store_url: str, tmp_path: Path) -> str:
    """A copy of the demo store, for one test."""
    source = Path(demo_store_url.removeprefix("sqlite:///"))
    target = tmp_path / "besoins.sqlite"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


@pytest.fixture
def needs_engine(needs_url: str) -> Iterator[sa.Engine]:
    engine = open_store(needs_url)
    try:
        yield engine
    finally:
        engine.dispose()
