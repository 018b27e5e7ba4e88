"""Trades as weights: each CFD over its trades, weights summing to 1 (properties and real files).

The real-data tests read Certif Info raw with the csv module and polars, independently of the
project's readers, and check the weights against the ranks of its ROME codes.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin.referentials.derived import referentials
from tremplin.referentials.trade_weights import rank_weight, spread
from tremplin.store.database import open_store

ROMES = [f"H{n:04d}" for n in range(1, 9)]
FAPS2009 = ["D2Z40", "C1Z40", "G1Z70"]
FAPS2021 = ["D1X33", "C0X20", "G1X72", "G1X77"]

cfd = st.lists(st.sampled_from(ROMES), min_size=0, max_size=5, unique=True)
rome_fap = st.dictionaries(st.sampled_from(ROMES), st.sampled_from(FAPS2009))
bridge_row = st.lists(st.sampled_from(FAPS2021), min_size=1, max_size=3, unique=True).flatmap(
    lambda codes: st.tuples(
        st.just(codes), st.lists(st.integers(1, 10), min_size=len(codes), max_size=len(codes))
    )
)
bridges = st.dictionaries(st.sampled_from(FAPS2009), bridge_row)


def _frames(
    cfds: list[list[str]], faps: dict[str, str], bridge: dict[str, tuple[list[str], list[int]]]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    romes = pl.DataFrame(
        [
            (f"C{i}", rome, rank)
            for i, codes in enumerate(cfds)
            for rank, rome in enumerate(codes, 1)
        ],
        schema={"cfd": pl.String, "code_rome": pl.String, "rank": pl.Int64},
        orient="row",
    )
    rome_faps = pl.DataFrame(
        list(faps.items()), schema={"code_rome": pl.String, "fap2009": pl.String}, orient="row"
    )
    links = pl.DataFrame(
        [
            (fap, code, share / sum(shares))
            for fap, (codes, shares) in bridge.items()
            for code, share in zip(codes, shares, strict=True)
        ],
        schema={"fap2009": pl.String, "fap2021": pl.String, "weight": pl.Float64},
        orient="row",
    )
    return romes, rome_faps, links


@given(st.integers(1, 5))
def test_rank_weights_sum_to_one_and_decrease(n: int) -> None:
    weights = pl.select(rank_weight(pl.int_range(1, n + 1), pl.lit(n)).alias("w")).get_column("w")
    assert weights.sum() == pytest.approx(1.0)
    assert weights.to_list() == sorted(weights.to_list(), reverse=True)


@settings(max_examples=80, deadline=None)
@given(st.lists(cfd, min_size=1, max_size=8), rome_fap, bridges)
def test_each_cfd_with_a_rome_spreads_exactly_its_whole_weight(
    cfds: list[list[str]],
    faps: dict[str, str],
    bridge: dict[str, tuple[list[str], list[int]]],
) -> None:
    weights = spread(*_frames(cfds, faps, bridge))
    assert (weights.get_column("poids") >= 0).all()
    totals = dict(weights.group_by("cfd").agg(pl.col("poids").sum()).iter_rows())
    # Every CFD with a ROME code keeps its whole weight — on its trades, or on « no trade ».
    assert set(totals) == {f"C{i}" for i, codes in enumerate(cfds) if codes}
    for total in totals.values():
        assert total == pytest.approx(1.0)
    for i, codes in enumerate(cfds):
        reached = [r for r in codes if r in faps and faps[r] in bridge]
        rows = weights.filter(pl.col("cfd") == f"C{i}")
        if codes and not reached:
            assert rows.get_column("fap2021").null_count() == rows.height == 1


# --- real files --------------------------------------------------------------------------------


def _raw_certif_info(sources_dir: Path) -> pl.DataFrame:
    path = sources_dir / "certifications" / "certif_info.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return pl.DataFrame(rows).with_columns(pl.all().replace("", None))


@pytest.fixture(scope="module")
def weights(real_store_url: str) -> pl.DataFrame:
    engine = open_store(real_store_url)
    with engine.connect() as conn:
        found = referentials(conn).cfd_trade_weights
    engine.dispose()
    return found


@pytest.mark.realdata
def test_every_cfd_of_certif_info_has_weights_summing_to_one(
    weights: pl.DataFrame, sources_dir: Path
) -> None:
    raw = _raw_certif_info(sources_dir).get_column("Code_Scolarité").drop_nulls().unique()
    totals = weights.group_by("cfd").agg(pl.col("poids").sum())
    assert set(raw.to_list()) <= set(totals.get_column("cfd").to_list())
    assert totals.get_column("poids").min() == pytest.approx(1.0)
    assert totals.get_column("poids").max() == pytest.approx(1.0)


@pytest.mark.realdata
def test_rome_shares_follow_the_ranks_of_certif_info(
    weights: pl.DataFrame, sources_dir: Path
) -> None:
    # A CFD listed once in Certif Info with five ROME codes that all reach a FAP 2021.
    raw = _raw_certif_info(sources_dir)
    columns = [f"Code_Rome_{k}" for k in range(1, 6)]
    single = raw.group_by("Code_Scolarité").len().filter(pl.col("len") == 1)
    five = raw.join(single, on="Code_Scolarité").filter(
        pl.all_horizontal(pl.col(c).is_not_null() for c in columns)
    )
    reached = weights.group_by("cfd").agg(pl.col("code_rome").n_unique().alias("n"))
    checked = 0
    for row in five.iter_rows(named=True):
        cfd = row["Code_Scolarité"]
        romes = [row[c] for c in columns]
        if len(set(romes)) < 5 or reached.filter(pl.col("cfd") == cfd).get_column(
            "n"
        ).to_list() != [5]:
            continue
        shares = dict(
            weights.filter(pl.col("cfd") == cfd)
            .group_by("code_rome")
            .agg(pl.col("poids").sum())
            .iter_rows()
        )
        assert [round(shares[r] * 15, 9) for r in romes] == [5, 4, 3, 2, 1]
        checked += 1
    assert checked > 10


@pytest.mark.realdata
def test_a_common_first_year_takes_the_trades_of_its_options(weights: pl.DataFrame) -> None:
    # BTS CPRP: Parcoursup's CFD 32022316 (« 1re année commune ») is not in Certif Info, which
    # lists its options A (32022318) and B (32022317), both ROME H1203 only.
    common = weights.filter(pl.col("cfd") == "32022316")
    option = weights.filter(pl.col("cfd") == "32022318")
    assert common.get_column("fap2021").null_count() == 0
    assert (
        common.select("code_rome", "fap2021", "poids")
        .sort("fap2021")
        .equals(option.select("code_rome", "fap2021", "poids").sort("fap2021"))
    )
