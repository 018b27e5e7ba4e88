"""Fixtures of the loading tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.derive import write_head
from tremplin.sources.ingest import load_paths

CONSTAT = Path("effectifs") / "constat_2020.csv"


@pytest.fixture
def seeded(any_store: sa.Engine, sources_dir: Path, tmp_path: Path) -> sa.Engine:
    """A store already holding one real file, so a failed load has something to lose."""
    load_paths(
        any_store, [write_head(sources_dir / CONSTAT, tmp_path / "seed" / "constat_2020.csv", 500)]
    )
    return any_store
