"""Outcomes as ten young people (``orientation/outcomes.py``): the rounding always sums to 10,
the quartile words, and the figures a training shows recomputed from the InserJeunes files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tremplin.orientation.data import OrientationData, orientation_data
from tremplin.orientation.near import find_training
from tremplin.orientation.outcomes import (
    EMPLOYMENT_WORDS,
    MIN_COHORT,
    SOURCE_LYCEES,
    SOURCE_REGION,
    STUDY_WORDS,
    quartile_word,
    ten_sentence,
    ten_young_people,
)
from tremplin.referentials.perimeter import Perimeter

shares = st.floats(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False)


@given(st.lists(shares, min_size=3, max_size=3).filter(lambda s: sum(s) > 0))
def test_ten_young_people_always_sum_to_ten(values: list[float]) -> None:
    counts = ten_young_people(values)
    assert counts is not None
    assert sum(counts) == 10
    total = sum(values)
    for count, value in zip(counts, values, strict=True):
        # Largest remainders: each count is its tenth rounded down or up.
        assert abs(count - 10 * value / total) < 1


@given(st.lists(shares, min_size=3, max_size=3))
def test_ten_young_people_keeps_the_order_of_the_shares(values: list[float]) -> None:
    counts = ten_young_people(values)
    if counts is None:
        assert sum(values) == 0
        return
    for i in range(3):
        for j in range(3):
            if values[i] > values[j]:
                assert counts[i] >= counts[j]


def test_ten_young_people_by_hand() -> None:
    assert ten_young_people([0.57, 0.23, 0.20]) == [6, 2, 2]
    assert ten_young_people([0.25, 0.25, 0.5]) == [3, 2, 5]  # a tie: the first remainder
    assert ten_young_people([None, 0.5, 0.5]) is None
    assert ten_young_people([0, 0, 0]) is None
    assert (
        ten_sentence([6, 3, 1])
        == "sur 10 : 6 travaillent, 3 poursuivent leurs études, 1 autre situation"
    )
    assert (
        ten_sentence([1, 1, 8])
        == "sur 10 : 1 travaille, 1 poursuit ses études, 8 autres situations"
    )


@given(
    st.floats(0, 1, allow_nan=False),
    st.floats(0, 1, allow_nan=False),
    st.floats(0, 1, allow_nan=False),
)
def test_quartile_words(value: float, a: float, b: float) -> None:
    q1, q3 = min(a, b), max(a, b)
    word = quartile_word(value, q1, q3, EMPLOYMENT_WORDS)
    if value >= q3:
        assert word == "très favorable"
    elif value <= q1:
        assert word == "plutôt difficile"
    else:
        assert word == "dans la moyenne"
    assert quartile_word(None, q1, q3, STUDY_WORDS) is None
    assert quartile_word(value, None, q3, STUDY_WORDS) is None


# --- the real files ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data(real_engine: sa.Engine) -> OrientationData:
    with real_engine.connect() as conn:
        return orientation_data(conn, Perimeter.load(None))


def test_establishment_figures_are_the_lycees_file(
    data: OrientationData, sources_dir: Path
) -> None:
    raw = pl.read_csv(
        sources_dir / "inserjeunes" / "depp-inserjeunes-etablissements-2021_2022-pro.csv",
        separator=";",
        infer_schema_length=0,
    )
    line = raw.filter(
        (pl.col("n°UAI de l'établissement") == "0010001W")
        & (pl.col("Dont apprentis en EPLE") == "ensemble")
    ).row(0, named=True)
    training = find_training(
        data,
        data.formations.filter((pl.col("uai") == "0010001W") & (pl.col("voie") == "scolaire"))[
            "id"
        ][0],
    )
    outcome = training.devenir
    assert outcome.source == SOURCE_LYCEES and not outcome.regional
    assert outcome.millesime == "2021-2022"
    work = float(line["Part en emploi 6 mois après la sortie"])
    study = float(line["Part en poursuite d'études"])
    other = float(line["Part des autres situations"])
    assert outcome.ten == ten_young_people([work, study, other])
    assert outcome.taux_emploi == pytest.approx(float(line["Taux"]) / 100)


def test_regional_fallback_recomputed_from_ij_region_data(
    data: OrientationData, sources_dir: Path
) -> None:
    regional = data.formations.filter(pl.col("source_devenir") == SOURCE_REGION)
    assert regional.height > 0
    row = regional.filter(pl.col("code_region") == "84").row(0, named=True)
    raw = pl.read_csv(
        sources_dir / "inserjeunes" / "ij_region_data.csv", separator=";", infer_schema_length=0
    ).filter(
        (pl.col("code_region") == "84")
        & (pl.col("voie") == row["voie"])
        & (pl.col("millesime").str.replace("_", "-") == row["millesime_devenir"])
    )
    mefs = data.formations.filter(pl.col("cfd") == row["cfd"])["mef_stat_11"].to_list()
    lines = raw.filter((pl.col("cfd") == row["cfd"]) | pl.col("mefstat11").is_in(mefs))
    term = lines["nb_annee_term"].cast(pl.Int64).sum()
    assert term >= MIN_COHORT
    assert row["part_emploi"] == pytest.approx(
        lines["nb_en_emploi_6_mois"].cast(pl.Int64).sum() / term
    )
    assert row["part_poursuite"] == pytest.approx(
        lines["nb_poursuite_etudes"].cast(pl.Int64).sum() / term
    )
    # Shown only because the establishment publishes nothing for that voie.
    own = data.formations.filter(
        (pl.col("uai") == row["uai"])
        & (pl.col("source_devenir") != SOURCE_REGION)
        & (pl.col("voie") == row["voie"])
    )
    assert own.is_empty()


def test_a_missing_outcome_is_said_never_zero(data: OrientationData) -> None:
    missing = data.formations.filter(pl.col("source_devenir").is_null())
    assert missing.height > 0
    training = find_training(data, missing["id"][0])
    assert training.devenir.ten is None and training.devenir.sentence is None
    assert training.devenir.taux_emploi is None
