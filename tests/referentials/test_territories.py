"""The territories referential: commune → département → académie → région, commune → bassin BMO,
and the placement of every establishment (UAI).

The real files are read from the session's store (``real_engine``); the figures checked are, where
possible, recomputed from the raw files with polars, independently of the referential.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin.config import DEFAULT_REGION as REGION_AURA
from tremplin.referentials import territories
from tremplin.referentials.codes import (
    commune_of_arrondissement_expr,
    departement_of_uai,
    departement_of_uai_expr,
    normalise_departement,
    normalise_departement_expr,
)
from tremplin.referentials.names import name_key
from tremplin.referentials.places import (
    ANNUAIRE,
    COMMUNE_AFFELNET,
    COMMUNE_LYCEES,
    COORDONNEES_PARCOURSUP,
    DEPARTEMENT,
    ETABLISSEMENT_COLUMNS,
    NON_LOCALISE,
    PRECISIONS,
    UAI_TABLES,
    etablissements,
    placement_report,
)
from tremplin.referentials.territories import (
    COMMUNE_COLUMNS,
    academies,
    bassins,
    communes,
    departements,
    regions,
)
from tremplin.sources.tables import DATASET_TABLES

_COMMUNES_FILE = "territoires/communes_2026_pop_geopoint.csv"
_ACADEMIES_FILE = "territoires/departements_academies_regions.csv"
_AURA_DEPARTEMENTS = {"01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"}
_COMMUNE_PRECISIONS = {ANNUAIRE, COMMUNE_AFFELNET, COMMUNE_LYCEES, COORDONNEES_PARCOURSUP}


@pytest.fixture(scope="module")
def real(real_engine: sa.Engine) -> sa.Engine:
    """The session's store of every real file (read-only)."""
    return real_engine


@pytest.fixture(scope="module")
def real_communes(real: sa.Engine) -> pl.DataFrame:
    with real.connect() as conn:
        return communes(conn)


@pytest.fixture(scope="module")
def real_etablissements(real: sa.Engine, real_communes: pl.DataFrame) -> pl.DataFrame:
    with real.connect() as conn:
        return etablissements(conn, communes_frame=real_communes)


def _raw_csv(path: Path, separator: str = ",") -> pl.DataFrame:
    return pl.read_csv(path, separator=separator, infer_schema=False, encoding="utf8-lossy")


# --- codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [("001", "01"), ("69", "69"), ("971", "971"), ("2A", "2A"), ("02A", "2A"), ("02b", "2B")],
)
def test_departement_codes_are_normalised(code: str, expected: str) -> None:
    assert normalise_departement(code) == expected
    frame = pl.DataFrame({"code": [code]}).select(normalise_departement_expr(pl.col("code")))
    assert frame.columns == ["code"]
    assert frame.item() == expected


@pytest.mark.parametrize(
    ("uai", "expected"),
    [
        ("0690001A", "69"),
        ("0010001W", "01"),
        ("9710001A", "971"),
        ("9740979W", "974"),
        ("6200650M", "2A"),
        ("7200009X", "2B"),
        ("9830305P", "988"),
        ("9840001A", "987"),
        ("9870001A", "986"),
        ("0000000A", None),
        ("1380001B", None),
    ],
)
def test_the_departement_of_a_uai(uai: str, expected: str | None) -> None:
    assert departement_of_uai(uai) == expected
    frame = pl.DataFrame({"uai": [uai]}).select(departement_of_uai_expr(pl.col("uai")))
    assert frame.item() == expected


_UAIS = st.builds(
    lambda prefix, number, key: prefix + number + key,
    st.sampled_from(["001", "069", "095", "620", "720", "971", "976", "983", "984", "987", "130"]),
    st.text("0123456789", min_size=4, max_size=4),
    st.sampled_from("ABCDEFGHJKLMNPRSTUVWXYZ"),
)


@settings(deadline=None)
@given(st.lists(_UAIS, min_size=1, max_size=20))
def test_the_expressions_agree_with_the_functions(uais: list[str]) -> None:
    codes = [u[:3] for u in uais]
    frame = pl.DataFrame({"uai": uais, "code": codes}).select(
        departement_of_uai_expr(pl.col("uai")), normalise_departement_expr(pl.col("code"))
    )

    assert frame["uai"].to_list() == [departement_of_uai(u) for u in uais]
    assert frame["code"].to_list() == [normalise_departement(c) for c in codes]


