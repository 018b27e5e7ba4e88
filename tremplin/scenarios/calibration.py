"""Calibration of the choice model against Affelnet's real assignments (1re professionnelle).

``affelnet1PROspe.csv`` gives, per 1re pro offer, its *capacité d'affectation*, its first wishes
and the pupils it really assigned: on their first wish (*Affectés vœu 1*) and in all (*Affectés
tous vœux*). Individual wishes are not published; the counts are the reality to match.

Steps (:func:`calibrate`):

1. the offers (:func:`~tremplin.scenarios.cohort_offers.premiere_offers`) are split at random,
   with a fixed seed, into a **training** part (70 %) and a **held-out** part (30 %);
2. cohorts are drawn whose first wishes are the file's (:mod:`~tremplin.scenarios.cohorts`),
   the choice model's further wishes added, and assigned with the Affelnet barème (deferred
   acceptance, capacities = *capacité d'affectation*);
3. the choice model's parameters (β_distance, β_famille, β_popularité and the mean number of
   further wishes; β_niveau is not identified — every offer is a bac pro — and stays fixed) are
   fitted by Nelder–Mead on the training offers, minimising the mean absolute error of the two
   simulated counts (averaged over ``fit_seeds`` cohorts drawn once: common random numbers);
4. the held-out offers are scored — mean absolute error and Pearson correlation of both counts —
   for France and for AURA, against the naive reference *assigned = min(capacity, first
   wishes)*, with the counts averaged over ``eval_seeds`` fresh cohorts.

``tremplin simulate calibration --sources ../shared/data`` recomputes every figure and rewrites
them in docs/calibration.md (:mod:`~tremplin.scenarios.calibration_report`).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from tremplin.assignment.affelnet import DEFAULT_BAREME, Bareme
from tremplin.config import DEFAULT_REGION
from tremplin.diagnostic.facts import stored_facts
from tremplin.errors import NotFound
from tremplin.referentials.perimeter import Perimeter
from tremplin.scenarios.choice_model import ChoiceModel
from tremplin.scenarios.cohorts import (
    CohortSettings,
    PupilDraw,
    cohort_from_draw,
    cohort_geometry,
    draw_pupils,
    origins,
    premiere_offers,
    territory_filter,
)
from tremplin.store.database import open_store

__all__ = [
    "CalibrationReport",
    "Fit",
    "ScopeScores",
    "Scores",
    "baseline_counts",
    "calibrate",
    "fit_choice_model",
    "nelder_mead",
    "run",
    "scores",
    "simulated_counts",
    "train_mask",
]

SPLIT_SEED = 2024
TRAIN_SHARE = 0.7
FIT_SEEDS = (1, 2)
EVAL_SEEDS = (11, 12, 13, 14, 15)
AURA = f"region:{DEFAULT_REGION}"
START = ChoiceModel(
    beta_distance=0.12, beta_famille=2.0, beta_niveau=1.0, beta_popularite=0.6, mean_further=2.5
)
"""Where the search starts (round guesses: a wish 6 km farther is worth e^-0.7 ≈ half, …), so
that the figures do not depend on :class:`ChoiceModel`'s defaults, which are the fitted values."""


def train_mask(
    n_offers: int, seed: int = SPLIT_SEED, share: float = TRAIN_SHARE
) -> NDArray[np.bool_]:
    """Which offers are in the training part: a seeded random ``share`` of them."""
    order = np.random.default_rng(seed).permutation(n_offers)
    mask = np.zeros(n_offers, dtype=np.bool_)
    mask[order[: round(share * n_offers)]] = True
    return mask


