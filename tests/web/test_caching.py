"""The web's caches: a byte budget that many distinct requests cannot pass, keys that do not
multiply with the case of free text or the order of parameters, and a fingerprint that sees a
corrected file of the same row count while the server runs."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tests.stores import load_store
from tests.web.client import WebClient, web_client, web_settings
from tremplin.diagnostic.consoles import ConsoleQuery
from tremplin.diagnostic.facts import FactsCache
from tremplin.referentials.perimeter import Perimeter
from tremplin.sources.ingest import load_paths
from tremplin.web.diagnostic.service import CHECK_EVERY, DiagnosticService
from tremplin.web.shared.caching import Memo, normalised_query, weight_of

BUDGET = 2 * 1024 * 1024


def _frame(rows: int) -> pl.DataFrame:
    return pl.DataFrame({"a": range(rows), "b": [f"ligne {i}" for i in range(rows)]})


@given(st.lists(st.integers(min_value=0, max_value=40_000), min_size=1, max_size=60))
def test_a_memo_never_weighs_more_than_its_budget(sizes: list[int]) -> None:
    memo = Memo(1000, weight=weight_of, budget=BUDGET)
    for key, rows in enumerate(sizes):
        frame = memo.get("empreinte", key, lambda rows=rows: _frame(rows))  # type: ignore[misc]
        assert frame.height == rows  # a result too heavy to keep is still given
        assert memo.weight <= BUDGET
    # The most recent result is kept whenever it fits the budget alone.
    if weight_of(_frame(sizes[-1])) <= BUDGET:
        computed: list[int] = []
        memo.get("empreinte", len(sizes) - 1, lambda: computed.append(1) or _frame(0))
        assert computed == []


def test_many_distinct_console_requests_stay_within_the_budget(demo_engine: sa.Engine) -> None:
    """300 distinct free texts (the probe's 76 requests took a server from 794 MiB to 2 GiB)."""
    service = DiagnosticService(
        demo_engine, FactsCache(demo_engine, Perimeter.load(None)), cache_budget=BUDGET
    )
    everything = service.offers(ConsoleQuery(perimetre="tout"))
    assert weight_of(everything) > BUDGET / 20  # each result weighs something
    for i in range(300):
        service.offers(ConsoleQuery(perimetre="tout", texte=f"texte {i}"))
        count, weight = service.kept()
        assert weight <= BUDGET
    assert count < 300


def test_free_text_in_any_case_is_one_result(demo_engine: sa.Engine) -> None:
    service = DiagnosticService(demo_engine, FactsCache(demo_engine, Perimeter.load(None)))
    first = service.offers(ConsoleQuery(perimetre="tout", texte="Lycée"))
    kept = service.kept()[0]  # the result, and what it is built from (the ROME labels)
    found = [
        service.offers(ConsoleQuery(perimetre="tout", texte=text))
        for text in ("LYCÉE", "lycée", "lYcÉe")
    ]
    assert first.height > 0
    assert all(frame is first for frame in found)  # computed once, kept once
    assert service.kept()[0] == kept


def test_the_order_of_parameters_is_one_key() -> None:
    assert normalised_query("b=2&a=1&a=0") == normalised_query("a=1&a=0&b=2") == "a=1&a=0&b=2"
    assert normalised_query("texte=a%20b&x=") == "texte=a+b&x="


def test_the_same_page_in_another_order_is_kept_once(demo_client: WebClient) -> None:
    first = demo_client.get("/api/v1/offres?perimetre=tout&taille=5&page=2")
    second = demo_client.get("/api/v1/offres?page=2&taille=5&perimetre=tout")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


# --- a corrected file while the server runs ------------------------------------------------------


@pytest.fixture
def corrected(
    demo_dir: Path, database_url: str, tmp_path: Path
) -> Iterator[tuple[WebClient, Path]]:
    folder = tmp_path / "demo"
    shutil.copytree(demo_dir, folder)
    loaded = load_store(database_url, [folder])
    with web_client(web_settings(loaded.url)) as client:
        yield client, folder / "affelnet" / "attractivite_capacite_2021.csv"


def _capacity(client: WebClient, uai: str, mef: str) -> int:
    rows = client.json(f"/api/v1/offres.json?perimetre=tout&uai={uai}")["lignes"]
    [found] = [r for r in rows if r["mef_stat_11"] == mef and r["source"] == "affelnet"]
    return int(found["capacite"])


def test_a_corrected_file_with_as_many_rows_is_seen_by_a_running_server(
    corrected: tuple[WebClient, Path],
) -> None:
    """The fingerprint was ``count / max(id) / sum(rows)``: a file corrected in place, with as
    many rows, went unseen until a restart. It is the files' sha256 now."""
    client, path = corrected
    header, first, *rest = path.read_text("utf-8-sig").splitlines()
    cells = first.split(";")
    columns = header.split(";")
    uai = cells[columns.index("Etablissement d'accueil")]
    mef = cells[columns.index("MEF STAT 11")]
    capacity = columns.index("Capacité carte scolaire")
    before = _capacity(client, uai, mef)
    assert before == int(cells[capacity])

    cells[capacity] = str(before + 7)
    path.write_text("\n".join([header, ";".join(cells), *rest]) + "\n", encoding="utf-8")
    # The folder again (demo data stays demo): the other files are unchanged, this one replaced.
    report = load_paths(client.app.state.engine, [path.parent.parent])
    replaced = [(o.status, o.rows_loaded) for o in report.outcomes if o.status == "remplacé"]
    assert replaced == [("remplacé", 1 + len(rest))], report.outcomes

    time.sleep(CHECK_EVERY + 0.1)  # the server looks at the store at most once a second
    assert _capacity(client, uai, mef) == before + 7
