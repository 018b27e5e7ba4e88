"""Calibration: the pieces on literal cases (split, reference, scores, Nelder–Mead, the report
block) and a short fit on a real académie of ``affelnet1PROspe.csv``."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.scenarios.real import Real
from tremplin.scenarios.calibration import (
    CalibrationReport,
    Fit,
    ScopeScores,
    Scores,
    baseline_counts,
    calibrate,
    nelder_mead,
    scores,
    train_mask,
)
from tremplin.scenarios.calibration_report import BEGIN, END, markdown, update_document
from tremplin.scenarios.choice_model import ChoiceModel
from tremplin.scenarios.cohorts import offers_in_territory


def _offers(capacity: list[int], first: list[int], v1: list[int], all_: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "capacite": capacity,
            "demandes_voeux_1": first,
            "affectes_voeu_1": v1,
            "affectes_tous_voeux": all_,
        }
    )


def test_the_split_is_seeded_and_keeps_seventy_percent() -> None:
    a, b = train_mask(1000, seed=5), train_mask(1000, seed=5)
    assert np.array_equal(a, b)
    assert a.sum() == 700
    assert not np.array_equal(a, train_mask(1000, seed=6))


def test_the_reference_is_min_of_capacity_and_first_wishes() -> None:
    offers = _offers([10, 20, 0], [15, 5, 3], [10, 5, 0], [10, 12, 0])
    first, total = baseline_counts(offers)
    assert first.tolist() == [10, 5, 0] and total.tolist() == [10, 5, 0]


def test_scores_are_mean_absolute_errors_and_pearson_correlations() -> None:
    offers = _offers([10, 20, 30], [10, 20, 30], [1, 2, 3], [2, 4, 9])
    predicted = (np.array([2.0, 2.0, 5.0]), np.array([2.0, 4.0, 6.0]))
    s = scores(offers, predicted)
    assert s.offers == 3
    assert s.mae_voeu_1 == pytest.approx((1 + 0 + 2) / 3)
    assert s.mae_tous_voeux == pytest.approx(1.0)
    assert s.r_voeu_1 == pytest.approx(float(np.corrcoef([2, 2, 5], [1, 2, 3])[0, 1]))
    assert s.real_tous_voeux == 15 and s.predicted_tous_voeux == pytest.approx(12.0)
    only = scores(offers, predicted, np.array([True, False, False]))
    assert only.offers == 1 and only.r_voeu_1 is None


def test_nelder_mead_finds_the_minimum_of_a_quadratic() -> None:
    target = np.array([1.5, -2.0, 0.25])
    x, y, history = nelder_mead(
        lambda v: float(np.sum((v - target) ** 2)),
        np.zeros(3),
        np.ones(3),
        max_evals=400,
        tolerance=1e-12,
    )
    assert np.allclose(x, target, atol=1e-3)
    assert y < 1e-6
    assert len(history) <= 400
    assert min(h[1] for h in history) == y


def test_the_report_block_replaces_the_previous_one(tmp_path: Path) -> None:
    path = tmp_path / "calibration.md"
    path.write_text(f"# Calibration\n\nProse.\n\n{BEGIN}\nold figures\n{END}\n\nMore prose.\n")
    report = _report()
    update_document(path, report)
    text = path.read_text()
    assert "old figures" not in text
    assert text.startswith("# Calibration\n\nProse.\n\n" + BEGIN)
    assert text.rstrip().endswith("More prose.")
    assert text.count(BEGIN) == 1 and "| β_famille | 2.000 |" in text
    update_document(path, report)
    assert path.read_text() == text
    fresh = tmp_path / "new.md"
    update_document(fresh, report)
    assert fresh.read_text() == markdown(report) + "\n"


def _report() -> CalibrationReport:
    s = Scores(10, 1.0, 0.9, 0.5, None, 100, 98.0, 120, 119.5)
    return CalibrationReport(
        fit=Fit(ChoiceModel(beta_famille=2.0), 1.5, 2.0, 12, 3.0),
        train_offers=70,
        heldout_offers=30,
        pupils=1000,
        rows=(ScopeScores("France", "France", s, s),),
        fit_seeds=(1,),
        eval_seeds=(2,),
        split_seed=2024,
        seconds=4.0,
    )


@pytest.mark.realdata
def test_the_1re_pro_offers_carry_the_real_assigned_pupils(real: Real, sources_dir: Path) -> None:
    raw = pl.read_csv(
        sources_dir / "affelnet" / "affelnet1PROspe.csv", separator=";", infer_schema=False
    ).filter(
        (pl.col("Statut Offre de formation") == "ST") & (pl.col("Voeu de recensement O/N") == "N")
    )
    for column, name in (
        ("capacite", "Capacité d'affectation"),
        ("demandes_voeux_1", "Demandes vœux 1"),
        ("affectes_voeu_1", "Affectés voeu 1"),
        ("affectes_tous_voeux", "Affectés tous vœux"),
    ):
        assert real.premiere.get_column(column).sum() == raw.get_column(name).cast(pl.Int64).sum()
    assert real.premiere.height == raw.height
    # Every label finds its MEF in the BCN (« 1ERPRO LOGISTIQUE (Nouveau) » without its remark).
    assert real.premiere.get_column("mef_stat_11").null_count() == 0


@pytest.mark.realdata
def test_a_short_calibration_on_an_académie_beats_the_naive_reference(real: Real) -> None:
    offers = offers_in_territory(real.premiere, "academie:08")  # Grenoble
    report = calibrate(
        offers,
        real.origins,
        fit_seeds=(1,),
        eval_seeds=(2, 3),
        max_evals=6,
        region="departement:38",
        region_label="Isère",
    )
    assert report.train_offers + report.heldout_offers == offers.height
    assert report.fit.evaluations <= 6 + 5 and report.fit.loss <= report.fit.start_loss
    assert [row.scope for row in report.rows] == [
        "France",
        "Isère, in the national simulation",
        "Isère, simulated alone",
    ]
    heldout = report.rows[0]
    assert heldout.simulation.offers == report.heldout_offers
    assert heldout.simulation.real_tous_voeux == heldout.baseline.real_tous_voeux
    # Further wishes fill places first wishes leave empty: the simulation is closer than the
    # reference on all assigned pupils, and close to it on first wishes.
    assert heldout.simulation.mae_tous_voeux < heldout.baseline.mae_tous_voeux
    assert heldout.simulation.mae_voeu_1 < 1.5 * heldout.baseline.mae_voeu_1
    r = heldout.simulation.r_tous_voeux
    assert r is not None and r > 0.9 and not math.isnan(r)
    text = markdown(report)
    assert text.startswith(BEGIN) and text.endswith(END)
    assert "Isère, simulated alone" in text


def test_the_choice_model_defaults_are_the_documented_fit() -> None:
    # docs/calibration.md holds the fitted values (regenerated by the module); the defaults of
    # ChoiceModel must be those values, or cohorts would silently use another model.
    text = (Path(__file__).resolve().parents[2] / "docs" / "calibration.md").read_text()
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]

    def fitted(label: str) -> float:
        match = re.search(rf"^\| {re.escape(label)}[^|]* \| ([0-9.]+) \|$", block, re.MULTILINE)
        assert match is not None, label
        return float(match.group(1))

    model = ChoiceModel()
    assert model.beta_distance == fitted("β_distance")
    assert model.beta_famille == fitted("β_famille")
    assert model.beta_niveau == fitted("β_niveau")
    assert model.beta_popularite == fitted("β_popularité")
    assert model.mean_further == fitted("mean number of further wishes")
