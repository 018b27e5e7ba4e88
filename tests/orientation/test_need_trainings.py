"""The trainings near a company's need (``orientation/need_trainings.py``) and the final-year
pupils and contacts they carry (``orientation/final_year.py``): the order rule, the radius, and
on the real files a need for welders (H2913) in Oyonnax, recomputed from the raw files."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tremplin.errors import InputError
from tremplin.geo import distance_km
from tremplin.orientation.data import OrientationData, orientation_data
from tremplin.orientation.need_trainings import (
    APPRENTICES_UNKNOWN,
    MAX_RADIUS_KM,
    NeedTraining,
    check_radius,
    need_trainings,
    sort_key,
)
from tremplin.orientation.outcomes import Outcome
from tremplin.referentials.perimeter import Perimeter

OYONNAX = "01283"
WELDER = "H2913"
JEWELLER = "B1606"
"""Joaillier / Joaillière: no certification of Certif Info naming it has a school code."""


def _training(ident: str, distance: float, adapted: bool, libelle: str = "X") -> NeedTraining:
    outcome = Outcome(None, None, None, None, False, None, None, None, None, False)
    return NeedTraining(
        id=ident,
        uai="0000000A",
        etablissement=None,
        commune=None,
        code_insee=None,
        precision=None,
        distance_km=distance,
        voie="scolaire",
        libelle=libelle,
        diplome=None,
        niveau_rncp=None,
        niveau_adapte=adapted,
        mef_stat_11="0",
        cfd=None,
        mefs_terminale=None,
        eleves_terminale=None,
        rentree_terminale=None,
        devenir=outcome,
        pertinence=1.0,
    )


@given(
    st.lists(
        st.tuples(st.floats(0, 300, allow_nan=False), st.booleans(), st.sampled_from("ABC")),
        min_size=2,
        max_size=30,
    )
)
def test_order_puts_the_needs_level_first_then_the_nearest(
    specs: list[tuple[float, bool, str]],
) -> None:
    trainings = [_training(str(i), d, a, label) for i, (d, a, label) in enumerate(specs)]
    ordered = sorted(trainings, key=sort_key)
    for before, after in itertools.pairwise(ordered):
        assert before.niveau_adapte >= after.niveau_adapte
        if before.niveau_adapte == after.niveau_adapte:
            assert before.distance_km <= after.distance_km


@pytest.mark.parametrize("radius", [0, -1, MAX_RADIUS_KM + 1])
def test_a_radius_out_of_range_is_refused(radius: float) -> None:
    with pytest.raises(InputError):
        check_radius(radius)


def test_apprentices_final_year_is_said_unknown() -> None:
    training = _training("1", 1.0, True)
    apprentice = NeedTraining(**{**training.__dict__, "voie": "apprentissage"})
    assert apprentice.pupils_note == APPRENTICES_UNKNOWN
    assert "ne publie pas" in training.outcome_note


# --- the real files -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(real_engine: sa.Engine) -> OrientationData:
    with real_engine.connect() as conn:
        return orientation_data(conn, Perimeter.load(None))


def _communes(sources_dir: Path) -> pl.DataFrame:
    return pl.read_csv(
        sources_dir / "territoires" / "communes_2026_pop_geopoint.csv",
        schema_overrides={"code_insee": pl.String, "departement": pl.String},
        infer_schema_length=0,
    ).with_columns(pl.col("latitude", "longitude").cast(pl.Float64))


def _final_year_pupils(sources_dir: Path, uai: str, entry_mef: str) -> int | None:
    """The pupils at ``uai`` of the final year of ``entry_mef``, straight from the raw BCN,
    familles de métiers and constat files."""
    mef = pl.read_csv(sources_dir / "bcn" / "nMef.csv", separator=";", infer_schema_length=0)
    entry = mef.filter(pl.col("MEF_STAT_11") == entry_mef).row(0, named=True)
    finals = set(
        mef.filter(
            (pl.col("FORMATION_DIPLOME") == entry["FORMATION_DIPLOME"])
            & (pl.col("DUREE_DISPOSITIF") == entry["DUREE_DISPOSITIF"])
            & (pl.col("ANNEE_DISPOSITIF") == pl.col("DUREE_DISPOSITIF"))
        )["MEF_STAT_11"]
    )
    familles = pl.read_csv(
        sources_dir / "bcn" / "familleMetiers.csv", separator=";", infer_schema_length=0
    )
    finals |= set(familles.filter(pl.col("MEFSTAT11_COMMUN") == entry_mef)["MEFSTAT11_SPECIALITE"])
    constat = pl.read_csv(
        sources_dir / "effectifs" / "constat_2020.csv", separator=";", infer_schema_length=0
    )
    constat.columns = ["rentree", "uai", "mef", "eleves"]
    rows = constat.filter((pl.col("uai") == uai) & pl.col("mef").is_in(sorted(finals)))
    return int(rows["eleves"].cast(pl.Int64).sum()) if rows.height else None


def _inserjeunes_lycee(sources_dir: Path, uai: str) -> dict[str, str]:
    """The line « ensemble » of ``uai`` in the latest InserJeunes file of lycées."""
    path = sources_dir / "inserjeunes" / "depp-inserjeunes-etablissements-2021_2022-pro.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if row["n°UAI de l'établissement"] == uai and row["Dont apprentis en EPLE"] == (
                "ensemble"
            ):
                return row
    raise AssertionError(uai)


def test_welders_in_oyonnax(real: OrientationData, sources_dir: Path) -> None:
    found = need_trainings(real, WELDER, OYONNAX, "4", 30)
    assert found.prepare and found.note is None
    assert found.commune.nom == "Oyonnax"
    assert found.scolaire, "a bac pro of the famille « réalisation d'ensembles mécaniques »"
    communes = _communes(sources_dir)
    oyonnax = communes.filter(pl.col("code_insee") == OYONNAX).row(0, named=True)
    for training in found.scolaire + found.apprentissage:
        assert training.distance_km <= 30
        if training.precision and training.precision.startswith("commune"):
            # Placed at its commune's centroid: recomputed from the communes file.
            place = communes.filter(pl.col("code_insee") == training.code_insee).row(0, named=True)
            expected = distance_km(
                oyonnax["latitude"], oyonnax["longitude"], place["latitude"], place["longitude"]
            )
            assert training.distance_km == pytest.approx(expected, abs=1e-6)
        assert training.eleves_terminale == _final_year_pupils(
            sources_dir, training.uai, training.mef_stat_11
        )
    first = found.scolaire[0]
    assert first.uai == "0011119L" and first.diplome == "Bac pro" and first.niveau_adapte
    # No terminale of the famille's specialities there at the 2020 constat.
    assert first.eleves_terminale is None
    assert "non connu" in first.pupils_note and "2020" in first.pupils_note
    raw = _inserjeunes_lycee(sources_dir, "0011119L")
    assert first.devenir.taux_emploi == pytest.approx(float(raw["Taux"]) / 100)
    assert first.devenir.taux_poursuite == pytest.approx(
        float(raw["Taux de poursuite d'études"]) / 100
    )
    assert first.devenir.millesime == "2021-2022" and not first.devenir.regional
    contact = found.etablissements[0]
    assert contact.uai == "0011119L" and contact.code_postal == "01100"
    assert contact.telephone is None and contact.courriel is None


def test_welders_further_away_carry_final_year_pupils(
    real: OrientationData, sources_dir: Path
) -> None:
    found = need_trainings(real, WELDER, OYONNAX, "3", 80)
    trainings = found.scolaire + found.apprentissage
    assert len(trainings) > len(need_trainings(real, WELDER, OYONNAX, "3", 30).scolaire)
    known = [t for t in trainings if t.eleves_terminale is not None]
    assert known, "Annecy's lycée Gordini had 13 pupils in terminale in 2020"
    for training in trainings:
        assert training.distance_km <= 80
        expected = _final_year_pupils(sources_dir, training.uai, training.mef_stat_11)
        assert training.eleves_terminale == (expected if training.voie == "scolaire" else None)
    assert [sort_key(t) for t in found.scolaire] == sorted(sort_key(t) for t in found.scolaire)
    uais = [e.uai for e in found.etablissements]
    assert len(uais) == len(set(uais)) == len({t.uai for t in trainings})


def test_a_trade_no_training_prepares_says_so(real: OrientationData, sources_dir: Path) -> None:
    path = sources_dir / "certifications" / "certif_info.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [
            row
            for row in csv.DictReader(handle, delimiter=";")
            if JEWELLER in {row[f"Code_Rome_{i}"] for i in range(1, 6)}
        ]
    assert not [row for row in rows if row["Code_Scolarité"]]
    found = need_trainings(real, JEWELLER, OYONNAX, None, MAX_RADIUS_KM)
    assert not found.prepare and found.count == 0 and not found.etablissements
    assert found.note is not None and "Aucune formation" in found.note


def test_nothing_within_the_radius_gives_the_nearest(real: OrientationData) -> None:
    found = need_trainings(real, WELDER, OYONNAX, None, 1)
    nearest = need_trainings(real, WELDER, OYONNAX, None, 30).scolaire[0].distance_km
    assert found.count == 0 and found.prepare
    assert found.plus_proche_km == pytest.approx(nearest)
    assert found.note is not None and "élargissez" in found.note


def test_a_commune_absent_from_the_files_says_so(real: OrientationData) -> None:
    found = need_trainings(real, WELDER, "99999")
    assert found.commune is None and found.count == 0 and found.prepare
    assert found.note is not None and "absente" in found.note
    assert found.as_json()["commune"] is None
