"""Properties of the indicators over random territories and offers (hypothesis).

The facts are built by hand — small but complete frames of the shape ``build_facts`` gives — so
that sums can be checked against the offers that make them.
"""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin.diagnostic.classify import classify
from tremplin.diagnostic.facts import METIER_COLUMNS, Facts
from tremplin.diagnostic.indicators import Query, compute
from tremplin.diagnostic.rules import UNPLACED
from tremplin.reports.figures import format_cell

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
    # Counts spread over trades are weighted sums: whole numbers up to rounding.
    return round(float(frame.get_column(column).cast(pl.Float64).fill_null(0).sum()))


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
            assert row["taux_remplissage"] == pytest.approx(_total(usable, "effectif") / places)
            assert row["taux_remplissage"] <= 1.5


# A BMO cell: bassin (through its département), group, and projects — or « * » (None).
bmo_cell = st.fixed_dictionaries(
    {
        "dep": st.sampled_from(list(DEPARTEMENTS)),
        "group": st.sampled_from(range(len(GROUPS))),
        "projets": st.one_of(st.none(), st.integers(0, 400)),
        "difficiles": st.one_of(st.none(), st.integers(0, 400)),
    }
)


def _with_bmo(facts: Facts, cells: list[dict[str, object]]) -> Facts:
    rows = []
    for cell in cells:
        dep = str(cell["dep"])
        aca, reg, bassin = DEPARTEMENTS[dep]
        code, label = GROUPS[int(str(cell["group"]))]
        rows.append(
            {
                "annee_bmo": 2024,
                "fap2021": f"{code}0X40",
                "code_region": reg,
                "code_departement": dep,
                "code_academie": aca,
                "bassin_bmo": bassin,
                "projets": cell["projets"],
                "projets_difficiles": cell["difficiles"],
                "projets_secret": cell["projets"] is None,
                "projets_difficiles_secret": cell["difficiles"] is None,
                "fap86": code,
                "libelle_fap86": label,
                "fap22": code,
                "libelle_fap22": label,
                "industrie": True,
            }
        )
    frame = pl.DataFrame(
        rows, schema_overrides={"projets": pl.Int64, "projets_difficiles": pl.Int64}
    )
    return dataclasses.replace(facts, recrutement=frame)


@settings(max_examples=60, deadline=None)
@given(st.lists(offer, min_size=1, max_size=10), st.lists(bmo_cell, min_size=1, max_size=30))
def test_a_secret_bmo_cell_is_never_read_as_zero(
    offers: list[dict[str, object]], cells: list[dict[str, object]]
) -> None:
    facts = _with_bmo(_facts(offers), cells)
    rows = compute(facts, Query(maille="bassin", perimetre="tout"))
    rows = classify(rows)
    for row in rows.filter(pl.col("cellules_bmo").is_not_null()).iter_rows(named=True):
        mine = [
            c
            for c in cells
            if DEPARTEMENTS[str(c["dep"])][2] == row["code_territoire"]
            and GROUPS[int(str(c["group"]))][0] == row["code_groupe"]
        ]
        known = [int(str(c["projets"])) for c in mine if c["projets"] is not None]
        assert row["cellules_bmo"] == len(mine)
        assert row["cellules_bmo_secretes"] == len(mine) - len(known)
        assert row["part_cellules_bmo_secretes"] == pytest.approx(1 - len(known) / len(mine))
        assert row["projets_recrutement_secret"] is (not known)
        if known:
            assert row["projets_recrutement"] == sum(known)
        else:
            # All secret: no count, no ratio, and no objective that reads the projects.
            assert row["projets_recrutement"] is None
            assert row["projets_par_place"] is None
            assert "competences" not in row["objectifs"]
            assert format_cell(row, "projets_recrutement") == "secret"
        if known and len(known) < len(mine):
            assert format_cell(row, "projets_recrutement").startswith("au moins ")
    # Rows without any BMO cell say nothing about recruitment (not « 0 projet »).
    for row in rows.filter(pl.col("cellules_bmo").is_null()).iter_rows(named=True):
        assert row["projets_recrutement"] is None


# --- trades as weights ------------------------------------------------------------------------

trade_share = st.tuples(
    st.sampled_from([*range(len(GROUPS)), None]), st.integers(1, 9), st.booleans()
)
weighted_offer = st.tuples(offer, st.lists(trade_share, min_size=1, max_size=3))


def _weighted_facts(offers: list[tuple[dict[str, object], list[tuple[int | None, int, bool]]]]):
    facts = _facts([o for o, _ in offers])
    rows, parts = [], []
    for i, (_o, shares) in enumerate(offers):
        total = sum(size for _g, size, _in in shares)
        entries = []
        for group, size, inside in shares:
            code = GROUPS[group][0] if group is not None else None
            entries.append(
                {
                    "id_offre": i,
                    "cfd_metier": f"4002{i:04d}",
                    "part_specialite": 1.0,
                    "base_part": None,
                    "code_rome": None,
                    "fap2021": code,
                    "fap86": code,
                    "fap22": code,
                    "poids_metier": size / total,
                    "poids": size / total,
                    "industrie": inside,
                }
            )
        rows += entries
        parts.append(float(sum(e["poids"] for e in entries if e["industrie"])))
    offres = facts.offres.with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("id_offre"),
        pl.Series("part_industrie", parts, dtype=pl.Float64),
        (pl.Series(parts) > 0).alias("industrie"),
        pl.lit("entree").alias("palier"),
    )
    types = {"id_offre": pl.Int64, "industrie": pl.Boolean}
    schema = {
        c: types.get(c, pl.Float64 if c.startswith(("poids", "part")) else pl.String)
        for c in METIER_COLUMNS
    }
    metiers = pl.DataFrame(rows, schema=schema)
    return Facts(
        offres,
        *(getattr(facts, f) for f in ("recrutement", "tension", "insertion")),
        facts.territoires,
        facts.etablissements,
        "test",
        metiers=metiers,
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(weighted_offer, min_size=1, max_size=30), st.sampled_from(["industrie", "tout"]))
def test_weights_conserve_totals_whatever_the_grouping(
    offers: list[tuple[dict[str, object], list[tuple[int | None, int, bool]]]], perimetre: str
) -> None:
    facts = _weighted_facts(offers)
    offres = facts.offres
    share = pl.col("part_industrie") if perimetre == "industrie" else pl.lit(1.0)
    affelnet = pl.col("source") == "affelnet"
    expected = offres.select(
        (pl.col("capacite").fill_null(0) * share).filter(affelnet).sum().alias("capacite"),
        (pl.col("demandes_voeux_1").fill_null(0) * share).filter(affelnet).sum().alias("voeux"),
        (pl.col("voeux_confirmes").fill_null(0) * share)
        .filter(~affelnet & ~pl.col("a_distance"))
        .sum()
        .alias("bts"),
        share.sum().alias("offres") if perimetre == "industrie" else pl.len().cast(pl.Float64),
    ).row(0)
    for groupement in ("famille_fap", "fap", "diplome"):
        for maille in ("region", "departement"):
            rows = compute(facts, Query(maille=maille, groupement=groupement, perimetre=perimetre))
            got = rows.select(
                pl.col("capacite").sum(),
                pl.col("demandes_voeux_1").sum(),
                pl.col("voeux_confirmes").sum(),
                pl.col("nb_offres").sum(),
            ).row(0)
            assert got == pytest.approx(expected, abs=1e-6)
