"""Trades: the CFD → ROME → FAP 2009 → FAP 2021 chain and the FAP 2009 ↔ 2021 bridge.

Real files are loaded into a SQLite store once per module; expected values are read from the raw
files with polars, independently of the project's readers.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tremplin.referentials.fap_bridge import (
    METHOD_CODE,
    METHOD_LABEL,
    METHOD_LABEL_SUFFIX,
    METHOD_REVERSE,
    METHOD_SHARE,
    METHOD_SUFFIX,
    FapBridge,
    fap2009_labels,
    fap_bridge,
    to_2021_shape,
    token_similarity,
    tokens,
)
from tremplin.referentials.trades import (
    bmo_trades,
    cfd_romes,
    rome_domain_expr,
    rome_domain_of,
    rome_faps,
    rome_grand_domain_of,
    trades_of_cfd,
)

_METHODS = {
    METHOD_CODE,
    METHOD_SUFFIX,
    METHOD_LABEL,
    METHOD_LABEL_SUFFIX,
    METHOD_SHARE,
    METHOD_REVERSE,
}


@pytest.fixture(scope="module")
def real(real_engine: sa.Engine) -> sa.Engine:
    """The session's store of every real file (read-only)."""
    return real_engine


@pytest.fixture(scope="module")
def bridge(real: sa.Engine) -> FapBridge:
    with real.connect() as conn:
        return fap_bridge(conn)


@pytest.fixture(scope="module")
def chains(real: sa.Engine, bridge: FapBridge) -> pl.DataFrame:
    with real.connect() as conn:
        return trades_of_cfd(conn, bridge)


def _raw_fap_rome(sources_dir: Path) -> pl.DataFrame:
    return pl.read_csv(
        sources_dir / "dares" / "fap225_rome.csv",
        separator=";",
        encoding="cp1252",
        infer_schema=False,
    ).filter(pl.col("Rome") != "NA")


def _raw_certif_info(sources_dir: Path) -> pl.DataFrame:
    # The standard csv module: some quoted cells hold line breaks.
    path = sources_dir / "certifications" / "certif_info.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return pl.DataFrame(rows).with_columns(pl.all().replace("", None))


# --- label similarity ----------------------------------------------------------------------


def test_tokens_stem_french_words_and_mark_qualification() -> None:
    assert tokens("Soudeurs qualifiés") == ["soud", "qualif"]
    assert tokens("Ouvriers non qualifiés du soudage") == ["ouvr", "nonqualif", "soud"]
    assert tokens("Ouvriers peu qualifiés") == tokens("Ouvriers non-qualifiés")
    assert tokens("Conduite de machines d'impression") == ["cond", "mach", "impr"]


def test_token_similarity_examples() -> None:
    assert token_similarity("Soudeurs qualifiés sur métaux", "Ouvriers qualifiés en soudage") > 0.3
    assert token_similarity("Soudeurs", "Secrétaires") == 0.0
    assert token_similarity("", "") == 1.0
    assert token_similarity("de la", "du") == 0.0


_LABELS = st.text(
    alphabet=st.sampled_from(list("abcdeéèfghilmnoqrstuvxyz -',")), min_size=0, max_size=60
)
_WEIGHTS = st.dictionaries(st.text(min_size=1, max_size=5), st.floats(0.01, 10.0), max_size=5)


@given(_LABELS, _LABELS, _WEIGHTS)
def test_token_similarity_is_symmetric_and_bounded(
    a: str, b: str, weights: dict[str, float]
) -> None:
    value = token_similarity(a, b, weights)
    assert 0.0 <= value <= 1.0
    assert math.isclose(value, token_similarity(b, a, weights))


@given(_LABELS, _WEIGHTS)
def test_token_similarity_of_a_label_with_itself_is_one(a: str, weights: dict[str, float]) -> None:
    assert token_similarity(a, a, weights) == 1.0


def test_to_2021_shape() -> None:
    assert to_2021_shape("D2Z42") == "D2X42"
    assert to_2021_shape("G0A40") == "G0A40"
    assert to_2021_shape("T2B60") == "T2B60"


