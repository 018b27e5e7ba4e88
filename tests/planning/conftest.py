"""Fixtures of the planning tests: the facts of the session's real-data store."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tremplin.diagnostic.facts import Facts, stored_facts
from tremplin.referentials.perimeter import Perimeter


@pytest.fixture(scope="session")
def real_facts(real_engine: sa.Engine) -> Facts:
    """The stored facts of the real files (read-only)."""
    with real_engine.connect() as conn:
        return stored_facts(conn, Perimeter.load(None))
