"""Trainings near me (``orientation/near.py``): the three levels of admission difficulty, the
order of a list, the groups, the commune's lookup, on the demo and the real files."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tremplin.errors import InputError, NotFound
from tremplin.geo import distance_km
from tremplin.orientation import near
from tremplin.orientation.data import APRES_3E, APRES_BAC, OrientationData, orientation_data
from tremplin.orientation.near import (
    LOIN,
    PRES,
    NearQuery,
    admission_difficulty,
    find_training,
    sort_key,
    trainings_near,
)
from tremplin.referentials.perimeter import Perimeter


@given(st.floats(0, 10, allow_nan=False), st.one_of(st.none(), st.integers(0, 100)))
def test_admission_difficulty_three_levels(pressure: float, capacity: int | None) -> None:
    level = admission_difficulty(pressure, capacity)
    if capacity is None or capacity <= 5:
        assert level is None
    elif pressure <= 1:
        assert level == "favorable"
    elif pressure < 1.42:
        assert level == "assez difficile"
    else:
        assert level == "très difficile"


def test_admission_difficulty_at_the_thresholds() -> None:
    assert admission_difficulty(1.0, 6) == "favorable"
    assert admission_difficulty(1.419, 6) == "assez difficile"
    assert admission_difficulty(1.42, 6) == "très difficile"
    assert admission_difficulty(3.0, 5) is None
    assert admission_difficulty(None, 30) is None


@given(
    st.lists(
        st.tuples(
            st.floats(0, 200, allow_nan=False),
            st.floats(0, 2, allow_nan=False),
            st.floats(0, 200, allow_nan=False),
        ),
        min_size=2,
        max_size=20,
    )
)
def test_sort_key_orders_by_band_then_relevance_then_distance(
    rows: list[tuple[float, float, float]],
) -> None:
    keyed = sorted(
        ((m, r, d, f"id{i}") for i, (m, r, d) in enumerate(rows)), key=lambda t: sort_key(*t)
    )
    for (m1, r1, d1, _), (m2, r2, d2, _) in itertools.pairwise(keyed):
        band1, band2 = m1 // near.BAND_MINUTES, m2 // near.BAND_MINUTES
        assert band1 <= band2
        if band1 == band2:
            assert round(r1, 9) >= round(r2, 9)
            if round(r1, 9) == round(r2, 9):
                assert d1 <= d2


def test_travel_minutes_is_distance_times_detour_over_speed() -> None:
    found = near.travel_minutes(45.0, 5.0, np.array([45.0, 45.5]), np.array([5.0, 5.0]))
    expected = distance_km(45.0, 5.0, 45.5, 5.0) * 1.3 / 40 * 60
    assert found[0] == pytest.approx(0.0)
    assert found[1] == pytest.approx(expected)


# --- the demo territory ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_data(demo_engine: sa.Engine) -> OrientationData:
    with demo_engine.connect() as conn:
        return orientation_data(conn, Perimeter.load(None))


@pytest.mark.parametrize("niveau", [APRES_3E, APRES_BAC])
def test_near_groups_and_order(demo_data: OrientationData, niveau: str) -> None:
    of_level = demo_data.formation_metiers.join(
        demo_data.formations.filter(pl.col("niveau_entree") == niveau).select("id"), on="id"
    )
    romes = tuple(of_level.group_by("code_rome").len().sort("len")[-3:]["code_rome"])
    result = trainings_near(demo_data, NearQuery(romes, "Grenoble", niveau))
    assert result.commune.code_insee == "38185"
    assert result.count > 0
    leading = set(demo_data.formation_metiers.filter(pl.col("code_rome").is_in(romes))["id"])
    for name, group in result.groups.items():
        keys = [sort_key(t.minutes or 0, t.pertinence, t.distance_km or 0, t.id) for t in group]
        assert keys == sorted(keys)
        for t in group:
            assert t.id in leading
            assert t.minutes is not None and t.distance_km is not None
            if name == PRES:
                assert t.minutes <= near.NEAR_MINUTES
            else:
                assert t.minutes > near.NEAR_MINUTES
                row = demo_data.formations.filter(pl.col("id") == t.id).row(0, named=True)
                assert row["code_academie"] == result.commune.code_academie
            assert (t.source == "Affelnet") == (niveau == APRES_3E)
    assert {PRES, LOIN} == set(result.groups)


def test_near_filters(demo_data: OrientationData) -> None:
    romes = tuple(demo_data.formation_metiers["code_rome"].unique().sort()[:40])
    everything = trainings_near(demo_data, NearQuery(romes, "38185", APRES_BAC))
    apprentices = trainings_near(demo_data, NearQuery(romes, "38185", APRES_BAC, "apprentissage"))
    close = trainings_near(demo_data, NearQuery(romes, "38185", APRES_BAC, None, 10.0))
    assert 0 < apprentices.count < everything.count
    assert all(t.voie == "apprentissage" for g in apprentices.groups.values() for t in g)
    assert close.count <= everything.count
    assert all((t.distance_km or 0) <= 10.0 for g in close.groups.values() for t in g)


def test_near_refuses_bad_input(demo_data: OrientationData) -> None:
    with pytest.raises(InputError):
        trainings_near(demo_data, NearQuery((), "38185"))
    with pytest.raises(InputError):
        trainings_near(demo_data, NearQuery(("X12",), "38185"))
    with pytest.raises(InputError):
        trainings_near(demo_data, NearQuery(("H2913",), "38185", "apres-5e"))
    with pytest.raises(InputError):
        trainings_near(demo_data, NearQuery(("H2913",), "38185", APRES_3E, "a-distance"))
    with pytest.raises(NotFound):
        trainings_near(demo_data, NearQuery(("H2913",), "Nulle-Part-sur-Mer"))
    with pytest.raises(NotFound):
        find_training(demo_data, "inconnu")


# --- the real files ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(real_engine: sa.Engine) -> OrientationData:
    with real_engine.connect() as conn:
        return orientation_data(conn, Perimeter.load(None))


def test_real_trainings_near_saint_etienne(real: OrientationData) -> None:
    result = trainings_near(real, NearQuery(("H2913",), "42218", APRES_3E))
    assert result.groups[PRES]
    first = result.groups[PRES][0]
    row = real.formations.filter(pl.col("id") == first.id).row(0, named=True)
    commune = real.communes.filter(pl.col("code_insee") == "42218").row(0, named=True)
    expected = distance_km(
        commune["latitude"], commune["longitude"], row["latitude"], row["longitude"]
    )
    assert first.distance_km == pytest.approx(expected)
    assert first.minutes == pytest.approx(expected * near.DETOUR_FACTOR / near.SPEED_KMH * 60)
    # Last year's pressure, from Affelnet's counts of the same offer.
    assert first.pression == pytest.approx(row["demandes_voeux_1"] / row["capacite"])
    assert all(t.source == "Affelnet" for g in result.groups.values() for t in g)