def test_arrondissements_are_their_commune() -> None:
    codes = ["69383", "75115", "13203", "69123", "13055", "01004", "13004"]
    frame = pl.DataFrame({"code": codes}).select(commune_of_arrondissement_expr(pl.col("code")))

    assert frame["code"].to_list() == [
        "69123",
        "75056",
        "13055",
        "69123",
        "13055",
        "01004",
        "13004",
    ]


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "official"),
    [
        ("AMBERIEU-EN-BUGEY", "Ambérieu-en-Bugey"),
        ("AMBÉRIEU EN BUGEY CEDEX", "Ambérieu-en-Bugey"),
        ("ST ETIENNE CEDEX 2", "Saint-Étienne"),
        ("STE FOY LES LYON", "Sainte-Foy-lès-Lyon"),
        ("LYON  3E  ARRONDISSEMENT", "Lyon"),
        ("Lyon 1er Arrondissement", "Lyon"),
        ("PARIS 15", "Paris"),
        ("PUY-EN-VELAY (LE)", "Le Puy-en-Velay"),
        ("L'ILE-ROUSSE", "L'Île-Rousse"),
        ("ALPES-DE-HTE-PROVENCE", "Alpes-de-Haute-Provence"),
        ("COTES D'ARMOR", "Côtes-d'Armor"),
        ("OEUVRE", "Œuvre"),
    ],
)
def test_names_written_differently_share_a_key(written: str, official: str) -> None:
    keys = pl.DataFrame({"name": [written, official]}).select(name_key(pl.col("name")))["name"]

    assert keys[0] == keys[1]


_WORDS = st.lists(
    st.text("abcdeéèêfghiîjklmnoôprstuûvwyz", min_size=1, max_size=8), min_size=1, max_size=4
)


@settings(deadline=None)
@given(_WORDS)
def test_a_key_ignores_case_accents_and_hyphens(words: list[str]) -> None:
    official = "-".join(w.capitalize() for w in words)
    postal = " ".join(words).upper()
    keys = pl.DataFrame({"name": [official, postal]}).select(name_key(pl.col("name")))["name"]

    assert keys[0] == keys[1]
    assert keys[0].isascii()


# --- communes and their chain ------------------------------------------------------------------


@pytest.mark.realdata
def test_every_commune_of_the_file_is_in_the_chain(
    real_communes: pl.DataFrame, sources_dir: Path
) -> None:
    raw = _raw_csv(sources_dir / _COMMUNES_FILE)
    raw_academies = _raw_csv(sources_dir / _ACADEMIES_FILE, separator=";").rename(
        lambda c: c.lstrip("\ufeff")
    )
    # The académie, recomputed from the raw files: « 001 » in the académies file is « 01 ».
    expected = raw.select(
        "code_insee",
        pl.col("departement").alias("raw_departement"),
        pl.col("region").alias("raw_region"),
    ).join(
        raw_academies.select(
            pl.col("codeDepartement").str.strip_prefix("0").alias("raw_departement"),
            pl.col("codeAcademie").alias("raw_academie"),
        ).unique("raw_departement"),
        on="raw_departement",
        how="left",
    )
    ours = real_communes.join(expected, on="code_insee", how="full", coalesce=True)

    assert real_communes.columns == list(COMMUNE_COLUMNS)
    assert ours.height == real_communes.height == raw.height
    assert (ours["code_departement"] == ours["raw_departement"]).all()
    assert (ours["code_region"] == ours["raw_region"]).all()
    assert ours["code_academie"].equals(ours["raw_academie"], check_names=False)
    assert real_communes.filter(
        pl.col("departement").is_null() | pl.col("region").is_null()
    ).is_empty()
    # Only the uninhabited TAAF and Clipperton belong to no académie.
    without = real_communes.filter(pl.col("code_academie").is_null())
    assert set(without["code_departement"]) <= {"984", "989"}
    assert without["population"].fill_null(0).sum() == 0


@pytest.mark.realdata
def test_auvergne_rhone_alpes_has_its_departements_and_academies(real: sa.Engine) -> None:
    with real.connect() as conn:
        depts = departements(conn).filter(pl.col("code_region") == REGION_AURA)
        academies_ = academies(conn).filter(pl.col("code_region") == REGION_AURA)
        aura = regions(conn).filter(pl.col("code_region") == REGION_AURA).row(0, named=True)

    assert set(depts["code_departement"]) == _AURA_DEPARTEMENTS
    assert dict(academies_.select("code_academie", "academie").iter_rows()) == {
        "06": "Clermont-Ferrand",
        "08": "Grenoble",
        "10": "Lyon",
    }
    assert aura["region"] == "Auvergne-Rhône-Alpes"
    assert sorted(aura["codes_academies"]) == ["06", "08", "10"]
    assert dict(depts.select("code_departement", "code_academie").iter_rows())["69"] == "10"


