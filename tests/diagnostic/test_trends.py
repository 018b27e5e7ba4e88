"""Years side by side (``diagnostic/trends.py``) on the real files, recomputed from the raw
Parcoursup and Affelnet CSVs with polars, and like-for-like properties on random subsets of the
real offers (hypothesis)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tremplin.diagnostic import rules
from tremplin.diagnostic.facts import Facts
from tremplin.diagnostic.indicators import Query
from tremplin.diagnostic.trends import COUNTS, ORDER, check_year, source_years, totals, trend
from tremplin.errors import InputError
from tremplin.store.provenance import list_loaded_files, year_warnings

pytestmark = pytest.mark.realdata

DISTANCE = r"(?i)enti[eè]rement en distanciel"


def _raw_parcoursup(sources_dir: Path, year: int) -> pl.DataFrame:
    """One year of Parcoursup BTS, raw: UAI, MEF STAT 11 (rectified when the file says so),
    statut, confirmed wishes and capacity (0 and 999 unknown), distance learning left out."""
    raw = pl.read_csv(
        sources_dir / "parcoursup" / f"BTS_attractivite_capacite_{year}.csv",
        separator=";",
        infer_schema=False,
    )
    # 2021 and 2022 name the rectified code « MEFSTAT11 rectifié »; 2023 calls it « MEFSTAT11 »
    # and keeps the former one as « MEFSTAT11_old ».
    mef = (
        pl.coalesce(pl.col("MEFSTAT11 rectifié").replace("", None), pl.col("MEFSTAT11"))
        if "MEFSTAT11 rectifié" in raw.columns
        else pl.col("MEFSTAT11")
    )
    capacity = pl.col("CAPACITEPSUP").cast(pl.Int64)
    return raw.filter(~pl.col("LIBELLÉFORMATION").str.contains(DISTANCE)).select(
        "UAI",
        mef.alias("mef"),
        pl.col("STATUT").str.to_lowercase().alias("statut"),
        pl.col("NB_VOEUX_CONFIRMES").cast(pl.Int64).alias("voeux"),
        pl.when(capacity.is_in([0, 999])).then(None).otherwise(capacity).alias("capacite"),
    )


@pytest.fixture(scope="module")
def warnings(real_engine: sa.Engine) -> dict[tuple[str, str], list[str]]:
    with real_engine.connect() as conn:
        return year_warnings(list_loaded_files(conn))


def _total(rows: pl.DataFrame, year: int, offres: str) -> dict[str, float]:
    found = totals(rows).filter((pl.col("annee") == year) & (pl.col("offres") == offres))
    assert found.height == 1
    return found.row(0, named=True)


@pytest.mark.parametrize(("departement", "prefix"), [("38", "038"), ("01", "001")])
def test_bts_trend_equals_the_raw_parcoursup_files(
    facts: Facts,
    sources_dir: Path,
    warnings: dict[tuple[str, str], list[str]],
    departement: str,
    prefix: str,
) -> None:
    rows = trend(
        facts,
        Query(maille="departement", territoire=departement, perimetre="tout", palier="bts"),
        warnings,
    )
    assert list(rows.columns) == ORDER
    before, after = (
        _raw_parcoursup(sources_dir, year).filter(pl.col("UAI").str.starts_with(prefix))
        for year in (2021, 2023)
    )
    keys = ["UAI", "mef", "statut"]
    both = before.select(keys).unique().join(after.select(keys).unique(), on=keys)
    common_before = before.join(both, on=keys, how="semi")
    common_after = after.join(both, on=keys, how="semi")

    every = _total(rows, 2023, "toutes")
    assert every["voeux_confirmes"] == pytest.approx(after["voeux"].sum(), abs=1e-6)
    assert every["voeux_confirmes_reference"] == pytest.approx(before["voeux"].sum(), abs=1e-6)
    assert every["capacite_bts"] == pytest.approx(after["capacite"].sum(), abs=1e-6)
    assert every["capacite_bts_reference"] == pytest.approx(before["capacite"].sum(), abs=1e-6)
    assert every["evolution_voeux_confirmes"] == pytest.approx(
        after["voeux"].sum() / before["voeux"].sum() - 1
    )
    same = _total(rows, 2023, "comparables")
    assert same["voeux_confirmes"] == pytest.approx(common_after["voeux"].sum(), abs=1e-6)
    assert same["voeux_confirmes_reference"] == pytest.approx(
        common_before["voeux"].sum(), abs=1e-6
    )
    assert same["capacite_bts"] == pytest.approx(common_after["capacite"].sum(), abs=1e-6)
    assert same["capacite_bts_reference"] == pytest.approx(
        common_before["capacite"].sum(), abs=1e-6
    )
    # Affelnet's figures are no part of the BTS palier: blank, not 0.
    assert every["demandes_voeux_1"] is None


def test_affelnet_trend_equals_the_raw_file(facts: Facts, sources_dir: Path) -> None:
    raw = pl.read_csv(
        sources_dir / "affelnet" / "attractivite_capacite_2021.csv",
        separator=";",
        infer_schema=False,
    ).filter(
        (pl.col("Statut Offre de formation") == "ST")
        & (pl.col("Voeu de recensement O/N") == "N")
        & pl.col("Etablissement d'accueil").str.starts_with("038")
    )
    rows = trend(facts, Query(maille="departement", territoire="38", perimetre="tout"))
    first = _total(rows, 2021, "toutes")
    assert first["demandes_voeux_1"] == pytest.approx(
        raw["Demandes vœux 1"].cast(pl.Int64).sum(), abs=1e-6
    )
    # Affelnet has no file for 2023: its figures, and the sums over sources, are blank.
    later = _total(rows, 2023, "toutes")
    assert later["demandes_voeux_1"] is None and later["places"] is None
    assert later["voeux_confirmes"] is not None
    notes = rows.filter(pl.col("annee") == 2023).get_column("avertissements").explode()
    assert "Affelnet n'a pas de fichier pour 2023." in notes.to_list()


def test_a_repeated_millesime_is_said_and_not_shown_as_a_fact(
    facts: Facts, warnings: dict[tuple[str, str], list[str]]
) -> None:
    assert ("parcoursup_bts", "2022") in warnings
    rows = trend(facts, Query(maille="region", territoire="84", palier="bts"), warnings)
    repeated = rows.filter(pl.col("annee") == 2022)
    assert repeated.height > 0
    assert repeated.get_column("voeux_confirmes").null_count() == repeated.height
    for notes in repeated.get_column("avertissements").to_list():
        assert any(
            n.startswith("Parcoursup 2022 : Mêmes lignes que BTS_attractivite_capacite_2021.csv")
            for n in notes
        )
    assert rows.filter(pl.col("annee") == 2023).get_column("avertissements").list.len().max() == 0


def test_industrial_bts_trend_of_the_issue(
    facts: Facts, warnings: dict[tuple[str, str], list[str]]
) -> None:
    """The issue's figures, counted on whole formations: 57,502 → 65,928 industrial BTS
    confirmed wishes in AURA, +10.1 % like-for-like against +1.5 % for all BTS. With trades as
    weights and distance learning apart, the same direction: like-for-like industrial wishes
    grow by about 10 %, much faster than all BTS."""
    industry = trend(facts, Query(maille="region", territoire="84", palier="bts"), warnings)
    everything = trend(
        facts, Query(maille="region", territoire="84", palier="bts", perimetre="tout"), warnings
    )
    industrial = _total(industry, 2023, "comparables")["evolution_voeux_confirmes"]
    overall = _total(everything, 2023, "comparables")["evolution_voeux_confirmes"]
    assert 0.08 < industrial < 0.13
    assert 0.0 < overall < 0.04
    assert industrial > 3 * overall


def test_a_year_a_source_lacks_names_the_source(facts: Facts) -> None:
    years = source_years(facts)
    assert years == {"affelnet": [2021], "parcoursup": [2021, 2022, 2023]}
    with pytest.raises(InputError) as error:
        check_year(facts, 2024, "bts")
    assert str(error.value) == (
        "annee : Parcoursup n'a pas de fichier pour 2024 ; années chargées : 2021, 2022, 2023."
    )
    with pytest.raises(InputError, match="Affelnet n'a pas de fichier pour 2022 ; années"):
        check_year(facts, 2022, "tous")
    # The BTS palier reads Parcoursup only; a year every source has passes.
    check_year(facts, 2022, "bts")
    check_year(facts, 2021, "tous")
    check_year(facts, None, "tous")


# --- like-for-like properties ------------------------------------------------------------------

_KEY = ["source", "uai", "mef_stat_11", "statut"]


@pytest.fixture(scope="module")
def ain(facts: Facts) -> Facts:
    """The real facts of the Ain's Parcoursup offers (small enough for many examples)."""
    offres = facts.offres.filter(
        (pl.col("code_departement") == "01") & (pl.col("source") == "parcoursup")
    )
    return dataclasses.replace(facts, offres=offres, memo={})


