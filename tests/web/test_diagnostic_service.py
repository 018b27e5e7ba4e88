"""The diagnostic as the web serves it (``web/diagnostic/service.py``): facts built once per
state of the store."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from tests.web.client import web_client, web_settings
from tremplin.diagnostic.facts import FactsCache
from tremplin.referentials.perimeter import Perimeter
from tremplin.sources.ingest import load_paths
from tremplin.store.database import open_store
from tremplin.web.diagnostic.service import CHECK_EVERY, DiagnosticService


def test_facts_are_built_once_and_rebuilt_when_the_store_changes(
    demo_store_url: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'copie.sqlite'}"
    source = sa.create_engine(demo_store_url)
    with source.connect() as conn:
        conn.exec_driver_sql(f"VACUUM INTO '{tmp_path / 'copie.sqlite'}'")
    source.dispose()
    with web_client(web_settings(url)) as copy:
        service = copy.app.state.diagnostic
        before = copy.json("/api/v1/diagnostic?maille=region&taille=1000")
        facts = service.facts()
        copy.json("/api/v1/diagnostic?maille=academie&taille=1000")
        assert service.facts() is facts
        # A new file changes the store: the next request sees new facts.
        extra = tmp_path / "extra"
        (extra / "effectifs").mkdir(parents=True)
        (extra / ".tremplin-demo").write_text("fictif", "utf-8")
        (extra / "effectifs" / "constat_2021.csv").write_text(
            "Rentrée scolaire;UAI;Mef Bcp 11;Nombre d'élèves : Total\n"
            "2021;0699999A;32221023210;12\n",
            encoding="utf-8-sig",
        )
        store = open_store(url)
        load_paths(store, [extra])
        store.dispose()
        # The store is checked again at most every CHECK_EVERY seconds.
        time.sleep(CHECK_EVERY + 0.05)
        after = copy.json("/api/v1/diagnostic?maille=region&taille=1000")
        assert service.facts() is not facts
        assert after["total"] == before["total"]


def test_a_repeated_millesime_is_said_where_its_year_is_shown(
    store: sa.Engine, sources_dir: Path
) -> None:
    folder = sources_dir / "parcoursup"
    load_paths(store, [folder / f"BTS_attractivite_capacite_{y}.csv" for y in (2021, 2022)])
    service = DiagnosticService(store, FactsCache(store, Perimeter.load(None)))
    years = service.source_years(pl.DataFrame({"annee_parcoursup": [2021, 2022]}))
    first, second = years["Parcoursup"].split(", ", 1)
    assert first == "2021"
    assert second.startswith(
        "2022 (attention : Mêmes lignes que BTS_attractivite_capacite_2021.csv (millésime 2021)"
    )