@pytest.mark.realdata
def test_populations_add_up_at_every_level(
    real: sa.Engine, real_communes: pl.DataFrame, sources_dir: Path
) -> None:
    raw_total = _raw_csv(sources_dir / _COMMUNES_FILE)["population"].cast(pl.Int64).sum()
    with real.connect() as conn:
        depts = departements(conn, communes_frame=real_communes)
        regions_ = regions(conn, communes_frame=real_communes)
        bassins_ = bassins(conn, communes_frame=real_communes)
        academies_ = academies(conn, communes_frame=real_communes)

    assert depts["population"].sum() == raw_total
    assert regions_["population"].sum() == raw_total
    with_bassin = real_communes.filter(pl.col("bassin_bmo").is_not_null())["population"].sum()
    assert bassins_["population"].sum() == with_bassin
    per_academie = depts.group_by("code_academie").agg(pl.col("population").sum())
    assert (
        academies_.select("code_academie", "population")
        .sort("code_academie")
        .equals(per_academie.drop_nulls("code_academie").sort("code_academie"))
    )


@pytest.mark.realdata
def test_centroids_are_weighted_by_population(real: sa.Engine, real_communes: pl.DataFrame) -> None:
    with real.connect() as conn:
        rhone = (
            departements(conn, communes_frame=real_communes)
            .filter(pl.col("code_departement") == "69")
            .row(0, named=True)
        )
    communes_69 = real_communes.filter(pl.col("code_departement") == "69")
    expected = communes_69.select(
        (pl.col("latitude") * pl.col("population")).sum() / pl.col("population").sum()
    ).item()

    assert rhone["latitude"] == pytest.approx(expected)
    # Lyon weighs most: the centroid is near it, not at the département's geometric middle.
    assert abs(rhone["latitude"] - 45.76) < 0.1
    assert abs(rhone["longitude"] - 4.84) < 0.1


@pytest.mark.realdata
def test_bassins_cover_the_communes(real_communes: pl.DataFrame) -> None:
    covered = real_communes.select(
        pl.col("bassin_bmo").is_not_null().mean().alias("communes"),
        (
            pl.col("population").filter(pl.col("bassin_bmo").is_not_null()).sum()
            / pl.col("population").sum()
        ).alias("population"),
    ).row(0, named=True)
    aura = real_communes.filter(pl.col("code_region") == REGION_AURA)
    uncovered = real_communes.filter(pl.col("bassin_bmo").is_null())

    assert covered["communes"] > 0.997
    assert covered["population"] > 0.99
    assert aura["bassin_bmo"].null_count() == 0
    # BMO covers neither the Pacific nor the uninhabited territories.
    assert set(uncovered["code_departement"]) <= {"984", "986", "987", "988", "989"}


@pytest.mark.realdata
def test_cities_with_arrondissements_have_their_bassin(real_communes: pl.DataFrame) -> None:
    bassin = dict(real_communes.select("code_insee", "bassin").iter_rows())

    assert bassin["69123"] == "LYON CENTRE"
    assert bassin["75056"] == "T1 Paris"
    assert bassin["13055"] == "MARSEILLE"


@pytest.mark.realdata
def test_a_bassin_straddling_departements_has_a_main_one(real: sa.Engine) -> None:
    with real.connect() as conn:
        rows = bassins(conn)
    annonay = rows.filter(pl.col("bassin_bmo") == "8419").row(0, named=True)
    iles_du_nord = rows.filter(pl.col("bassin_bmo") == "104").row(0, named=True)
    only_in_bmo = rows.filter(pl.col("communes") == 0)

    assert annonay["code_departement"] == "07"  # Ardèche holds most of its people
    assert annonay["codes_departements"] == ["07", "42"]
    assert (annonay["code_academie"], annonay["code_region"]) == ("08", "84")
    # The commune table files Saint-Martin and Saint-Barthélemy under Grande-Terre (102);
    # BMO counts them under the Îles du Nord (104), with Guadeloupe.
    assert set(iles_du_nord["codes_departements"]) == {"977", "978"}
    assert iles_du_nord["code_region"] == "01"
    assert rows["bassin_bmo"].is_unique().all()
    assert set(only_in_bmo["bassin_bmo"]) == {"304", "7549"}
    assert only_in_bmo["code_departement"].null_count() == 0