def simulated_counts(
    draws: Sequence[PupilDraw], model: ChoiceModel, bareme: Bareme = DEFAULT_BAREME
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per offer, the simulated pupils assigned on their first wish and in all, averaged over
    the cohorts of ``draws`` (each given the wishes of ``model``)."""
    n = draws[0].offers.height
    first = np.zeros(n)
    total = np.zeros(n)
    for draw in draws:
        outcome = cohort_from_draw(draw, model).solve(bareme=bareme)
        on_first = outcome.formation[outcome.rank == 0]
        first += np.bincount(on_first, minlength=n)
        total += np.bincount(outcome.formation[outcome.placed], minlength=n)
    return first / len(draws), total / len(draws)


def baseline_counts(offers: pl.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The naive reference: every offer takes min(capacity, first wishes), on first wishes."""
    capacity = offers.get_column("capacite").fill_null(0).to_numpy().astype(np.float64)
    wishes = offers.get_column("demandes_voeux_1").fill_null(0).to_numpy().astype(np.float64)
    both = np.minimum(capacity, wishes)
    return both, both.copy()


@dataclass(frozen=True)
class Scores:
    """How close predicted counts are to the real ones over a set of offers."""

    offers: int
    mae_voeu_1: float
    r_voeu_1: float | None
    mae_tous_voeux: float
    r_tous_voeux: float | None
    real_voeu_1: int
    predicted_voeu_1: float
    real_tous_voeux: int
    predicted_tous_voeux: float


def _pearson(a: NDArray[np.float64], b: NDArray[np.float64]) -> float | None:
    if a.size < 2 or np.std(a) == 0 or np.std(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def scores(
    offers: pl.DataFrame,
    predicted: tuple[NDArray[np.float64], NDArray[np.float64]],
    mask: NDArray[np.bool_] | None = None,
) -> Scores:
    """MAE and Pearson correlation of ``predicted`` (first wish, all wishes) against the real
    ``affectes_voeu_1`` and ``affectes_tous_voeux`` of ``offers`` (restricted to ``mask``)."""
    chosen = np.ones(offers.height, dtype=np.bool_) if mask is None else mask
    real_1 = offers.get_column("affectes_voeu_1").fill_null(0).to_numpy()[chosen].astype(float)
    real_t = offers.get_column("affectes_tous_voeux").fill_null(0).to_numpy()[chosen].astype(float)
    pred_1, pred_t = predicted[0][chosen], predicted[1][chosen]
    return Scores(
        offers=int(chosen.sum()),
        mae_voeu_1=float(np.abs(pred_1 - real_1).mean()) if chosen.any() else math.nan,
        r_voeu_1=_pearson(pred_1, real_1),
        mae_tous_voeux=float(np.abs(pred_t - real_t).mean()) if chosen.any() else math.nan,
        r_tous_voeux=_pearson(pred_t, real_t),
        real_voeu_1=int(real_1.sum()),
        predicted_voeu_1=float(pred_1.sum()),
        real_tous_voeux=int(real_t.sum()),
        predicted_tous_voeux=float(pred_t.sum()),
    )


def nelder_mead(
    f: Callable[[NDArray[np.float64]], float],
    x0: NDArray[np.float64],
    steps: NDArray[np.float64],
    *,
    max_evals: int = 60,
    tolerance: float = 1e-3,
) -> tuple[NDArray[np.float64], float, list[tuple[list[float], float]]]:
    """Minimise ``f`` from ``x0`` by the Nelder–Mead simplex (J. A. Nelder and R. Mead, « A
    simplex method for function minimization », *The Computer Journal* 7, 1965), with the usual
    coefficients (reflection 1, expansion 2, contraction ½, shrink ½). The first simplex is
    ``x0`` and ``x0 + steps[i]·e_i``. Stops after ``max_evals`` evaluations or when the values
    of the simplex differ by less than ``tolerance``. Returns the best point, its value and
    every evaluation."""
    history: list[tuple[list[float], float]] = []

    def value(x: NDArray[np.float64]) -> float:
        y = float(f(x))
        history.append(([float(v) for v in x], y))
        return y

    n = x0.size
    simplex = [np.asarray(x0, np.float64)] + [x0 + steps[i] * np.eye(n)[i] for i in range(n)]
    values = [value(x) for x in simplex]
    while len(history) < max_evals:
        order = np.argsort(values)
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        if values[-1] - values[0] < tolerance:
            break
        centroid = np.mean(simplex[:-1], axis=0)
        reflected = centroid + (centroid - simplex[-1])
        y_r = value(reflected)
        if y_r < values[0]:
            expanded = centroid + 2 * (centroid - simplex[-1])
            y_e = value(expanded)
            simplex[-1], values[-1] = (expanded, y_e) if y_e < y_r else (reflected, y_r)
        elif y_r < values[-2]:
            simplex[-1], values[-1] = reflected, y_r
        else:
            outside = y_r < values[-1]
            target = reflected if outside else simplex[-1]
            contracted = centroid + 0.5 * (target - centroid)
            y_c = value(contracted)
            if y_c < min(y_r, values[-1]):
                simplex[-1], values[-1] = contracted, y_c
            else:
                for i in range(1, n + 1):
                    simplex[i] = simplex[0] + 0.5 * (simplex[i] - simplex[0])
                    values[i] = value(simplex[i])
    best = int(np.argmin(values))
    return simplex[best], values[best], history


def _to_vector(model: ChoiceModel) -> NDArray[np.float64]:
    return np.array(
        [
            math.log(max(model.beta_distance, 1e-4)),
            model.beta_famille,
            model.beta_popularite,
            math.log(max(model.mean_further, 1e-3)),
        ]
    )


def _from_vector(x: NDArray[np.float64], template: ChoiceModel) -> ChoiceModel:
    return dataclasses.replace(
        template,
        beta_distance=float(math.exp(x[0])),
        beta_famille=float(x[1]),
        beta_popularite=float(x[2]),
        mean_further=float(min(math.exp(x[3]), 50.0)),
    )


@dataclass(frozen=True)
class Fit:
    """The fitted choice model, its training loss (MAE first wish + MAE all wishes) and the
    evaluations of the search (parameters, loss)."""

    model: ChoiceModel
    loss: float
    start_loss: float
    evaluations: int
    seconds: float


def _loss(
    draws: Sequence[PupilDraw], offers: pl.DataFrame, mask: NDArray[np.bool_], model: ChoiceModel
) -> float:
    s = scores(offers, simulated_counts(draws, model), mask)
    return s.mae_voeu_1 + s.mae_tous_voeux


def fit_choice_model(
    draws: Sequence[PupilDraw],
    mask: NDArray[np.bool_],
    start: ChoiceModel | None = None,
    *,
    max_evals: int = 60,
) -> Fit:
    """Fit β_distance, β_famille, β_popularité and the mean number of further wishes on the
    offers of ``mask`` (Nelder–Mead on log β_distance, β_famille, β_popularité, log mean)."""
    offers = draws[0].offers
    template = start or draws[0].settings.choice
    began = time.perf_counter()
    x, y, history = nelder_mead(
        lambda v: _loss(draws, offers, mask, _from_vector(v, template)),
        _to_vector(template),
        np.array([0.5, 1.0, 0.4, 0.4]),
        max_evals=max_evals,
    )
    start_loss = history[0][1]  # the first vertex is the start
    best = _from_vector(x, template)
    if start_loss <= y:
        best, y = template, start_loss
    return Fit(best, y, start_loss, len(history), time.perf_counter() - began)


@dataclass(frozen=True)
class ScopeScores:
    """Held-out scores of the simulation and of the naive reference for one scope."""

    scope: str  # in English, for the docs
    libelle: str  # in French, for the terminal
    simulation: Scores
    baseline: Scores


@dataclass(frozen=True)
class CalibrationReport:
    fit: Fit
    train_offers: int
    heldout_offers: int
    pupils: int
    rows: tuple[ScopeScores, ...]
    fit_seeds: tuple[int, ...]
    eval_seeds: tuple[int, ...]
    split_seed: int
    seconds: float


def calibrate(
    offers: pl.DataFrame,
    origins: pl.DataFrame,
    *,
    settings: CohortSettings | None = None,
    start: ChoiceModel = START,
    fit_seeds: Sequence[int] = FIT_SEEDS,
    eval_seeds: Sequence[int] = EVAL_SEEDS,
    max_evals: int = 60,
    split_seed: int = SPLIT_SEED,
    region: str | None = AURA,
    region_label: str = "Auvergne-Rhône-Alpes",
) -> CalibrationReport:
    """Fit the choice model on the training offers of ``offers`` (the 1re pro offers, with
    their real assigned pupils) and score it on the held-out ones, for all of ``offers`` and for
    the offers of ``region`` — both within the whole simulation and with the région simulated
    alone, as scenarios do."""
    began = time.perf_counter()
    settings = settings or CohortSettings()
    mask = train_mask(offers.height, split_seed)
    geometry = cohort_geometry(offers, origins, settings)
    fit_draws = [draw_pupils(offers, origins, seed, geometry=geometry) for seed in fit_seeds]
    fit = fit_choice_model(fit_draws, mask, start, max_evals=max_evals)
    eval_draws = [draw_pupils(offers, origins, seed, geometry=geometry) for seed in eval_seeds]
    predicted = simulated_counts(eval_draws, fit.model)
    naive = baseline_counts(offers)
    heldout = ~mask
    rows = [
        ScopeScores(
            "France", "France", scores(offers, predicted, heldout), scores(offers, naive, heldout)
        )
    ]
    if region is not None:
        in_region = offers.select(territory_filter(region)).to_series().to_numpy()
        if in_region.any():
            part = heldout & in_region
            rows.append(
                ScopeScores(
                    f"{region_label}, in the national simulation",
                    f"{region_label}, dans la simulation nationale",
                    scores(offers, predicted, part),
                    scores(offers, naive, part),
                )
            )
            alone = offers.filter(pl.Series(in_region))
            shared = cohort_geometry(alone, origins, settings)
            alone_draws = [
                draw_pupils(alone, origins, seed, geometry=shared) for seed in eval_seeds
            ]
            rows.append(
                ScopeScores(
                    f"{region_label}, simulated alone",
                    f"{region_label}, simulée seule",
                    scores(alone, simulated_counts(alone_draws, fit.model), heldout[in_region]),
                    scores(alone, baseline_counts(alone), heldout[in_region]),
                )
            )
    return CalibrationReport(
        fit=fit,
        train_offers=int(mask.sum()),
        heldout_offers=int(heldout.sum()),
        pupils=int(offers.get_column("demandes_voeux_1").sum()),
        rows=tuple(rows),
        fit_seeds=tuple(fit_seeds),
        eval_seeds=tuple(eval_seeds),
        split_seed=split_seed,
        seconds=time.perf_counter() - began,
    )


def run(database_url: str, *, max_evals: int = 60) -> CalibrationReport:
    """The calibration on the 1re pro offers of the store at ``database_url``."""
    engine = open_store(database_url)
    try:
        with engine.connect() as conn:
            facts = stored_facts(conn, Perimeter.load(None))
            offers = premiere_offers(conn, facts)
            places = origins(conn)
    finally:
        engine.dispose()
    if offers.is_empty():
        raise NotFound("aucune offre de 1re professionnelle chargée (affelnet1PROspe.csv)")
    return calibrate(offers, places, max_evals=max_evals)