def _counts(rows: pl.DataFrame, offres: str) -> pl.DataFrame:
    return rows.filter((pl.col("offres") == offres) & (pl.col("annee") == 2023)).select(
        "code_groupe", *COUNTS, *(f"{c}_reference" for c in COUNTS)
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    keep=st.floats(0.1, 1.0),
    seed=st.integers(0, 2**32 - 1),
    perimetre=st.sampled_from(rules.PERIMETRES),
)
def test_like_for_like_never_exceeds_all_offers(
    ain: Facts, keep: float, seed: int, perimetre: str
) -> None:
    offres = ain.offres.sample(fraction=keep, seed=seed)
    facts = dataclasses.replace(ain, offres=offres, memo={})
    rows = trend(
        facts, Query(maille="departement", territoire="01", palier="bts", perimetre=perimetre)
    )
    every = _counts(rows, "toutes")
    same = _counts(rows, "comparables").join(every, on="code_groupe", how="left", suffix="_tout")
    for column in (*COUNTS, *(f"{c}_reference" for c in COUNTS)):
        # Blank figures (Affelnet's, for the BTS palier) compare nothing.
        pairs = same.select(column, f"{column}_tout").drop_nulls()
        assert (pairs[column] <= pairs[f"{column}_tout"] + 1e-6).all(), column


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), perimetre=st.sampled_from(rules.PERIMETRES))
def test_like_for_like_equals_all_offers_when_every_offer_is_in_both_years(
    ain: Facts, seed: int, perimetre: str
) -> None:
    # 2023 made of the 2021 offers, their wishes and places drawn anew: every offer in both.
    first = ain.offres.filter(pl.col("annee") == 2021)
    again = first.with_columns(
        pl.lit(2023, pl.Int64).alias("annee"),
        pl.col("voeux_confirmes").shuffle(seed=seed),
        pl.col("capacite").shuffle(seed=seed + 1),
    )
    facts = dataclasses.replace(ain, offres=pl.concat([first, again]), memo={})
    rows = trend(
        facts, Query(maille="departement", territoire="01", palier="bts", perimetre=perimetre)
    )
    every = _counts(rows, "toutes").sort("code_groupe")
    same = _counts(rows, "comparables").sort("code_groupe")
    assert every.height == same.height > 0
    for column in every.columns[1:]:
        assert same[column].to_list() == pytest.approx(every[column].to_list(), nan_ok=True), column
    assert first.select(_KEY).unique().height == again.select(_KEY).unique().height