# --- ROME domains --------------------------------------------------------------------------


def test_rome_domain_of() -> None:
    assert rome_domain_of("H2913") == "H29"
    assert rome_grand_domain_of("H2913") == "H"
    assert rome_domain_of("h29") is None
    assert rome_domain_of(None) is None
    assert rome_grand_domain_of("") is None
    frame = pl.DataFrame({"code_rome": ["H2913", "I1304", "X", None]})
    assert frame.select(rome_domain_expr())["code_rome"].to_list() == [
        rome_domain_of(c) for c in frame["code_rome"]
    ]


# --- the bridge ----------------------------------------------------------------------------


@pytest.mark.realdata
def test_bridge_covers_the_sources(bridge: FapBridge, real: sa.Engine, sources_dir: Path) -> None:
    coverage = bridge.coverage
    tensions = pl.read_csv(sources_dir / "dares" / "tensions.csv", infer_schema=False).filter(
        (pl.col("niveau_geo") == "nat") & (pl.col("niveau_fap") == "fap 225")
    )
    every_code = (
        set(tensions["fap"])
        | set(_raw_fap_rome(sources_dir)["Fap"])
        | set(
            pl.read_csv(
                sources_dir / "dares" / "FAP_PCS.csv",
                separator=";",
                encoding="cp1252",
                infer_schema=False,
            )["Fap"]
        )
    )
    assert coverage.fap2009_codes == len(every_code) == 225
    assert coverage.emploi_total == pytest.approx(tensions["Emploi moyen"].cast(pl.Float64).sum())
    with real.connect() as conn:
        projets = conn.execute(sa.text("select sum(projets) from src_bmo")).scalar_one()
    assert coverage.projets_total == projets
    # Plausible: almost every family, job and project crosses the bridge.
    assert coverage.share_codes is not None and coverage.share_codes > 0.95
    assert coverage.share_emploi is not None and coverage.share_emploi > 0.97
    assert coverage.share_projets is not None and coverage.share_projets > 0.95
    assert coverage.fap2009_bridged + bridge.unmatched.height == coverage.fap2009_codes
    assert coverage.bmo_codes - coverage.bmo_codes_reached == bridge.unreached.height


@pytest.mark.realdata
def test_bridge_invariants(bridge: FapBridge, real: sa.Engine) -> None:
    frame = bridge.frame
    per_family = frame.group_by("fap2009").agg(
        pl.col("is_primary").sum().alias("primaries"), pl.col("weight").sum().alias("weights")
    )
    assert (per_family["primaries"] == 1).all()
    assert all(math.isclose(w, 1.0) for w in per_family["weights"])
    # Weights follow BMO projects: only a code BMO does not survey can weigh nothing.
    assert frame.filter(pl.col("weight") < 0).height == 0
    assert (
        frame.filter(pl.col("weight") == 0)["code_bmo"].null_count()
        == frame.filter(pl.col("weight") == 0).height
    )
    assert frame.select(pl.col("score").is_between(0, 1).all()).item()
    assert set(frame["method"]) <= _METHODS
    assert frame.select("fap2009", "fap2021").is_duplicated().sum() == 0
    with real.connect() as conn:
        nomenclature = set(pl.read_database("select fap2021 from src_fap2021", conn)["fap2021"])
        labels = fap2009_labels(conn)
    assert set(frame["fap2021"]) <= nomenclature
    assert set(frame["fap2009"]).isdisjoint(set(bridge.unmatched["fap2009"]))
    assert set(frame["fap2009"]) | set(bridge.unmatched["fap2009"]) == set(labels["fap2009"])
    # The structure of the codes is kept where the bridge says so.
    coded = frame.filter(pl.col("method") == METHOD_CODE)
    assert all(to_2021_shape(a) == b for a, b in coded.select("fap2009", "fap2021").iter_rows())
    suffixed = frame.filter(pl.col("method") == METHOD_SUFFIX)
    assert all(to_2021_shape(a) == b for a, b in suffixed.select("fap2009", "fap228").iter_rows())