@pytest.mark.realdata
def test_every_bmo_bassin_has_a_territory(real: sa.Engine) -> None:
    table = DATASET_TABLES["bmo"]
    with real.connect() as conn:
        in_bmo = set(conn.execute(sa.select(table.c.bassin_bmo).distinct()).scalars())
        rows = bassins(conn)

    assert in_bmo <= set(rows["bassin_bmo"])
    assert rows.filter(pl.col("code_region").is_null()).is_empty()


# --- establishments ----------------------------------------------------------------------------


@pytest.mark.realdata
def test_every_uai_of_every_table_is_placed_once(
    real: sa.Engine, real_etablissements: pl.DataFrame
) -> None:
    with real.connect() as conn:
        seen: set[str] = set()
        for dataset in UAI_TABLES:
            column = DATASET_TABLES[dataset].c.uai
            seen |= set(conn.execute(sa.select(column).distinct()).scalars())

    assert real_etablissements.columns == list(ETABLISSEMENT_COLUMNS)
    assert real_etablissements["uai"].is_unique().all()
    assert set(real_etablissements["uai"]) == seen - {None}


@pytest.mark.realdata
def test_every_establishment_in_france_has_a_departement(
    real_etablissements: pl.DataFrame,
) -> None:
    rows = real_etablissements.with_columns(departement_of_uai_expr(pl.col("uai")).alias("du"))
    in_france = rows.filter(pl.col("du").is_not_null())
    abroad = rows.filter(pl.col("du").is_null())

    assert set(rows["precision"]) <= set(PRECISIONS)
    assert (
        in_france.filter(
            pl.col("code_departement").is_null()
            | pl.col("code_academie").is_null()
            | pl.col("code_region").is_null()
            | pl.col("latitude").is_null()
        )
        .filter(~pl.col("code_departement").is_in(["986", "987", "988"]))
        .is_empty()
    )
    assert (in_france["precision"] != NON_LOCALISE).all()
    assert (abroad["precision"] == NON_LOCALISE).all()
    assert abroad["code_departement"].null_count() == abroad.height


@pytest.mark.realdata
def test_a_commune_found_agrees_with_the_uai(real_etablissements: pl.DataFrame) -> None:
    """The commune found from names or coordinates lies in the UAI's département, but for an
    establishment's branch across a border (an « antenne ») and the Îles du Nord."""
    placed = real_etablissements.filter(pl.col("precision").is_in(_COMMUNE_PRECISIONS))
    disagree = placed.filter(departement_of_uai_expr(pl.col("uai")) != pl.col("code_departement"))

    assert placed["code_insee"].null_count() == 0
    assert disagree.height <= 0.002 * placed.height
    assert set(disagree.filter(pl.col("uai").str.starts_with("971"))["code_departement"]) <= {
        "977",
        "978",
    }


@pytest.mark.realdata
def test_known_establishments_are_where_they_are(real_etablissements: pl.DataFrame) -> None:
    rows = {r["uai"]: r for r in real_etablissements.iter_rows(named=True)}

    # A lycée of affelnet1PROspe.csv: « AMBERIEU-EN-BUGEY », « AIN ».
    amberieu = rows["0010001W"]
    assert (amberieu["code_insee"], amberieu["precision"]) == ("01004", COMMUNE_AFFELNET)
    assert (amberieu["code_academie"], amberieu["code_region"]) == ("10", REGION_AURA)
    assert amberieu["bassin_bmo"] is not None
    # A collège of the annuaire, at its own coordinates.
    lamastre = rows["0071168G"]
    assert (lamastre["code_insee"], lamastre["precision"]) == ("07129", ANNUAIRE)
    assert lamastre["latitude"] == pytest.approx(44.98511, abs=1e-4)
    # A collège of Lyon: the annuaire writes the arrondissement (69389), the COG has Lyon.
    assert rows["0690036P"]["code_insee"] == "69123"
    # A lycée only in the lycées list, with a CEDEX: « BOURG-EN-BRESSE CEDEX », 01011.
    lalande = rows["0010013J"]
    assert (lalande["code_insee"], lalande["precision"]) == ("01053", COMMUNE_LYCEES)
    # Misspelt in the lycées list (« Alenèon »): taken by its close spelling.
    assert rows["0610716X"]["commune"] == "Alençon"
    # A commune merged since (« OULLINS CEDEX »): the commune nouvelle bears its name first.
    assert rows["0690539L"]["commune"] == "Oullins-Pierre-Bénite"
    # Corsica and the Îles du Nord.
    assert rows["6200650M"]["code_departement"] == "2A"
    assert rows["9711252J"]["code_insee"] == "97801"
    # Known to Parcoursup only: its GPS point, in the nearest commune of its département.
    ifsi = rows["0010060K"]
    assert ifsi["precision"] == COORDONNEES_PARCOURSUP
    assert ifsi["code_departement"] == "01"
    # A CFA known to InserJeunes only: its département, at the département's centroid.
    cfa = rows["0010965U"]
    assert (cfa["precision"], cfa["code_insee"]) == (DEPARTEMENT, None)
    assert cfa["code_departement"] == "01"
    # Abroad.
    assert rows["1320019D"]["precision"] == NON_LOCALISE


