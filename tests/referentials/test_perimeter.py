"""The industrial perimeter: its file format, its rule, and its weight in the real data."""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin.referentials.perimeter import DEFAULT_FILE, Perimeter, PerimeterError
from tremplin.referentials.trades import bmo_trades, trades_of_cfd

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def default() -> Perimeter:
    return Perimeter.load()


# --- the file ------------------------------------------------------------------------------


def test_the_default_perimeter_is_packaged(default: Perimeter) -> None:
    assert default.nom == "industrie"
    assert default.libelle == "Industrie / métallurgie"
    assert default.source.startswith("défaut")
    assert {g.code for g in default.actifs} == {
        "mecanique_metaux",
        "electricite_electronique",
        "maintenance_industrielle",
        "industries_de_process",
        "fonctions_industrielles",
    }
    assert {g.code for g in default.groupes if not g.actif} == {
        "agroalimentaire",
        "materiaux_souples_bois_imprimerie",
        "reparation_vehicules",
        "energie_genie_climatique",
        "btp",
        "transport_logistique",
    }
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = package_data["tool"]["setuptools"]["package-data"]["tremplin"]
    assert "referentials/*.toml" in globs


def test_every_group_is_documented(default: Perimeter) -> None:
    docs = (ROOT / "docs" / "perimeter.md").read_text(encoding="utf-8")
    for group in default.groupes:
        assert f"`{group.code}`" in docs, group.code
    assert DEFAULT_FILE in docs


def test_a_user_file_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "perimetre.toml"
    path.write_text(
        'nom = "soudage"\nlibelle = "Soudage"\n\n'
        '[[groupes]]\ncode = "soudage"\nlibelle = "Soudage"\nactif = true\n'
        'fap2021 = ["d1x33"]\nrome = ["H2913"]\nnsf = ["254"]\n',
        encoding="utf-8",
    )
    perimeter = Perimeter.load(path)
    assert perimeter.nom == "soudage"
    assert perimeter.source == str(path)
    assert perimeter.actifs[0].fap2021 == ("D1X33",)  # codes are upper-cased
    assert perimeter.is_industrial(fap2021="D1X33B")
    assert not perimeter.is_industrial(fap2021="D1X30B")
    assert perimeter.is_industrial(code_rome="H2913")
    assert not perimeter.is_industrial(code_rome="H2902")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nom = 'x'\n", "aucun groupe"),
        ("[[groupes]]\nlibelle = 'sans code'\n", "« code »"),
        ("[[groupes]]\ncode = 'a'\nfap = ['D']\n", r"clé\(s\) inconnue\(s\) fap"),
        ("[[groupes]]\ncode = 'a'\nfap2021 = 'D'\n", "doit être une liste"),
        ("[[groupes]]\ncode = 'a'\nactif = 'oui'\n", "true ou false"),
        ("[[groupes]]\ncode = 'a'\n[[groupes]]\ncode = 'a'\n", "même code"),
        ("groupes = [", "TOML invalide"),
    ],
)
def test_a_bad_file_is_refused_in_french(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "perimetre.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PerimeterError, match=message):
        Perimeter.load(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PerimeterError, match="périmètre illisible"):
        Perimeter.load(tmp_path / "absent.toml")


def test_groups_can_be_switched(default: Perimeter) -> None:
    assert not default.is_industrial(fap2021="E3X40")  # agroalimentaire is off by default
    with_food = default.with_groups([*(g.code for g in default.actifs), "agroalimentaire"])
    assert with_food.is_industrial(fap2021="E3X40")
    assert with_food.is_industrial(fap2021="D1X33B")
    only_food = default.with_groups(["agroalimentaire"])
    assert not only_food.is_industrial(fap2021="D1X33B")
    with pytest.raises(PerimeterError, match="inconnu"):
        default.with_groups(["chimie"])


# --- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "inside"),
    [
        ("D1X33B", True),  # ouvriers qualifiés en soudage
        ("D1X33", True),  # the same at the 228 level, as BMO gives it
        ("C0X30A", True),
        ("G1X72A", True),  # maintenance industrielle
        ("G1X71A", False),  # maintenance automobile
        ("G0B41E", False),
        ("E2X40", True),  # chimie, plasturgie
        ("E3X40", False),  # agroalimentaire
        ("H0X91", True),  # dessin industriel
        ("B2X32B", False),  # électricité du bâtiment
        ("F1X30", False),
        ("A0X40", False),
        (None, False),
    ],
)
def test_fap2021_codes(default: Perimeter, code: str | None, inside: bool) -> None:
    frame = pl.DataFrame({"fap2021": [code]}, schema={"fap2021": pl.String})
    assert frame.select(default.fap2021_expr()).item() is inside