@pytest.mark.realdata
def test_known_links_of_metallurgy(bridge: FapBridge) -> None:
    primary = dict(bridge.primary().select("fap2009", "fap2021").iter_rows())
    assert primary["D2Z42"] == "D1X33B"  # soudeurs qualifiés → ouvriers qualifiés en soudage
    assert primary["D2Z41"] == "D1X32"  # tuyauteurs
    assert primary["D1Z40"] == "D0X33"  # régleurs
    assert primary["C0Z20"] == "C0X30A"  # non qualifiés → peu qualifiés
    assert primary["C1Z40"] == "C0X30B"  # qualifiés → qualifiés
    assert primary["D6Z70"] == "D6X70"
    assert primary["G0A40"] == "G0A40B"  # maintenance générale et mécanique industrielle
    assert primary["E1Z41"] == "E2X40"  # chimie: the code E1X41 now means metal production
    # A family split by suffixes keeps all its compatible children, with weights.
    eleveurs = bridge.frame.filter(pl.col("fap2009") == "A0Z41")
    assert set(eleveurs["fap2021"]) == {f"A0X41{s}" for s in "ABCDEF"}
    assert set(eleveurs["method"]) == {METHOD_SUFFIX}
    assert math.isclose(eleveurs["weight"].sum(), 1.0)
    # « non qualifiés » never takes the « qualifiés » child.
    assert "C0X30B" not in set(bridge.frame.filter(pl.col("fap2009") == "C0Z20")["fap2021"])


@pytest.mark.realdata
def test_ambiguous_cases_are_listed(bridge: FapBridge) -> None:
    kinds = set(bridge.ambiguous["kind"])
    assert kinds == {
        "plusieurs FAP 2021 possibles",
        "plusieurs FAP 2009 vers une FAP 2021",
        "rapprochement fragile",
    }
    primary = dict(bridge.primary().select("fap2009", "fap2021").iter_rows())
    shared = bridge.ambiguous.filter(pl.col("kind") == "plusieurs FAP 2009 vers une FAP 2021")
    for families, codes in shared.select("fap2009", "fap2021").iter_rows():
        assert len(families) >= 2
        assert {primary[f] for f in families} == set(codes)
    assert all(bridge.ambiguous["detail"].str.len_chars() > 0)


# --- CFD → ROME → FAP ----------------------------------------------------------------------


@pytest.mark.realdata
def test_cfd_romes_rank_from_one_without_gaps(real: sa.Engine, sources_dir: Path) -> None:
    with real.connect() as conn:
        romes = cfd_romes(conn)
    ranks = romes.group_by("cfd").agg(pl.col("rank").sort())
    assert all(r == list(range(1, len(r) + 1)) for r in ranks["rank"].to_list())
    assert romes.filter(pl.col("is_primary")).select(pl.col("rank") == 1).to_series().all()
    assert romes.filter(pl.col("is_primary"))["cfd"].is_unique().all()
    raw = _raw_certif_info(sources_dir).filter(
        pl.col("Libelle_Diplome") == "Bac pro technicien en chaudronnerie industrielle"
    )
    cfd = raw["Code_Scolarité"].item()
    mine = romes.filter(pl.col("cfd") == cfd).sort("rank")
    expected = [raw[f"Code_Rome_{i}"].item() for i in range(1, 6)]
    assert mine["code_rome"].to_list() == [c for c in expected if c]


@pytest.mark.realdata
def test_rome_faps_one_primary_in_the_dares_table(real: sa.Engine, sources_dir: Path) -> None:
    with real.connect() as conn:
        faps = rome_faps(conn)
    assert faps.filter(pl.col("is_primary"))["code_rome"].is_unique().all()
    assert set(faps["code_rome"]) == set(faps.filter(pl.col("is_primary"))["code_rome"])
    raw = _raw_fap_rome(sources_dir)
    soudage = set(raw.filter(pl.col("Rome") == "H2913")["Fap"])
    primary = dict(faps.filter(pl.col("is_primary")).select("code_rome", "fap2009").iter_rows())
    assert primary["H2913"] in soudage
    assert primary["H2913"].startswith("D2Z")  # soudeurs, not the unskilled assembly family
    listed = faps.filter(pl.col("via") == "table DARES")
    assert set(listed.select("code_rome", "fap2009").iter_rows()) == set(
        raw.select("Rome", "Fap").iter_rows()
    )
    inherited = faps.filter(pl.col("via") != "table DARES")
    assert inherited.height > 0
    assert set(inherited["code_rome"]).isdisjoint(set(raw["Rome"]))