@pytest.mark.realdata
def test_the_placement_report(real_etablissements: pl.DataFrame) -> None:
    france = placement_report(real_etablissements)
    aura = placement_report(real_etablissements, REGION_AURA)
    aura_rows = real_etablissements.filter(pl.col("code_region") == REGION_AURA)

    for report in (france, aura):
        assert report["precision"].to_list() == list(PRECISIONS)
        assert report["part"].sum() == pytest.approx(1.0)
    assert france["etablissements"].sum() == real_etablissements.height
    assert aura["etablissements"].sum() == aura_rows.height
    counts = dict(aura.select("precision", "etablissements").iter_rows())
    assert counts[ANNUAIRE] == 894  # every collège of the AURA annuaire
    at_commune = sum(counts[p] for p in _COMMUNE_PRECISIONS)
    assert at_commune / aura_rows.height > 0.75
    assert counts[NON_LOCALISE] == 0


@pytest.mark.realdata
def test_france_places_every_listed_establishment(real: sa.Engine) -> None:
    # How long it takes is measured in benchmarks/diagnostic.py (building the facts places
    # every establishment), never asserted by a test.
    with real.connect() as conn:
        rows = etablissements(conn)
    assert rows.height > 10_000


def test_an_empty_store_gives_empty_frames(store: sa.Engine) -> None:
    with store.connect() as conn:
        frames = [
            communes(conn),
            departements(conn),
            academies(conn),
            regions(conn),
            bassins(conn),
            etablissements(conn),
        ]
        report = placement_report(frames[-1])

    assert all(frame.is_empty() for frame in frames)
    assert frames[0].columns == list(COMMUNE_COLUMNS)
    assert frames[-1].columns == list(ETABLISSEMENT_COLUMNS)
    assert report["etablissements"].sum() == 0
    assert report["part"].null_count() == len(PRECISIONS)


# --- the demo territory ------------------------------------------------------------------------


def test_the_demo_territory_has_a_whole_chain(demo_engine: sa.Engine) -> None:
    with demo_engine.connect() as conn:
        rows = communes(conn)
        academies_ = academies(conn, communes_frame=rows)
        bassins_ = bassins(conn, communes_frame=rows)

    assert not rows.is_empty()
    assert rows.select(COMMUNE_COLUMNS).null_count().sum_horizontal().item() == 0
    assert academies_["code_academie"].to_list() == ["08"]
    assert bassins_["population"].sum() == rows["population"].sum()


def test_the_demo_establishments_are_placed(demo_engine: sa.Engine) -> None:
    with demo_engine.connect() as conn:
        rows = territories.etablissements(conn)  # re-exported from places
    report = territories.placement_report(rows, REGION_AURA)
    counts = dict(report.select("precision", "etablissements").iter_rows())

    assert rows["code_departement"].null_count() == 0
    assert set(rows["precision"]) <= set(PRECISIONS) - {NON_LOCALISE}
    assert report["part"].sum() == pytest.approx(1.0)
    assert counts[ANNUAIRE] > 0 and counts[COMMUNE_AFFELNET] > 0
    # Every demo lycée of the lycées list is found in its commune.
    placed_lycees = rows.filter(pl.col("precision").is_in(_COMMUNE_PRECISIONS))
    assert placed_lycees["code_insee"].null_count() == 0
