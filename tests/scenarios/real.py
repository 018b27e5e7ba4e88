"""What cohorts are drawn from on the real files: read from the session's real-data store, where
the load stored the facts, the 1re pro offers and the pupils' origins."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from tremplin.diagnostic.facts import Facts, stored_facts
from tremplin.referentials.perimeter import Perimeter
from tremplin.scenarios.cohorts import entry_offers
from tremplin.scenarios.scenario_comparison import stored_origins, stored_premiere_offers


@dataclass(frozen=True)
class Real:
    url: str
    facts: Facts
    entry: pl.DataFrame
    premiere: pl.DataFrame
    origins: pl.DataFrame


def read_real(engine: sa.Engine) -> Real:
    """The facts, entry and 1re pro offers and origins of the store ``engine`` opens."""
    with engine.connect() as conn:
        facts = stored_facts(conn, Perimeter.load(None))
        return Real(
            engine.url.render_as_string(hide_password=False),
            facts,
            entry_offers(facts),
            stored_premiere_offers(conn, facts),
            stored_origins(conn, facts),
        )
