"""The diagnostic's facts, as the load stored them in the session's real-data store."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tremplin.diagnostic.facts import Facts, stored_facts
from tremplin.referentials.perimeter import Perimeter


@pytest.fixture(scope="module")
def facts(real_engine: sa.Engine) -> Facts:
    with real_engine.connect() as conn:
        return stored_facts(conn, Perimeter.load(None))
