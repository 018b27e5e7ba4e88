"""Declared needs in the diagnostic, beside BMO: a company declares needs on a copy of the demo
store, and its bassin's row of their trade family counts them (needs, people still wanted,
companies, the latest date) in the API, the exports and the territory's page; every other row
says « aucun besoin déclaré », never 0. Expected figures are recomputed from the store's ROME,
DARES and BMO tables, not from the diagnostic's facts."""

from __future__ import annotations

import polars as pl
import pytest
import sqlalchemy as sa

from tests.companies.sample import OTHER_SIRET, SIRET
from tests.web.client import WebClient
from tremplin.companies.companies import save_company
from tremplin.companies.needs import (
    NeedScope,
    close_need,
    create_need,
    fill_need,
    list_needs,
    rome_trades,
)
from tremplin.referentials.derived import referentials
from tremplin.referentials.trades import bmo_trades
from tremplin.store.audit import COMMAND_LINE, Actor

ACTOR = Actor(COMMAND_LINE)


def trade_and_bassin(conn: sa.Connection) -> tuple[str, str, str, str]:
    """A ROME code that reaches a BMO code of the demo's BMO file, that code's FAP 86 family,
    and a commune with its bassin."""
    families = bmo_trades(conn).select(pl.col("fap2021").alias("code_bmo"), "fap86").drop_nulls()
    trade = rome_trades(conn).join(families, on="code_bmo").sort("code_rome").row(0, named=True)
    commune = (
        referentials(conn)
        .communes.drop_nulls("bassin_bmo")
        .sort("population", descending=True)
        .row(0, named=True)
    )
    return trade["code_rome"], str(trade["fap86"]), commune["code_insee"], commune["bassin_bmo"]


@pytest.fixture
def declared(needs_url: str, needs_engine: sa.Engine) -> tuple[str, str]:
    with needs_engine.begin() as conn:
        code_rome, fap86, commune, bassin = trade_and_bassin(conn)
        one = save_company(conn, ACTOR, siret=SIRET, nom="Une")
        two = save_company(conn, ACTOR, siret=OTHER_SIRET, nom="Deux")
        need = {"code_rome": code_rome, "contrat": "apprentissage", "code_insee": commune}
        create_need(conn, ACTOR, one, need | {"nombre": 3})
        fill_need(conn, ACTOR, create_need(conn, ACTOR, one, need | {"nombre": 5}), 2)
        create_need(conn, ACTOR, two, need | {"nombre": 1, "contrat": "pfmp"})
        close_need(conn, ACTOR, create_need(conn, ACTOR, two, need | {"nombre": 40}))
    return fap86, bassin


def test_the_bassin_row_counts_the_declared_needs_beside_bmo(
    needs_url: str, declared: tuple[str, str], needs_engine: sa.Engine
) -> None:
    fap86, bassin = declared
    client = WebClient.on(needs_url)
    try:
        query = f"maille=bassin&groupement=fap&perimetre=tout&territoire={bassin}&taille=500"
        rows = client.json(f"/api/v1/diagnostic?{query}")["lignes"]
        mine = [r for r in rows if r["code_groupe"] == fap86]
        others = [r for r in rows if r["code_groupe"] != fap86]
        assert len(mine) == 1
        # Three open needs (the closed one left out): 3 + (5 − 2) + 1 people, two companies.
        assert (
            mine[0]["besoins_declares"],
            mine[0]["personnes_besoins_declares"],
            mine[0]["entreprises_besoins_declares"],
        ) == (3, 7, 2)
        assert mine[0]["date_besoins_declares"] is not None
        assert others and all(r["besoins_declares"] is None for r in others)
        exported = client.get(f"/api/v1/diagnostic.csv?{query}").text
        header = next(line for line in exported.splitlines() if line.startswith("Maille;"))
        # In the exports a row without a declared need has an empty cell (never 0).
        assert ";Besoins déclarés;Personnes recherchées (besoins déclarés);" in header
        page = client.page(f"/diagnostic/territoire/bassin/{bassin}?groupement=fap&perimetre=tout")
        assert "Besoins déclarés" in page and "aucun besoin déclaré" in page
        # A need closed now leaves the row at the next check of the needs (1 s).
        with needs_engine.begin() as conn:
            for need in list_needs(conn, NeedScope(all=True))[1]:
                if need.statut != "ferme":
                    close_need(conn, ACTOR, need)
        client.app.state.diagnostic._stamp = None
        rows = client.json(f"/api/v1/diagnostic?{query}")["lignes"]
        assert all(r["besoins_declares"] is None for r in rows)
    finally:
        client.close()


def test_without_a_trade_grouping_of_bmo_there_is_no_figure(
    needs_url: str, declared: tuple[str, str]
) -> None:
    _, bassin = declared
    client = WebClient.on(needs_url)
    try:
        rows = client.json(
            f"/api/v1/diagnostic?maille=bassin&groupement=diplome&perimetre=tout&territoire={bassin}"
        )["lignes"]
        assert rows and all(r["besoins_declares"] is None for r in rows)
    finally:
        client.close()
