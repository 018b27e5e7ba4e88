"""``tremplin tendances`` on the real files, and ``tremplin diagnostic --annee`` for a year a
source lacks."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
from typer.testing import CliRunner

from tremplin.cli import app
from tremplin.diagnostic.trends import ORDER

pytestmark = pytest.mark.realdata


def _run(real_store_url: str, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, list(arguments), env={"TREMPLIN_DATABASE_URL": real_store_url, "COLUMNS": "200"}
    )
    return result.exit_code, result.output


def test_trends_as_json_csv_and_table_say_the_same(real_store_url: str) -> None:
    options = ["--territoire", "departement:38", "--palier", "bts", "--perimetre", "tout"]
    code, output = _run(real_store_url, "tendances", *options, "--format", "json")
    assert code == 0, output
    rows = json.loads(output)
    assert rows and list(rows[0]) == ORDER
    assert {r["code_territoire"] for r in rows} == {"38"}
    assert {(r["annee"], r["offres"]) for r in rows} == {
        (2021, "toutes"),
        (2022, "toutes"),
        (2023, "toutes"),
        (2022, "comparables"),
        (2023, "comparables"),
    }
    wishes = sum(
        r["voeux_confirmes"] for r in rows if (r["annee"], r["offres"]) == (2023, "toutes")
    )

    code, output = _run(real_store_url, "tendances", *options, "--format", "csv")
    assert code == 0, output
    assert "# Source : Parcoursup, 2021, 2023" in output
    frame = pl.read_csv(io.StringIO(output), separator=";", decimal_comma=True, comment_prefix="#")
    assert frame.height == len(rows)
    assert "Vœux confirmés (BTS), évolution" in frame.columns

    code, output = _run(real_store_url, "tendances", *options)
    assert code == 0, output
    assert "Tendances — Isère" in output
    # French numbers, rounded: the total of 2023 on all offers.
    assert f"{round(wishes):,}".replace(",", "\u202f") in output or (
        f"{round(wishes):,}".replace(",", "\u00a0") in output
    )
    assert "Attention : Parcoursup 2022 : Mêmes lignes que" in output


def test_a_year_a_source_lacks_is_refused_with_the_source_named(real_store_url: str) -> None:
    code, output = _run(real_store_url, "diagnostic", "--territoire", "84", "--annee", "2022")
    assert code == 1
    assert "Affelnet n'a pas de fichier pour 2022 ; années chargées : 2021." in output
    code, output = _run(
        real_store_url, "diagnostic", "--palier", "bts", "--annee", "2024", "--format", "json"
    )
    assert code == 1
    assert "Parcoursup n'a pas de fichier pour 2024 ; années chargées : 2021, 2022, 2023." in output
    code, output = _run(
        real_store_url, "diagnostic", "--palier", "bts", "--annee", "2023", "--format", "json"
    )
    assert code == 0, output
    assert {r["annee_parcoursup"] for r in json.loads(output) if r["nb_offres"]} == {2023}


def test_an_unknown_territory_level_is_refused(real_store_url: str) -> None:
    code, output = _run(real_store_url, "tendances", "--territoire", "canton:12")
    assert code == 1
    assert "canton" in output