@pytest.mark.parametrize(
    ("code", "inside"),
    [
        ("H2913", True),  # soudeur
        ("H2902", True),  # chaudronnier
        ("H2505", False),  # chef d'équipe textile: excluded from the industrial functions
        ("H2504", True),
        ("I1304", True),  # technicien de maintenance industrielle
        ("I1604", False),  # mécanicien automobile
        ("I1602", True),  # mécanicien avion
        ("H2101", False),  # alimentaire
        ("F1602", False),  # électricien du bâtiment
        (None, False),
    ],
)
def test_rome_codes(default: Perimeter, code: str | None, inside: bool) -> None:
    frame = pl.DataFrame({"code_rome": [code]}, schema={"code_rome": pl.String})
    assert frame.select(default.rome_expr()).item() is inside


def test_nsf_groups(default: Perimeter) -> None:
    frame = pl.DataFrame({"groupe_nsf": ["254", "255", "221", "311", None]})
    assert frame.select(default.nsf_expr())["groupe_nsf"].to_list() == [
        True,
        True,
        False,
        False,
        False,
    ]


_NSF = st.sampled_from(["254", "223", "221", "312", "232", None])
_FAP = st.sampled_from(["D1X33B", "C2X70", "E3X40", "B2X32B", "L0X60A", "H0X91", None])
_ROME = st.sampled_from(["H2913", "I1304", "H2101", "F1602", "D1106", "H2505", None])


@settings(deadline=None)  # a first call may compile or warm caches: no timing in tests
@given(st.lists(st.tuples(_NSF, _FAP, _ROME), min_size=1, max_size=20))
def test_a_formation_is_in_when_any_of_its_three_codes_is(
    rows: list[tuple[str | None, str | None, str | None]],
) -> None:
    perimeter = Perimeter.load()
    frame = pl.DataFrame(rows, schema=["groupe_nsf", "fap2021", "code_rome"], orient="row").cast(
        pl.String
    )
    annotated = perimeter.annotate(frame)
    for row in annotated.iter_rows(named=True):
        expected = row["perimetre_nsf"] or row["perimetre_rome"] or row["perimetre_fap2021"]
        assert row["dans_perimetre"] is expected
        assert (row["groupe_perimetre"] is not None) is expected
        assert row["dans_perimetre"] is perimeter.is_industrial(
            row["groupe_nsf"], row["fap2021"], row["code_rome"]
        )


def test_the_group_that_puts_a_row_in_is_named(default: Perimeter) -> None:
    frame = pl.DataFrame(
        {
            "groupe_nsf": ["254", "312", "312"],
            "fap2021": [None, "C2X70", None],
            "code_rome": [
                None,
                None,
                "I1304",
            ],
        },
        schema={"groupe_nsf": pl.String, "fap2021": pl.String, "code_rome": pl.String},
    )
    groups = default.annotate(frame)["groupe_perimetre"].to_list()
    assert groups == ["mecanique_metaux", "electricite_electronique", "maintenance_industrielle"]


# --- its weight in the real data -----------------------------------------------------------


@pytest.fixture(scope="module")
def real(real_engine: sa.Engine) -> sa.Engine:
    """The session's store of every real file (read-only)."""
    return real_engine


