"""Generated cohorts: real first wishes reproduced exactly (AURA), reproducible from a seed, and
a choice model that only draws distinct, reachable offers with the logit's probabilities."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.scenarios.real import Real
from tremplin.scenarios.choice_model import (
    ChoiceModel,
    _uniform,
    choice_probabilities,
    draw_further_wishes,
    further_wish_counts,
)
from tremplin.scenarios.cohort_places import ORIGIN_COLUMNS, haversine_km
from tremplin.scenarios.cohorts import (
    OFFER_COLUMNS,
    Cohort,
    CohortSettings,
    PupilDraw,
    _codes,
    cohort_from_draw,
    draw_pupils,
    generate_cohort,
    offers_in_territory,
)

AURA_DEPARTEMENTS = ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]


def _aura(expr: pl.Expr) -> pl.Expr:
    # A UAI's département is in its first three characters: « 069… » is the Rhône.
    return expr.str.slice(0, 3).str.strip_prefix("0").is_in(AURA_DEPARTEMENTS)


def _raw_first_wishes(sources_dir: Path) -> dict[tuple[str, str], int]:
    nmef = pl.read_csv(sources_dir / "bcn" / "nMef.csv", separator=";", infer_schema=False)
    entry = nmef.filter(pl.col("ANNEE_DISPOSITIF") == "1").get_column("MEF_STAT_11").unique()
    raw = pl.read_csv(
        sources_dir / "affelnet" / "attractivite_capacite_2021.csv",
        separator=";",
        infer_schema=False,
    )
    rows = (
        raw.filter(
            (pl.col("Statut Offre de formation") == "ST")
            & (pl.col("Voeu de recensement O/N") == "N")
            & pl.col("MEF STAT 11").is_in(entry.implode())
            & _aura(pl.col("Etablissement d'accueil"))
        )
        .group_by("Etablissement d'accueil", "MEF STAT 11")
        .agg(pl.col("Demandes vœux 1").cast(pl.Int64).sum())
        .filter(pl.col("Demandes vœux 1") > 0)
    )
    return {(u, m): n for u, m, n in rows.iter_rows()}


@pytest.fixture(scope="module")
def aura_cohort(real: Real) -> Cohort:
    return generate_cohort(offers_in_territory(real.entry, "region:84"), real.origins, seed=7)


@pytest.mark.realdata
def test_first_wishes_are_the_real_ones_per_uai_and_mef(
    aura_cohort: Cohort, sources_dir: Path
) -> None:
    counts = aura_cohort.pupils.group_by("uai_premier_voeu", "mef_premier_voeu").len()
    found = {(u, m): n for u, m, n in counts.iter_rows()}
    expected = _raw_first_wishes(sources_dir)
    assert found == expected
    assert sum(expected.values()) == aura_cohort.instance.n_pupils > 30_000


@pytest.mark.realdata
def test_first_wishes_of_the_1re_pro_file_are_the_real_ones(real: Real, sources_dir: Path) -> None:
    raw = pl.read_csv(
        sources_dir / "affelnet" / "affelnet1PROspe.csv", separator=";", infer_schema=False
    ).filter(
        (pl.col("Statut Offre de formation") == "ST")
        & (pl.col("Voeu de recensement O/N") == "N")
        & _aura(pl.col("Etablissement d'accueil"))
    )
    expected = (
        raw.group_by(pl.col("Etablissement d'accueil").alias("uai"))
        .agg(pl.col("Demandes vœux 1").cast(pl.Int64).sum().alias("n"))
        .filter(pl.col("n") > 0)
    )
    cohort = generate_cohort(offers_in_territory(real.premiere, "region:84"), real.origins, 3)
    found = cohort.pupils.group_by(pl.col("uai_premier_voeu").alias("uai")).agg(
        pl.len().cast(pl.Int64).alias("n")
    )
    assert found.sort("uai").equals(expected.sort("uai"))
    # Every offer of the file found its MEF (by label) and a place.
    aura = offers_in_territory(real.premiere, "region:84")
    assert aura.get_column("latitude").null_count() == 0
    assert aura.get_column("mef_stat_11").null_count() == 0
    assert (
        aura.get_column("capacite").sum()
        == raw.get_column("Capacité d'affectation").cast(pl.Int64).sum()
    )


@pytest.mark.realdata
def test_aura_pupils_live_at_collèges_near_their_first_wish(aura_cohort: Cohort) -> None:
    pupils = aura_cohort.pupils
    share_colleges = (pupils.get_column("type_origine") == "collège").mean()
    assert isinstance(share_colleges, float) and share_colleges > 0.95
    distance = pupils.get_column("distance_premier_voeu_km")
    assert distance.null_count() == 0
    assert distance.max() <= CohortSettings().placement_radius_km  # type: ignore[operator]
    assert 3 < distance.median() < 25  # type: ignore[operator]
    boursiers = pupils.get_column("boursier").mean()
    assert isinstance(boursiers, float) and abs(boursiers - 0.25) < 0.01
    assert aura_cohort.grades.min() >= 0 and aura_cohort.grades.max() <= 20
    assert 11.8 < aura_cohort.grades.mean() < 12.2
    counts = aura_cohort.instance.wish_counts
    assert counts.min() >= 1 and counts.max() <= 10
    # Roughly a quarter of the wishes are in the pupil's secteur (its two nearest lycées).
    assert 0.1 < aura_cohort.secteur.mean() < 0.5


@pytest.mark.realdata
def test_a_seed_gives_the_same_cohort_and_another_seed_another(real: Real) -> None:
    offers = offers_in_territory(real.entry, "departement:01")
    a = generate_cohort(offers, real.origins, seed=11)
    b = generate_cohort(offers, real.origins, seed=11)
    c = generate_cohort(offers, real.origins, seed=12)
    for left, right in ((a, b),):
        assert np.array_equal(left.instance.wish_offsets, right.instance.wish_offsets)
        assert np.array_equal(left.instance.wish_formations, right.instance.wish_formations)
        assert np.array_equal(left.grades, right.grades)
        assert np.array_equal(left.secteur, right.secteur)
        assert left.pupils.equals(right.pupils)
        assert np.array_equal(left.solve().wish, right.solve().wish)
    assert not np.array_equal(a.instance.wish_formations, c.instance.wish_formations)
    assert not a.pupils.equals(c.pupils)


@pytest.mark.realdata
def test_an_aura_cohort_is_drawn_and_solved(real: Real) -> None:
    # How long it takes is measured in benchmarks/startup.py (a 20-seed AURA scenario), never
    # asserted by a test.
    offers = offers_in_territory(real.entry, "region:84")
    cohort = generate_cohort(offers, real.origins, seed=2)
    outcome = cohort.solve()
    instance = cohort.instance
    held = outcome.wish[outcome.wish >= 0]
    admitted = np.bincount(instance.wish_formations[held], minlength=instance.n_formations)
    assert outcome.wish.shape == (instance.n_pupils,)
    assert (admitted <= instance.capacities).all()


# --- small synthetic offer sets -----------------------------------------------------------


def synthetic_offers(
    rows: list[tuple[int, float, float, int, int, str | None, str]],
) -> pl.DataFrame:
    """Offers in :data:`OFFER_COLUMNS` from (lycée, lat, lon, capacity, first wishes, famille,
    niveau) tuples; a lycée keeps the coordinates of its first row."""
    places: dict[int, tuple[float, float]] = {}
    records = []
    for i, (lycee, lat, lon, capacity, wishes, famille, niveau) in enumerate(rows):
        lat, lon = places.setdefault(lycee, (lat, lon))
        records.append(
            {
                "formation_id": f"L{lycee}:F{i}",
                "uai": f"{lycee:07d}X",
                "mef_stat_11": f"{i:011d}",
                "libelle": f"Formation {i}",
                "etablissement": f"Lycée {lycee}",
                "commune": "Commune",
                "code_departement": "38" if lat < 45.25 else "69",
                "code_academie": "08" if lat < 45.25 else "10",
                "code_region": "84",
                "latitude": lat,
                "longitude": lon,
                "capacite": capacity,
                "capacite_estimee": False,
                "demandes_voeux_1": wishes,
                "popularite": float(wishes),
                "niveau": niveau,
                "famille": famille,
                "groupe_bareme": "production" if i % 2 else "services",
                "industrie": i % 3 == 0,
                "affectes_voeu_1": None,
                "affectes_tous_voeux": None,
            }
        )
    return pl.DataFrame(records).select(OFFER_COLUMNS)


def synthetic_origins(points: list[tuple[float, float, float]]) -> pl.DataFrame:
    """Communes at (lat, lon) with a population."""
    return pl.DataFrame(
        {
            "origine": [f"C{i}" for i in range(len(points))],
            "type_origine": ["commune"] * len(points),
            "nom_origine": [f"Commune {i}" for i in range(len(points))],
            "code_insee": [f"{38000 + i}" for i in range(len(points))],
            "code_departement": ["38"] * len(points),
            "code_academie": ["08"] * len(points),
            "code_region": ["84"] * len(points),
            "latitude": [p[0] for p in points],
            "longitude": [p[1] for p in points],
            "poids": [p[2] for p in points],
        }
    ).select(ORIGIN_COLUMNS)


coordinate = st.tuples(st.floats(45.0, 45.5), st.floats(4.8, 5.3))
offer_rows = st.lists(
    st.tuples(
        st.integers(0, 4),
        st.floats(45.0, 45.5),
        st.floats(4.8, 5.3),
        st.integers(0, 8),
        st.integers(0, 8),
        st.sampled_from(["A", "B", None]),
        st.sampled_from(["CAP", "Bac pro"]),
    ),
    min_size=1,
    max_size=10,
)
origin_points = st.lists(
    st.tuples(st.floats(45.0, 45.5), st.floats(4.8, 5.3), st.floats(1.0, 1000.0)),
    min_size=1,
    max_size=5,
)
SMALL = CohortSettings(reach_km=30.0, max_lycees=3, secteur_lycees=1)


@settings(max_examples=60, deadline=None)
@given(offer_rows, origin_points, st.integers(0, 2**32))
def test_further_wishes_are_distinct_reachable_offers(
    rows: list[tuple[int, float, float, int, int, str | None, str]],
    points: list[tuple[float, float, float]],
    seed: int,
) -> None:
    offers = synthetic_offers(rows)
    places = synthetic_origins(points)
    cohort = generate_cohort(offers, places, seed, SMALL)
    instance = cohort.instance
    assert instance.n_pupils == offers.get_column("demandes_voeux_1").sum()
    first = instance.wish_formations[instance.wish_offsets[:-1]]
    assert np.array_equal(
        np.bincount(first, minlength=offers.height), offers.get_column("demandes_voeux_1")
    )
    lat = offers.get_column("latitude").to_numpy()
    lon = offers.get_column("longitude").to_numpy()
    uai = offers.get_column("uai").to_numpy()
    lycees = offers.unique("uai").sort("uai")
    origin_of = dict(zip(places.get_column("origine"), range(places.height), strict=True))
    for p in range(instance.n_pupils):
        wishes = instance.wish_formations[instance.wish_offsets[p] : instance.wish_offsets[p + 1]]
        assert 1 <= wishes.size <= SMALL.choice.max_wishes
        assert len(set(wishes.tolist())) == wishes.size
        o = origin_of[cohort.pupils.item(p, "origine")]
        o_lat, o_lon = places.item(o, "latitude"), places.item(o, "longitude")
        to_lycees = haversine_km(
            np.full(lycees.height, o_lat),
            np.full(lycees.height, o_lon),
            lycees.get_column("latitude").to_numpy(),
            lycees.get_column("longitude").to_numpy(),
        )
        for f in wishes[1:]:
            d = float(haversine_km(np.array(o_lat), np.array(o_lon), lat[f], lon[f]))
            assert d <= SMALL.reach_km + 1e-9
            nearer = int(np.sum(to_lycees < d - 1e-9))
            assert nearer < SMALL.max_lycees, (uai[f], d)


def _every_noise_wishes(draw: PupilDraw, model: ChoiceModel) -> list[list[int]]:
    """Each pupil's wishes by the definition: the noise of every candidate computed, the k
    best kept (an earlier candidate first on a tie), as the compiled draw did before it learnt
    to skip hopeless candidates."""
    offers = draw.offers
    famille = _codes(offers.get_column("famille"))
    niveau = _codes(offers.get_column("niveau"))
    log_popularity = np.log1p(offers.get_column("popularite").fill_null(0.0).to_numpy())
    wanted = further_wish_counts(model, draw.count_uniforms)
    reach_offsets, reach_lycees, reach_km = draw.reach
    lycee_offsets, lycee_offers = draw.lycee_offers
    seed = np.uint64(draw.seed & 0xFFFFFFFFFFFFFFFF)
    wishes = []
    for p, first in enumerate(draw.pupil_first.tolist()):
        o, k = int(draw.reach_origin[p]), int(wanted[p])
        candidates: list[tuple[float, int, int]] = []
        if k > 0 and o >= 0:
            for r in range(reach_offsets[o], reach_offsets[o + 1]):
                lycee = reach_lycees[r]
                for t in range(lycee_offsets[lycee], lycee_offsets[lycee + 1]):
                    j = int(lycee_offers[t])
                    if j == first:
                        continue
                    u = (
                        -model.beta_distance * reach_km[r]
                        + model.beta_popularite * (log_popularity[j])
                    )
                    if famille[first] >= 0 and famille[j] == famille[first]:
                        u += model.beta_famille
                    if niveau[j] == niveau[first]:
                        u += model.beta_niveau
                    u -= np.log(-np.log(_uniform(seed, p, j)))
                    candidates.append((-u, len(candidates), j))
        wishes.append([first] + [j for _, _, j in sorted(candidates)[:k]])
    return wishes


@settings(max_examples=40, deadline=None)
@given(offer_rows, origin_points, st.integers(0, 2**32), st.floats(0.0, 6.0))
def test_further_wishes_are_those_of_every_noise(
    rows: list[tuple[int, float, float, int, int, str | None, str]],
    points: list[tuple[float, float, float]],
    seed: int,
    mean_further: float,
) -> None:
    model = ChoiceModel(mean_further=mean_further)
    settings_ = CohortSettings(choice=model, reach_km=30.0, max_lycees=5, secteur_lycees=1)
    draw = draw_pupils(synthetic_offers(rows), synthetic_origins(points), seed, settings_)
    instance = cohort_from_draw(draw).instance
    offsets, formations = instance.wish_offsets, instance.wish_formations.tolist()
    drawn = [formations[offsets[p] : offsets[p + 1]] for p in range(instance.n_pupils)]
    assert drawn == _every_noise_wishes(draw, model)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 80), st.booleans(), st.booleans(), st.integers(0, 500)),
        min_size=1,
        max_size=30,
    ),
    st.floats(0, 1),
    st.floats(-3, 5),
    st.floats(-2, 2),
)
def test_choice_probabilities_sum_to_one(
    candidates: list[tuple[float, bool, bool, int]], beta_d: float, beta_f: float, beta_p: float
) -> None:
    model = ChoiceModel(beta_distance=beta_d, beta_famille=beta_f, beta_popularite=beta_p)
    d, f, n, pop = (np.array(c) for c in zip(*candidates, strict=True))
    p = choice_probabilities(model, d, f, n, pop)
    assert p.shape == d.shape
    assert np.all(p >= 0)
    assert abs(p.sum() - 1.0) < 1e-9
    # Farther, everything else equal, is never more likely.
    if beta_d > 0 and len(candidates) >= 2:
        same = (f == f[0]) & (n == n[0]) & (pop == pop[0]) & (d > d[0])
        assert np.all(p[same] <= p[0] + 1e-12)


def test_second_wishes_follow_the_logit_probabilities() -> None:
    model = ChoiceModel(beta_distance=0.1, beta_famille=1.0, beta_niveau=0.5, beta_popularite=0.8)
    n_pupils = 40_000
    distance = np.array([0.0, 3.0, 8.0, 15.0, 25.0])
    famille = np.array([1, 1, 2, 1, -1])
    niveau = np.array([0, 1, 0, 0, 0])
    popularity = np.array([10.0, 30.0, 5.0, 60.0, 12.0])
    reach = (np.array([0, 5]), np.arange(5, dtype=np.int32), distance)
    lycee_offers = (np.arange(6, dtype=np.int64), np.arange(5, dtype=np.int64))
    offsets, offers, _ = draw_further_wishes(
        model,
        2024,
        np.zeros(n_pupils, dtype=np.int64),
        np.zeros(n_pupils, dtype=np.int64),
        np.ones(n_pupils, dtype=np.int64),
        reach,
        lycee_offers,
        np.arange(5, dtype=np.int64),
        famille,
        niveau,
        popularity,
    )
    assert np.all(np.diff(offsets) == 2)
    second = offers[1::2]
    frequency = np.bincount(second, minlength=5)[1:] / n_pupils
    expected = choice_probabilities(
        model, distance[1:], famille[1:] == famille[0], niveau[1:] == niveau[0], popularity[1:]
    )
    assert np.allclose(frequency, expected, atol=0.01)


@given(st.floats(0, 12), st.floats(0, 12), st.integers(1, 12))
def test_wish_counts_grow_with_their_mean_and_stay_capped(a: float, b: float, top: int) -> None:
    uniforms = np.random.default_rng(0).random(500)
    low, high = sorted((a, b))
    few = further_wish_counts(ChoiceModel(mean_further=low, max_wishes=top), uniforms)
    many = further_wish_counts(ChoiceModel(mean_further=high, max_wishes=top), uniforms)
    assert np.all(few <= many)
    assert few.min() >= 0 and many.max() <= top - 1


def test_a_lycée_without_coordinates_keeps_its_pupils_with_their_first_wish_only() -> None:
    offers = synthetic_offers([(0, 45.1, 5.0, 5, 3, "A", "CAP"), (1, 45.1, 5.01, 5, 2, "A", "CAP")])
    offers = offers.with_columns(
        pl.when(pl.col("uai") == "0000000X")
        .then(None)
        .otherwise(pl.col("latitude"))
        .alias("latitude")
    )
    cohort = generate_cohort(offers, synthetic_origins([(45.1, 5.0, 100.0)]), seed=1)
    counts = cohort.instance.wish_counts
    assert cohort.instance.n_pupils == 5
    assert np.all(counts[cohort.pupils.get_column("uai_premier_voeu") == "0000000X"] == 1)


# --- regression: a small cohort pinned literally (the generator's speed-ups keep it) ------

PINNED_ROWS: list[tuple[int, float, float, int, int, str | None, str]] = [
    (0, 45.10, 4.90, 8, 6, "A", "Bac pro"),
    (0, 45.10, 4.90, 4, 5, "B", "CAP"),
    (1, 45.20, 5.05, 6, 9, "A", "Bac pro"),
    (1, 45.20, 5.05, 5, 2, None, "CAP"),
    (2, 45.35, 4.95, 7, 7, "B", "Bac pro"),
    (3, 45.45, 5.20, 3, 4, "A", "CAP"),
    (4, 45.05, 5.25, 5, 3, "B", "Bac pro"),
]
PINNED_POINTS = [
    (45.10, 4.95, 300.0),
    (45.25, 5.00, 120.0),
    (45.40, 5.10, 80.0),
    (45.00, 5.20, 40.0),
    (45.30, 4.85, 200.0),
]
PINNED_SETTINGS = CohortSettings(reach_km=40.0, max_lycees=4, secteur_lycees=1)


def test_a_small_cohort_is_the_one_pinned() -> None:
    cohort = generate_cohort(
        synthetic_offers(PINNED_ROWS), synthetic_origins(PINNED_POINTS), 7, PINNED_SETTINGS
    )
    i = cohort.instance
    assert i.wish_offsets.tolist() == [
        0, 3, 4, 9, 11, 13, 18, 21, 26, 30, 34, 35, 38, 41, 46, 49, 52, 53, 56, 58, 60, 65, 68,
        74, 77, 80, 84, 88, 90, 93, 95, 98, 99, 105, 107, 111, 113,
    ]  # fmt: skip
    assert i.wish_formations.tolist() == [
        0, 2, 6, 0, 0, 2, 4, 1, 3, 0, 2, 0, 2, 0, 2, 5, 4, 1, 1, 4, 3, 1, 4, 3, 2, 5, 1, 4, 6,
        3, 1, 4, 6, 3, 1, 2, 0, 3, 2, 0, 6, 2, 0, 5, 1, 4, 2, 0, 1, 2, 5, 0, 2, 2, 5, 0, 2, 0,
        2, 4, 3, 1, 0, 4, 2, 3, 1, 2, 4, 1, 0, 2, 5, 3, 4, 1, 6, 4, 6, 1, 4, 1, 2, 0, 4, 1, 2,
        5, 4, 1, 4, 1, 0, 5, 2, 5, 0, 3, 5, 5, 2, 0, 6, 1, 3, 6, 4, 6, 3, 1, 0, 6, 4,
    ]  # fmt: skip
    assert np.flatnonzero(cohort.secteur).tolist() == [
        0, 4, 7, 9, 11, 14, 18, 23, 24, 26, 30, 34, 36, 39, 41, 46, 49, 54, 56, 59, 61, 62, 66,
        68, 75, 79, 80, 87, 88, 90, 93, 95, 98, 101, 103, 107,
    ]  # fmt: skip
    assert cohort.pupils.get_column("origine").to_list() == [
        "C0", "C2", "C0", "C0", "C0", "C1", "C0", "C1", "C0", "C0", "C0", "C0", "C0", "C1",
        "C1", "C1", "C4", "C2", "C1", "C4", "C0", "C0", "C4", "C0", "C0", "C4", "C2", "C4",
        "C4", "C2", "C2", "C2", "C0", "C0", "C3", "C0",
    ]  # fmt: skip
    assert cohort.solve().formation.tolist() == [
        0, 0, 0, 0, 0, 0, 1, 3, 1, 1, 1, 2, 0, 2, 2, 2, -1, 2, 2, 4, 3, 3, 4, 6, 4, 4, 4, 4, 4,
        5, 5, 5, 0, 6, 6, 6,
    ]  # fmt: skip
    digest = hashlib.sha256(cohort.pupils.write_csv().encode()).hexdigest()
    assert digest == "cdbdcc27f5d8b12e40fba9293ec07ec9a98d9df9a5de663f3a0c7847726c43a2"