@pytest.mark.realdata
def test_every_cfd_has_one_primary_chain(chains: pl.DataFrame, sources_dir: Path) -> None:
    raw = _raw_certif_info(sources_dir)
    assert chains["cfd"].is_unique().all()  # a formation is counted once, never twice
    assert set(chains["cfd"]) == set(raw["Code_Scolarité"].drop_nulls())
    assert chains["code_rome"].null_count() < 0.02 * chains.height
    assert chains["fap2021"].null_count() < 0.03 * chains.height
    rows = chains.filter(pl.col("code_rome").is_not_null())
    assert (rows["domaine_rome"] == rows["code_rome"].str.slice(0, 3)).all()
    with_fap = chains.filter(pl.col("fap2021").is_not_null())
    assert (with_fap["fap22"] == with_fap["fap2021"].str.slice(0, 1)).all()
    assert (with_fap["fap86"] == with_fap["fap2021"].str.slice(0, 3)).all()


@pytest.mark.realdata
def test_bac_pro_chaudronnerie_is_a_metalwork_trade(
    chains: pl.DataFrame, sources_dir: Path
) -> None:
    raw = _raw_certif_info(sources_dir).filter(
        pl.col("Libelle_Diplome") == "Bac pro technicien en chaudronnerie industrielle"
    )
    row = chains.filter(pl.col("cfd") == raw["Code_Scolarité"].item()).row(0, named=True)
    assert row["code_rome"] == raw["Code_Rome_1"].item()
    assert row["grand_domaine_rome"] == "H"
    assert row["libelle_grand_domaine_rome"] == "Industrie"
    assert row["domaine_rome"] == "H29"
    assert row["libelle_domaine_rome"] == "Mécanique, travail des métaux et outillage"
    assert row["fap2009"].startswith("D")
    assert row["fap22"] == "D"
    assert row["libelle_fap22"] == "Mécanique, travail des métaux"
    assert row["code_bmo"] == row["fap228"] == "D1X30"  # chaudronnerie et tôlerie


@pytest.mark.realdata
def test_bmo_trades_give_families_of_every_bmo_code(real: sa.Engine) -> None:
    with real.connect() as conn:
        families = bmo_trades(conn)
        codes = pl.read_database("select distinct fap2021 from src_bmo", conn)
    assert families["fap2021"].is_unique().all()
    assert set(families["fap2021"]) == set(codes["fap2021"])
    assert (
        families.select(["fap86", "fap22", "famille_bmo"]).null_count().sum_horizontal().item() == 0
    )
    assert (families["fap22"] == families["fap2021"].str.slice(0, 1)).all()
    soudeurs = families.filter(pl.col("fap2021") == "D1X33").row(0, named=True)
    assert soudeurs["famille_bmo"] == "I"  # BMO's « ouvriers des secteurs de l'industrie »
    assert soudeurs["fap86"] == "D1X"


# --- the demo territory --------------------------------------------------------------------


def test_trades_run_on_the_demo_territory(demo_engine: sa.Engine) -> None:
    with demo_engine.connect() as conn:
        bridge = fap_bridge(conn)
        chains = trades_of_cfd(conn, bridge)
        families = bmo_trades(conn)
    assert bridge.frame.height > 0
    assert (
        bridge.frame.group_by("fap2009").agg(pl.col("is_primary").sum())["is_primary"] == 1
    ).all()
    assert chains.height > 0 and chains["cfd"].is_unique().all()
    assert chains["fap2021"].drop_nulls().len() > 0
    assert families.height > 0