@pytest.mark.realdata
def test_weight_of_the_default_perimeter(real: sa.Engine, default: Perimeter) -> None:
    with real.connect() as conn:
        projects = pl.read_database("select fap2021, projets from src_bmo", conn)
        chains = trades_of_cfd(conn)
        families = bmo_trades(conn)
        diplomas = pl.read_database(
            "select distinct cfd, groupe_specialite as groupe_nsf from src_bcn_formations", conn
        )
        mefs = pl.read_database("select distinct mef_stat_11, cfd from src_bcn_mef", conn)
        offers = pl.read_database(
            "select mef_stat_11, demandes_voeux_1 from src_affelnet_offres "
            "where statut_offre = 'ST' and not voeu_recensement",
            conn,
        )
    inside = int(projects.filter(default.fap2021_expr())["projets"].sum())
    share_projects = inside / int(projects["projets"].sum())
    assert 0.04 < share_projects < 0.15  # metallurgy and industry: a minority of all projects
    assert families.filter(default.fap2021_expr())["famille_bmo"].value_counts().sort(
        "count", descending=True
    )["famille_bmo"][0] in {"I", "T"}  # mostly BMO's industry workers and technicians
    formations = diplomas.join(chains, on="cfd", how="left").with_columns(
        default.formation_expr().alias("industrie")
    )
    assert 0.1 < formations.select(pl.col("industrie").mean()).item() < 0.4
    wishes = (
        offers.join(mefs, on="mef_stat_11", how="left")
        .join(formations.select("cfd", "industrie"), on="cfd", how="left")
        .with_columns(pl.col("industrie").fill_null(False))
    )
    share_wishes = int(wishes.filter("industrie")["demandes_voeux_1"].sum()) / int(
        wishes["demandes_voeux_1"].sum()
    )
    assert 0.1 < share_wishes < 0.4
    # Switching every group on widens the perimeter.
    everything = default.with_groups(g.code for g in default.groupes)
    assert int(projects.filter(everything.fap2021_expr())["projets"].sum()) > inside


def test_the_perimeter_applies_to_the_demo_territory(
    demo_engine: sa.Engine, default: Perimeter
) -> None:
    with demo_engine.connect() as conn:
        chains = trades_of_cfd(conn)
        families = bmo_trades(conn)
    annotated = default.annotate(chains.with_columns(pl.lit(None, pl.String).alias("groupe_nsf")))
    assert annotated["dans_perimetre"].any()
    assert not annotated["dans_perimetre"].all()
    assert families.filter(default.fap2021_expr()).height > 0


def test_a_weighted_trade_is_judged_through_every_route(default: Perimeter) -> None:
    rows = pl.DataFrame(
        {
            # NSF of the speciality, ROME, FAP 2021 of one weighted trade
            "groupe_nsf": ["255", "255", "254", "200", "200", "200", "252", "254", "254"],
            "code_rome": [
                "H2602",
                "F1602",
                "I1606",
                "F1703",
                None,
                "H1203",
                "H2913",
                "I1602",
                "H2913",
            ],
            "fap2021": [
                "C1X",
                "B2X42",
                "G0B",
                "B1X",
                None,
                "D6X70",
                "D1X33",
                "G1X72",
                "J0X31",
            ],
        }
    )
    got = rows.select(default.entry_expr().alias("in")).get_column("in").to_list()
    assert got == [
        True,  # electronics
        False,  # the building electrician: construction, whatever its NSF 255
        False,  # car-body repair: vehicle repair, whatever its NSF 254
        False,  # a generic NSF does not pull construction in
        True,  # … but stands for a trade without any code
        True,  # a mechanical design trade behind a generic NSF
        True,  # a welding trade stays in behind a vehicle-repair NSF: its ROME and FAP decide
        True,  # I1602 (aircraft mechanic) is claimed by an active group
        True,  # a welder the bridge sends to a transport FAP stays in through its ROME
    ]
