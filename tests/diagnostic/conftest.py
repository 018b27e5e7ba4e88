"""The diagnostic's facts built once per test module from the real store."""

from __future__ import annotations

import pytest

from tremplin.diagnostic.facts import Facts, build_facts
from tremplin.referentials.perimeter import Perimeter
from tremplin.store.database import open_store


@pytest.fixture(scope="module")
def facts(real_store_url: str) -> Facts:
    engine = open_store(real_store_url)
    with engine.connect() as conn:
        built = build_facts(conn, Perimeter.load(None))
    engine.dispose()
    return built
