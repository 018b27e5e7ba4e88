"""Scenarios: the file format, the arithmetic of places, the comparison over seeds, and the
planner's example on the real AURA data — « open 15 places of bac pro Technicien en
chaudronnerie industrielle in Oyonnax and close 15 elsewhere »."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.scenarios.real import Real
from tests.scenarios.test_cohorts import (
    PINNED_POINTS,
    PINNED_ROWS,
    PINNED_SETTINGS,
    synthetic_offers,
    synthetic_origins,
)
from tremplin.assignment.engine import solve
from tremplin.assignment.instance import Instance
from tremplin.cli import app
from tremplin.scenarios.cohorts import CohortSettings, generate_cohort
from tremplin.scenarios.scenario_comparison import (
    Comparison,
    Estimate,
    compare,
    estimate,
    run_scenario,
)
from tremplin.scenarios.scenarios import Scenario, ScenarioError, prepare
from tremplin.store.database import open_store

# --- the file format ----------------------------------------------------------------------

TOML = """
titre = "Chaudronnerie à Oyonnax"
palier = "2nde"
territoire = "region:84"

[[changements]]
action = "ouvrir"
uai = "0010034G"
mef_stat_11 = "23820025411"
places = 15

[[changements]]
action = "ajuster"
uai = "0690103m"
mef_stat_11 = "23820025411"
places = -15
"""


def test_a_scenario_is_read_from_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "scenario.toml"
    toml.write_text(TOML, encoding="utf-8")
    scenario = Scenario.from_file(toml)
    assert scenario.titre == "Chaudronnerie à Oyonnax" and scenario.palier == "2nde"
    assert [c.action for c in scenario.changements] == ["ouvrir", "ajuster"]
    assert scenario.changements[1].uai == "0690103M" and scenario.changements[1].places == -15
    as_json = tmp_path / "scenario.json"
    as_json.write_text(json.dumps(scenario.as_dict()), encoding="utf-8")
    assert Scenario.from_file(as_json) == scenario
    english = Scenario.from_mapping(
        {
            "title": "t",
            "changes": [
                {
                    "action": "transfer",
                    "uai": "A",
                    "mef_stat_11": "1",
                    "places": 2,
                    "vers": {"uai": "B"},
                },
                {"action": "close", "uai": "C", "mef_stat_11": "2"},
            ],
        }
    )
    transfer, close = english.changements
    assert (transfer.action, transfer.vers_uai, transfer.vers_mef_stat_11) == (
        "transferer",
        "B",
        "1",
    )
    assert close.action == "fermer" and "places" not in close.as_dict()


def _one(action: str, **fields: Any) -> dict[str, Any]:
    """A scenario document of one change."""
    return {"changements": [{"action": action, "uai": "A", "mef_stat_11": "1"} | fields]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"changements": []}, "au moins un changement"),
        (_one("doubler"), "action attendue"),
        (_one("ouvrir"), "positif"),
        (_one("fermer", uai=""), "obligatoires"),
        (_one("ajuster", places=1.5), "entier"),
        (_one("transferer", places=3), "vers_uai"),
        (_one("fermer") | {"palier": "3eme"}, "palier"),
    ],
)
def test_a_bad_scenario_is_refused_in_french(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_mapping(document)


def test_a_malformed_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("titre = ", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.toml : fichier mal formé"):
        Scenario.from_file(path)
    with pytest.raises(ScenarioError, match="lecture impossible"):
        Scenario.from_file(tmp_path / "absent.json")


# --- arithmetic of places on small synthetic offer sets -----------------------------------


def _etablissements(offers: pl.DataFrame) -> pl.DataFrame:
    return offers.select(
        "uai",
        pl.col("etablissement").alias("nom"),
        "commune",
        "code_departement",
        "code_academie",
        "code_region",
        "latitude",
        "longitude",
    ).unique("uai")


rows = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.floats(45.0, 45.4),
        st.floats(4.8, 5.2),
        st.integers(0, 12),
        st.integers(0, 12),
        st.sampled_from(["A", "B"]),
        st.sampled_from(["CAP", "Bac pro"]),
    ),
    min_size=2,
    max_size=8,
)


@settings(max_examples=80, deadline=None)
@given(rows, st.data())
def test_changes_move_places_as_written(
    offer_rows: list[tuple[int, float, float, int, int, str, str]], data: st.DataObject
) -> None:
    offers = synthetic_offers(offer_rows)
    places = _etablissements(offers)
    total = int(offers.get_column("capacite").sum())
    keys = list(offers.select("uai", "mef_stat_11").iter_rows())
    a, b = data.draw(st.sampled_from(keys)), data.draw(st.sampled_from(keys))
    capacity = dict(zip(keys, offers.get_column("capacite").to_list(), strict=True))
    if capacity[a] > 0 and a != b:
        n = data.draw(st.integers(1, capacity[a]))
        change = {"action": "transferer", "uai": a[0], "mef_stat_11": a[1], "places": n}
        change |= {"vers_uai": b[0], "vers_mef_stat_11": b[1]}
        plan = prepare(Scenario.from_mapping({"changements": [change]}), offers, places, None)
        assert plan.after.sum() == plan.before.sum() == total
        assert plan.after[keys.index(a)] == capacity[a] - n
        assert plan.after[keys.index(b)] == capacity[b] + n
    closing = {"action": "fermer", "uai": a[0], "mef_stat_11": a[1]}
    plan = prepare(Scenario.from_mapping({"changements": [closing]}), offers, places, None)
    assert plan.after[keys.index(a)] == 0 and plan.after.sum() == total - capacity[a]
    # Opening an offer of a MEF elsewhere in a lycée that does not have it adds a row.
    uai = b[0]
    mef = next((m for u, m in keys if (uai, m) not in keys), None)
    if mef is not None:
        opening = {"action": "ouvrir", "uai": uai, "mef_stat_11": mef, "places": 7}
        plan = prepare(Scenario.from_mapping({"changements": [opening]}), offers, places, None)
        assert plan.offers.height == offers.height + 1
        assert (plan.before[-1], plan.after[-1]) == (0, 7)
        assert plan.offers.item(-1, "demandes_voeux_1") == 0
        assert plan.changed.tolist() == [offers.height]


def test_changes_that_cannot_apply_are_refused(tmp_path: Path) -> None:
    offers = synthetic_offers([(0, 45.3, 5.0, 10, 4, "A", "CAP"), (1, 45.2, 5.1, 6, 9, "B", "CAP")])
    places = _etablissements(offers)
    first, second = offers.row(0, named=True), offers.row(1, named=True)

    def attempt(action: str, uai: str, mef: str, where: str | None = None, **more: Any) -> None:
        change = {"action": action, "uai": uai, "mef_stat_11": mef} | more
        prepare(Scenario.from_mapping({"changements": [change]}), offers, places, where)

    uai, mef = first["uai"], first["mef_stat_11"]
    with pytest.raises(ScenarioError, match="existe déjà"):
        attempt("ouvrir", uai, mef, places=3)
    with pytest.raises(ScenarioError, match="n'a que 10 place"):
        attempt("ajuster", uai, mef, places=-11)
    with pytest.raises(ScenarioError, match="absente"):
        attempt("fermer", uai, second["mef_stat_11"])
    with pytest.raises(ScenarioError, match="hors du territoire"):
        attempt("fermer", second["uai"], second["mef_stat_11"], "departement:69")
    with pytest.raises(ScenarioError, match="inconnu"):
        attempt("ouvrir", "9999999Z", mef, places=3)
    with pytest.raises(ScenarioError, match="MEF 123 absente"):
        attempt("ouvrir", uai, "123", places=3)
    with pytest.raises(ScenarioError, match="aucune offre"):
        attempt("fermer", uai, mef, "region:11")


SMALL = CohortSettings(reach_km=40.0, max_lycees=4)


@settings(max_examples=40, deadline=None)
@given(rows, st.integers(0, 2**31), st.data())
def test_a_closed_offer_admits_nobody(
    offer_rows: list[tuple[int, float, float, int, int, str, str]], seed: int, data: st.DataObject
) -> None:
    offers = synthetic_offers(offer_rows)
    target = data.draw(st.integers(0, offers.height - 1))
    row = offers.row(target, named=True)
    scenario = Scenario.from_mapping(
        {
            "changements": [
                {"action": "fermer", "uai": row["uai"], "mef_stat_11": row["mef_stat_11"]}
            ]
        }
    )
    plan = prepare(scenario, offers, _etablissements(offers), None)
    cohort = generate_cohort(plan.offers, synthetic_origins([(45.2, 5.0, 10.0)]), seed, SMALL)
    simulation = cohort.simulation(plan.after)
    after = simulation.solve()
    assert not np.any(after.formation == target)
    assert simulation.check_validity() == [] and simulation.check_stability() == []


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_opening_places_never_lowers_the_number_placed(data: st.DataObject) -> None:
    n_formations = data.draw(st.integers(1, 5))
    n_pupils = data.draw(st.integers(0, 12))
    capacities = data.draw(
        st.lists(st.integers(0, 3), min_size=n_formations, max_size=n_formations)
    )
    wishes = [
        data.draw(st.lists(st.integers(0, n_formations - 1), max_size=n_formations, unique=True))
        for _ in range(n_pupils)
    ]
    scores = [
        data.draw(st.lists(st.integers(0, 3), min_size=len(w), max_size=len(w))) for w in wishes
    ]
    seed = data.draw(st.integers(0, 1000))
    where = data.draw(st.integers(0, n_formations - 1))
    extra = data.draw(st.integers(1, 3))
    more = list(capacities)
    more[where] += extra
    before = solve(
        Instance.from_lists(capacities, wishes, [[float(s) for s in r] for r in scores], seed)
    )
    after = solve(Instance.from_lists(more, wishes, [[float(s) for s in r] for r in scores], seed))
    assert after.placed.sum() >= before.placed.sum()
    # Every pupil is weakly better off (the pupil-optimal stable assignment is monotone in
    # capacities): a rank can only improve, a place only be gained.
    kept = after.placed & (after.rank <= before.rank)
    better = np.where(before.placed, kept, True)
    assert np.all(better)


@settings(max_examples=25, deadline=None)
@given(rows, st.integers(0, 2**31), st.data())
def test_the_comparison_adds_up_over_seeds(
    offer_rows: list[tuple[int, float, float, int, int, str, str]], seed: int, data: st.DataObject
) -> None:
    offers = synthetic_offers(offer_rows)
    row = offers.row(data.draw(st.integers(0, offers.height - 1)), named=True)
    scenario = Scenario.from_mapping(
        {
            "changements": [
                {
                    "action": "ajuster",
                    "uai": row["uai"],
                    "mef_stat_11": row["mef_stat_11"],
                    "places": 3,
                }
            ]
        }
    )
    plan = prepare(scenario, offers, _etablissements(offers), None)
    result = compare(
        plan,
        synthetic_origins([(45.2, 5.0, 10.0), (45.0, 4.9, 5.0)]),
        [seed, seed + 1, seed + 2],
        scenario=scenario,
        palier="3e",
        territoire=None,
        settings=SMALL,
    )
    overall = {i.key: i for i in result.overall}
    diff = {k: v.difference for k, v in overall.items()}
    # Every count has a difference; a rate has none when there is no pupil at all.
    assert all(d is not None for k, d in diff.items() if k != "taux_premier_voeu")
    assert diff["capacite"] is not None and diff["capacite"].mean == 3
    assert diff["affectes"] is not None and diff["affectes"].mean >= 0  # more places: never fewer
    moved = ("obtiennent_place", "perdent_place", "meilleur_voeu", "moins_bon_voeu")
    assert sum(diff[k].mean for k in moved) == pytest.approx(diff["changent"].mean)  # type: ignore[union-attr]
    assert diff["perdent_place"].mean == 0 and diff["moins_bon_voeu"].mean == 0  # type: ignore[union-attr]
    assert overall["eleves"].before == overall["eleves"].after
    assert json.loads(json.dumps(result.as_dict(), allow_nan=False))["pupils"] == result.pupils


def test_estimates_are_means_with_student_intervals() -> None:
    e = estimate([1.0, 2.0, 3.0, 4.0])
    assert e is not None and e.mean == 2.5
    half = 3.182 * float(np.std([1, 2, 3, 4], ddof=1)) / 2
    assert (e.low, e.high) == pytest.approx((2.5 - half, 2.5 + half))
    assert estimate([math.nan, 5.0]) == estimate([5.0])
    one = estimate([5.0])
    assert one is not None and one.low == one.high == 5.0
    assert estimate([]) is None


# --- regression: a small comparison pinned literally (the speed-ups keep every number) ----


def test_a_small_comparison_is_the_one_pinned() -> None:
    offers = synthetic_offers(PINNED_ROWS)
    scenario = Scenario.from_mapping(
        {
            "changements": [
                {
                    "action": "ajuster",
                    "uai": "0000001X",
                    "mef_stat_11": "00000000002",
                    "places": -4,
                },
                {"action": "ajuster", "uai": "0000002X", "mef_stat_11": "00000000004", "places": 3},
            ]
        }
    )
    plan = prepare(scenario, offers, _etablissements(offers), None)
    result = compare(
        plan,
        synthetic_origins(PINNED_POINTS),
        [1, 2, 3],
        scenario=scenario,
        palier="3e",
        territoire=None,
        settings=PINNED_SETTINGS,
    )
    overall = {i.key: i for i in result.overall}
    means = {
        k: (
            None if v.before is None else v.before.mean,
            None if v.after is None else v.after.mean,
            None if v.difference is None else v.difference.mean,
        )
        for k, v in overall.items()
    }
    expected = {
        "eleves": (36.0, 36.0, 0.0),
        "affectes": (34.0, 95 / 3, -7 / 3),
        "premier_voeu": (92 / 3, 26.0, -14 / 3),
        "taux_premier_voeu": (23 / 27, 13 / 18, -7 / 54),
        "sans_affectation": (2.0, 13 / 3, 7 / 3),
        "capacite": (38.0, 37.0, -1.0),
        "places_vacantes": (4.0, 16 / 3, 4 / 3),
        "changent": (None, None, 19 / 3),
        "obtiennent_place": (None, None, 2 / 3),
        "perdent_place": (None, None, 3.0),
        "meilleur_voeu": (None, None, 0.0),
        "moins_bon_voeu": (None, None, 8 / 3),
    }
    assert set(means) == set(expected)
    for key, values in expected.items():
        assert means[key] == pytest.approx(values), key
    document = json.dumps(result.as_dict(), sort_keys=True)
    digest = hashlib.sha256(document.encode()).hexdigest()
    assert digest == "b12a26cc16310f16711538d9011efc4d270dc87a12c2ca6f04b1cf2f0f2c4c97"


# --- the planner's example on the real data of Auvergne-Rhône-Alpes -----------------------


def _chaudronnerie(sources_dir: Path) -> str:
    """The MEF STAT 11 of 1re pro « Technicien en chaudronnerie industrielle » still open."""
    nmef = pl.read_csv(sources_dir / "bcn" / "nMef.csv", separator=";", infer_schema=False)
    rows = nmef.filter(
        (pl.col("LIBELLE_LONG") == "1ERPRO TECH.CHAUDRONNERIE INDUSTRIELLE")
        & pl.col("DATE_FERMETURE").is_null()
    )
    assert rows.height == 1
    return str(rows.item(0, "MEF_STAT_11"))


@pytest.fixture(scope="module")
def oyonnax(real: Real, sources_dir: Path) -> tuple[Scenario, Comparison]:
    mef = _chaudronnerie(sources_dir)
    raw = pl.read_csv(
        sources_dir / "affelnet" / "affelnet1PROspe.csv", separator=";", infer_schema=False
    )
    # A lycée of Oyonnax (Ain) that offers 1re pro but not this one: it can open it.
    in_oyonnax = raw.filter(pl.col("Commune de l'établissement d'accueil") == "OYONNAX")
    lycee = in_oyonnax.get_column("Etablissement d'accueil").unique().sort().item(0)
    offered = real.premiere.filter(pl.col("mef_stat_11") == mef)
    assert offered.filter(pl.col("uai") == lycee).is_empty()
    # « Elsewhere »: the AURA offer of the formation with the most places.
    source = (
        offered.filter(pl.col("code_region") == "84")
        .sort("capacite", descending=True)
        .row(0, named=True)
    )
    assert source["capacite"] >= 15
    scenario = Scenario.from_mapping(
        {
            "titre": "15 places de chaudronnerie industrielle à Oyonnax",
            "changements": [
                {"action": "ouvrir", "uai": lycee, "mef_stat_11": mef, "places": 15},
                {"action": "ajuster", "uai": source["uai"], "mef_stat_11": mef, "places": -15},
            ],
        }
    )
    engine = open_store(real.url)
    try:
        with engine.connect() as conn:
            return scenario, run_scenario(
                conn, real.facts, scenario, territoire="region:84", seeds=range(1, 9)
            )
    finally:
        engine.dispose()


@pytest.mark.realdata
def test_oyonnax_before_and_after(oyonnax: tuple[Scenario, Comparison]) -> None:
    _, result = oyonnax
    assert result.palier == "2nde"  # a speciality of 1re pro, chosen after the 2nde
    overall = {i.key: i for i in result.overall}
    assert overall["eleves"].before == overall["eleves"].after
    assert overall["eleves"].before is not None and overall["eleves"].before.mean > 10_000
    capacity = overall["capacite"].difference
    assert capacity is not None and capacity.mean == 0  # 15 opened, 15 closed
    placed, unplaced = overall["affectes"].difference, overall["sans_affectation"].difference
    assert placed is not None and unplaced is not None and placed.mean == -unplaced.mean
    moves = {k: overall[k].difference for k in ("changent", "obtiennent_place", "perdent_place")}
    assert all(m is not None and m.mean >= 0 for m in moves.values())
    opened, reduced = sorted(result.changed_offers, key=lambda o: o["capacity_before"])
    assert opened["commune"] == "Oyonnax" and (
        opened["capacity_before"],
        opened["capacity_after"],
    ) == (0, 15)
    assert opened["filled_before"]["mean"] == 0 and opened["filled_after"]["mean"] <= 15
    assert reduced["capacity_after"] == reduced["capacity_before"] - 15
    assert reduced["filled_after"]["mean"] <= reduced["capacity_after"]
    # Demand follows the offer (issue 10): the new offer draws first wishes, moved from the
    # offers near Oyonnax (before, none asked for it first and it drew 0,3 pupils).
    assert opened["first_wishes"] == 0 and 2 <= opened["voeux_1_estimes"] <= 40
    assert opened["filled_after"]["mean"] >= 1
    assert reduced["voeux_1_estimes"] == reduced["first_wishes"]  # places removed move no wish
    groups = result.as_dict()["groups"]
    assert {g["code"] for g in groups["boursier"]} == {"boursier", "non boursier"}
    assert {g["code"] for g in groups["perimetre"]} <= {"industrie", "hors industrie"}
    assert "10" in {g["code"] for g in groups["academie"]}  # Lyon
    assert json.dumps(result.as_dict(), allow_nan=False)


@pytest.mark.realdata
def test_opening_a_2nde_commune_in_oyonnax_never_lowers_placements(real: Real) -> None:
    # At the entry year the chaudronnerie is reached through the 2nde commune of its famille
    # (« réalisation d'ensembles mécaniques et industriels »); Bellignat, next to Oyonnax,
    # offers it: 15 more places there.
    famille = real.entry.filter(
        pl.col("libelle").str.contains("REAL.ENS.MEC.IND") & (pl.col("code_departement") == "01")
    )
    assert famille.height >= 1
    row = famille.row(0, named=True)
    scenario = Scenario.from_mapping(
        {
            "changements": [
                {
                    "action": "ajuster",
                    "uai": row["uai"],
                    "mef_stat_11": row["mef_stat_11"],
                    "places": 15,
                }
            ]
        }
    )
    engine = open_store(real.url)
    try:
        with engine.connect() as conn:
            result = run_scenario(
                conn, real.facts, scenario, territoire="departement:01", seeds=(1, 2, 3)
            )
    finally:
        engine.dispose()
    assert result.palier == "3e"
    overall = {i.key: i for i in result.overall}
    # More places make every pupil weakly better off (pupil-optimal stable assignment): nobody
    # loses a place or gets a worse wish, in any cohort.
    placed = overall["affectes"].difference
    assert placed is not None and placed.mean >= 0
    for key in ("perdent_place", "moins_bon_voeu"):
        assert overall[key].difference == Estimate(0.0, 0.0, 0.0)


@pytest.mark.realdata
def test_the_command_prints_a_french_table_and_writes_json(real: Real, tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(TOML, encoding="utf-8")
    output = tmp_path / "resultat.json"
    result = CliRunner().invoke(
        app,
        ["simulate", "scenario", str(path), "--graines", "3", "--output", str(output)],
        # Rich reads the width of its tables from COLUMNS.
        env={"TREMPLIN_DATABASE_URL": real.url, "COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "Affectés sur leur premier vœu" in text and "IC 95 %" in text
    assert "cohortes des graines 1 à 3" in text and "Oyonnax" in text
    assert re.search(r"\d{2} \d{3} élèves", text.replace("\u202f", " ").replace("\xa0", " "))
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["seeds"] == [1, 2, 3] and document["palier"] == "2nde"
    keys = [i["key"] for i in document["indicators"]]
    assert keys[:4] == ["eleves", "affectes", "premier_voeu", "taux_premier_voeu"]
    assert len(document["changed_offers"]) == 2


def test_the_command_refuses_a_bad_scenario_in_french(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"changements": [{"action": "doubler"}]}), encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", "scenario", str(path)])
    assert result.exit_code == 1
    text = re.sub(r"\s+", " ", result.output)
    assert "Erreur : changement n° 1 : action attendue parmi ouvrir, fermer, ajuster" in text
