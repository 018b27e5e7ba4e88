"""Matching: the ranking's properties on generated profiles (scores in order, every candidate
inside the radius before every one outside, the distance recomputed independently and named
in the sentence), the trade tiers and ranking offers for a candidate."""

from __future__ import annotations

import math
from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin.companies.matching import (
    OFFER_COLUMNS,
    PROFILE_COLUMNS,
    CandidatePoint,
    OfferPoint,
    explain,
    rank_candidates,
    rank_offers,
)

CODES = ("H2913", "H2914", "H2901", "I1304", "D1106", "K2204")
OFFER = OfferPoint("H2913", 46.26, 5.65, "4", date(2027, 9, 1))  # Oyonnax


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance, written again with the math module."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


profile = st.fixed_dictionaries(
    {
        "codes_rome": st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True),
        "latitude": st.floats(45.0, 47.5),
        "longitude": st.floats(4.0, 7.0),
        "rayon_km": st.sampled_from([5.0, 10.0, 30.0, 50.0, 100.0]),
        "niveau": st.sampled_from(["3", "4", "5", None]),
        "disponible_le": st.one_of(
            st.none(), st.dates(min_value=date(2027, 6, 1), max_value=date(2028, 1, 1))
        ),
    }
)


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"id": i} | row for i, row in enumerate(rows)], schema=PROFILE_COLUMNS, orient="row"
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(profile, min_size=1, max_size=40))
def test_ranked_scores_are_ordered_and_inside_the_radius_comes_first(
    rows: list[dict[str, object]],
) -> None:
    ranked = rank_candidates(OFFER, _frame(rows))
    assert ranked.height == len(rows)
    scores = ranked["score"].to_list()
    assert scores == sorted(scores, reverse=True)
    inside = ranked["dans_rayon"].to_list()
    assert inside == sorted(inside, reverse=True)  # no one outside ranks above one inside
    for row in ranked.to_dicts():
        expected = _km(row["latitude"], row["longitude"], OFFER.latitude, OFFER.longitude)
        assert math.isclose(row["distance_km"], expected, rel_tol=1e-9, abs_tol=1e-6)
        assert row["dans_rayon"] == (expected <= row["rayon_km"])
        assert (row["score"] >= 0) if row["dans_rayon"] else (row["score"] <= 0)
        sentence = explain(row)
        shown = f"{row['distance_km']:.1f}".replace(".", ",").replace("-", "−")
        assert f"à {shown} km" in sentence
        assert ("dans le rayon" if row["dans_rayon"] else "hors du rayon") in sentence


@settings(max_examples=60, deadline=None)
@given(profile, st.floats(0.0, 200.0), st.floats(0.0, 200.0))
def test_the_same_profile_outside_never_ranks_above_itself_inside(
    row: dict[str, object], near_km: float, far_km: float
) -> None:
    radius = float(row["rayon_km"])  # type: ignore[arg-type]
    # Two copies of one profile due north of the offer: one within the radius, one beyond.
    near = min(near_km, radius * 0.99)
    far = radius * 1.01 + far_km
    per_degree = _km(0, 0, 1, 0)
    inside = row | {"latitude": OFFER.latitude + near / per_degree, "longitude": OFFER.longitude}
    outside = row | {"latitude": OFFER.latitude + far / per_degree, "longitude": OFFER.longitude}
    ranked = rank_candidates(OFFER, _frame([outside, inside]))
    assert ranked["id"].to_list() == [1, 0]
    assert ranked["score"][0] > ranked["score"][1]


def test_trade_tiers_level_and_dates() -> None:
    rows = [
        {"codes_rome": ["H2913"], "niveau": "4", "disponible_le": date(2027, 8, 1)},
        {"codes_rome": ["H2901"], "niveau": "4", "disponible_le": date(2027, 8, 1)},
        {"codes_rome": ["I1304"], "niveau": "4", "disponible_le": date(2027, 8, 1)},
        {"codes_rome": ["K2204"], "niveau": "3", "disponible_le": date(2027, 10, 16)},
    ]
    same_place = {"latitude": OFFER.latitude, "longitude": OFFER.longitude, "rayon_km": 30.0}
    frame = _frame([same_place | r for r in rows])
    ranked = rank_candidates(OFFER, frame, fap={"H2913": "D2Z40", "I1304": "D2Z40"})
    terms = ranked.select("id", "t_metier", "t_niveau", "t_dates").rows()
    assert terms == [
        (0, 1.0, 1.0, 1.0),
        (1, 0.6, 1.0, 1.0),
        (2, 0.3, 1.0, 1.0),
        (3, 0.0, 0.5, 0.5),  # one level apart; 45 days late: half of the 90 days
    ]
    assert ranked["score"][0] == 1.0
    sentence = explain(ranked.row(0, named=True))
    assert sentence == (
        "Même métier que l’offre (H2913) ; à 0,0 km, dans le rayon de 30 km ; niveau 4 pour un "
        "niveau 4 demandé ; disponible le 1er août 2027 pour un début le 1er septembre 2027 : "
        "score 1,00."
    )
    assert rank_candidates(OFFER, frame, limit=2)["id"].to_list() == [0, 1]


def test_offers_ranked_for_a_candidate() -> None:
    offers = pl.DataFrame(
        [
            (1, "I1304", 46.26, 5.65, "4", date(2027, 9, 1)),
            (2, "H2913", 46.30, 5.65, "4", date(2027, 9, 1)),
            (3, "H2913", 45.76, 4.84, None, None),  # Lyon: beyond 30 km
        ],
        schema=OFFER_COLUMNS,
        orient="row",
    )
    candidate = CandidatePoint(("H2913",), 46.26, 5.65, 30.0, "4", date(2027, 9, 1) - timedelta(1))
    ranked = rank_offers(candidate, offers)
    assert ranked["id"].to_list() == [2, 1, 3]
    assert ranked["dans_rayon"].to_list() == [True, True, False]
    lyon = explain(ranked.row(2, named=True))
    assert "hors du rayon de 30 km" in lyon and "niveau non précisé" in lyon
