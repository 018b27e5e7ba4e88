"""Properties of the indicators over random territories and offers (hypothesis).

The facts are built by hand — small but complete frames of the shape ``build_facts`` gives — so
that sums can be checked against the offers that make them.
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin.diagnostic.facts import Facts
from tremplin.diagnostic.indicators import Query, compute
from tremplin.diagnostic.rules import UNPLACED

# Two régions, three académies, five départements, each with one bassin.
DEPARTEMENTS = {
    "01": ("10", "84", "B01"),
    "69": ("10", "84", "B69"),
    "38": ("08", "84", "B38"),
    "63": ("06", "84", "B63"),
    "75": ("01", "11", "B75"),
}
GROUPS = [("D", "Mécanique"), ("E", "Industries de process"), ("L", "Gestion")]


def _territoires() -> pl.DataFrame:
    rows = [
        ("region", "84", "Auvergne-Rhône-Alpes", "84", None, None),
        ("region", "11", "Île-de-France", "11", None, None),
        ("academie", "10", "Lyon", "84", "10", None),
        ("academie", "08", "Grenoble", "84", "08", None),
        ("academie", "06", "Clermont-Ferrand", "84", "06", None),
        ("academie", "01", "Paris", "11", "01", None),
    ]
    for dep, (aca, reg, bassin) in DEPARTEMENTS.items():
        rows.append(("departement", dep, f"Département {dep}", reg, aca, dep))
        rows.append(("bassin", bassin, f"Bassin {dep}", reg, aca, dep))
    return pl.DataFrame(
        rows,
        schema=["maille", "code", "nom", "code_region", "code_academie", "code_departement"],
        orient="row",
    ).with_columns(
        pl.lit(1000).alias("population"),
        pl.lit(45.0).alias("latitude"),
        pl.lit(4.0).alias("longitude"),
    )


offer = st.fixed_dictionaries(
    {
        "dep": st.sampled_from([*DEPARTEMENTS, None]),
        "group": st.sampled_from([*range(len(GROUPS)), None]),
        "source": st.sampled_from(["affelnet", "parcoursup"]),
        "capacite": st.one_of(st.none(), st.integers(0, 60)),
        "demandes": st.integers(0, 200),
        "effectif": st.one_of(st.none(), st.integers(0, 60)),
        "industrie": st.booleans(),
        "niveau": st.sampled_from(["CAP", "Bac pro", "BTS"]),
        "bassin_known": st.booleans(),
        "a_distance": st.booleans(),
    }
)


def _facts(offers: list[dict[str, object]]) -> Facts:
    rows = []
    for i, o in enumerate(offers):
        dep = o["dep"]
        aca, reg, bassin = DEPARTEMENTS[dep] if isinstance(dep, str) else (None, None, None)
        group = GROUPS[o["group"]] if isinstance(o["group"], int) else (None, None)
        capacity = o["capacite"]
        capacite = capacity if isinstance(capacity, int) and 5 <= capacity <= 500 else None
        pupils = o["effectif"]
        # Only Parcoursup marks offers taught wholly at a distance.
        distance = bool(o.get("a_distance")) and o["source"] == "parcoursup"
        rows.append(
            {
                "source": o["source"],
                "annee": 2023,
                "uai": f"{i:07d}A",
                "statut": "scolaire",
                "capacite": capacite,
                "demandes_voeux_1": o["demandes"] if o["source"] == "affelnet" else None,
                "voeux_confirmes": o["demandes"] if o["source"] == "parcoursup" else None,
                "effectif": None if distance else pupils,
                "rentree_effectif": None if distance or pupils is None else 2023,
                "a_distance": distance,
                # As build_facts marks it: pupils above 1.5 × places.
                "remplissage_incoherent": isinstance(pupils, int)
                and capacite is not None
                and not distance
                and pupils > 1.5 * capacite,
                "entree": True,
                "industrie": o["industrie"],
                "niveau": o["niveau"],
                "cfd": f"4002{i:04d}",
                "libelle_formation": f"Formation {i}",
                "famille_metiers": None,
                "fap22": group[0],
                "libelle_fap22": group[1],
                "fap86": group[0],
                "libelle_fap86": group[1],
                "code_region": reg,
                "code_academie": aca,
                "code_departement": dep,
                "bassin_bmo": bassin if o["bassin_known"] else None,
            }
        )
    offres = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
    empty = pl.DataFrame()
    return Facts(offres, empty, empty, empty, _territoires(), empty, "test")


SUMS = [
    "nb_offres",
    "capacite",
    "demandes_voeux_1",
    "capacite_bts",
    "voeux_confirmes",
    "capacite_distance",
    "voeux_confirmes_distance",
    "nb_offres_distance",
    "nb_remplissage_incoherent",
    "effectif",
    "places",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(offer, min_size=1, max_size=40), st.sampled_from(["industrie", "tout"]))
def test_sub_territories_add_up_to_their_parent(
    offers: list[dict[str, object]], perimetre: str
) -> None:
    facts = _facts(offers)
    totals = {}
    for maille in ("region", "academie", "departement", "bassin"):
        rows = compute(facts, Query(maille=maille, perimetre=perimetre))
        totals[maille] = rows.select(pl.col(c).sum() for c in SUMS).row(0)
    assert totals["region"] == totals["academie"] == totals["departement"] == totals["bassin"]
    rows = compute(facts, Query(maille="academie", perimetre=perimetre))
    deps = compute(facts, Query(maille="departement", perimetre=perimetre))
    for code in ("10", "08", "06"):
        inside = deps.filter(
            pl.col("code_territoire").is_in([d for d, v in DEPARTEMENTS.items() if v[0] == code])
        )
        academie = rows.filter(pl.col("code_territoire") == code)
        for column in SUMS:
            assert inside.get_column(column).sum() == academie.get_column(column).sum()


@settings(max_examples=60, deadline=None)
@given(st.lists(offer, min_size=1, max_size=40))
def test_each_offer_is_counted_once(offers: list[dict[str, object]]) -> None:
    facts = _facts(offers)
    rows = compute(facts, Query(maille="departement", perimetre="tout"))
    assert rows.get_column("nb_offres").sum() == len(offers)
    # A territory's rows add up to the territory's offers, whatever their trade.
    for dep in [*DEPARTEMENTS, None]:
        expected = sum(1 for o in offers if o["dep"] == dep)
        code = dep if dep is not None else UNPLACED
        got = rows.filter(pl.col("code_territoire") == code).get_column("nb_offres").sum()
        assert got == expected
    assert rows.select(pl.struct("code_territoire", "code_groupe").is_unique().all()).item()


@settings(max_examples=60, deadline=None)
@given(st.lists(offer, min_size=1, max_size=40))
def test_pressure_is_first_wishes_over_known_capacity(offers: list[dict[str, object]]) -> None:
    facts = _facts(offers)
    rows = compute(facts, Query(maille="region", perimetre="tout"))
    for row in rows.iter_rows(named=True):
        pressure = row["taux_pression"]
        if row["capacite"] == 0:
            assert pressure is None  # no places known: no pressure, neither an error nor infinity
        else:
            assert pressure is not None and pressure >= 0
            assert pressure != float("inf")


def test_a_capacity_of_zero_gives_no_pressure() -> None:
    base = {
        "dep": "69",
        "group": 0,
        "source": "affelnet",
        "demandes": 12,
        "effectif": None,
        "industrie": True,
        "niveau": "CAP",
        "bassin_known": True,
    }
    facts = _facts([{**base, "capacite": 0}])
    [row] = compute(facts, Query(maille="departement")).iter_rows(named=True)
    assert row["capacite"] == 0
    assert row["demandes_voeux_1"] == 12
    assert row["taux_pression"] is None


@settings(max_examples=60, deadline=None)
@given(st.lists(offer, min_size=1, max_size=40))
def test_distance_learning_places_are_kept_apart(offers: list[dict[str, object]]) -> None:
    facts = _facts(offers)
    rows = compute(facts, Query(maille="departement", perimetre="tout"))
    offres = facts.offres.filter(pl.col("source") == "parcoursup")
    local = offres.filter(~pl.col("a_distance"))
    far = offres.filter(pl.col("a_distance"))
    affelnet = facts.offres.filter(pl.col("source") == "affelnet")
    assert _total(rows, "capacite_bts") == _total(local, "capacite")
    assert _total(rows, "voeux_confirmes") == _total(local, "voeux_confirmes")
    assert _total(rows, "capacite_distance") == _total(far, "capacite")
    assert _total(rows, "voeux_confirmes_distance") == _total(far, "voeux_confirmes")
    assert _total(rows, "nb_offres_distance") == far.height
    # Places of the territory: Affelnet's and the local BTS places, never the distance ones.
    assert _total(rows, "places") == _total(affelnet, "capacite") + _total(local, "capacite")


def _total(frame: pl.DataFrame, column: str) -> int:
    return int(frame.get_column(column).cast(pl.Int64).fill_null(0).sum())


@settings(max_examples=60, deadline=None)
@given(st.lists(offer, min_size=1, max_size=40))
def test_fill_counts_coherent_known_offers_only(offers: list[dict[str, object]]) -> None:
    facts = _facts(offers)
    rows = compute(facts, Query(maille="departement", perimetre="tout"))
    keyed = facts.offres.with_columns(
        pl.col("code_departement").fill_null(UNPLACED).alias("code_territoire"),
        pl.col("fap22").fill_null(UNPLACED).alias("code_groupe"),
    )
    for row in rows.iter_rows(named=True):
        behind = keyed.filter(
            (pl.col("code_territoire") == row["code_territoire"])
            & (pl.col("code_groupe") == row["code_groupe"])
        )
        usable = behind.filter(
            pl.col("capacite").is_not_null()
            & pl.col("effectif").is_not_null()
            & ~pl.col("remplissage_incoherent")
            & ~pl.col("a_distance")
        )
        assert row["nb_remplissage_incoherent"] == _total(behind, "remplissage_incoherent")
        if usable.is_empty():
            # Unknown pupils are blank, never 0.
            assert row["effectif"] is None
            assert row["taux_remplissage"] is None
            continue
        assert row["effectif"] == _total(usable, "effectif")
        places = _total(usable, "capacite")
        if places:
            assert row["taux_remplissage"] == _total(usable, "effectif") / places
            assert row["taux_remplissage"] <= 1.5
