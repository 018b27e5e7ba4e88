"""Reading what the web answers: pages' words and figures, CSV exports, the API's rows."""

from __future__ import annotations

import io
import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from tests.web.client import WebClient
from tremplin.diagnostic import rules
from tremplin.diagnostic.facts import stored_facts
from tremplin.diagnostic.indicators import Query, compute
from tremplin.referentials.perimeter import Perimeter
from tremplin.scenarios.scenario_comparison import Estimate


def computed(engine: sa.Engine, query: Query) -> pl.DataFrame:
    """The rows ``compute`` gives, on the facts stored in the store, read here independently of
    the app's cache."""
    with engine.connect() as conn:
        facts = stored_facts(conn, Perimeter.load(None))
    return compute(facts, query)


def busiest_row(client: WebClient, maille: str) -> dict[str, Any]:
    """The row of ``maille`` in AURA with the most places (a territory with many figures)."""
    rows = client.json(f"/api/v1/diagnostic?maille={maille}&region=84&taille=1000")["lignes"]
    placed = [r for r in rows if rules.UNPLACED not in (r["code_territoire"], r["code_groupe"])]
    return max(placed, key=lambda r: (r["places"], r["code_territoire"]))


def assert_rounded(got: list[Any], exact: list[Any], digits: int, name: str) -> None:
    """``got`` is ``exact`` rounded to ``digits`` decimals (a missing value stays missing)."""
    assert len(got) == len(exact), name
    for value, truth in zip(got, exact, strict=True):
        if truth is None:
            assert value is None, name
            continue
        assert value == pytest.approx(round(value, digits), abs=1e-9), (name, value)
        assert abs(value - truth) <= 0.5 * 10**-digits + 1e-9, (name, value, truth)


def csv_frame(content: bytes) -> pl.DataFrame:
    return pl.read_csv(
        io.BytesIO(content),
        separator=";",
        decimal_comma=True,
        comment_prefix="#",
        infer_schema_length=None,
    )


class _Cells(HTMLParser):
    """The ``data-indicateur`` cells of the figures table, by row code."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, dict[str, str]] = {}
        self._row: str | None = None
        self._cell: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and values.get("data-code"):
            self._row = values["data-code"]
            self.cells.setdefault(self._row or "", {})
        if tag == "td" and self._row and values.get("data-indicateur"):
            self._cell, self._text = values["data-indicateur"], ""

    def handle_data(self, data: str) -> None:
        if self._cell:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell and self._row:
            self.cells[self._row][self._cell] = self._text.strip()
            self._cell = None
        if tag == "tr":
            self._row = None


def figure_cells(html: str) -> dict[str, dict[str, str]]:
    parser = _Cells()
    parser.feed(html)
    return parser.cells


def page_text(html: str) -> str:
    """The page's words, tags dropped and spaces (narrow, no-break) made plain."""
    text = unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u202f", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def estimate(value: dict[str, float] | None) -> Estimate | None:
    return None if value is None else Estimate(value["mean"], value["low"], value["high"])
