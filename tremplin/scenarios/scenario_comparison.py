"""Before and after a scenario: both worlds solved on many cohorts, with confidence intervals.

For every seed, one cohort is drawn over all the offers of the :class:`~tremplin.assignment.
scenarios.Plan` and assigned twice (Affelnet barème), with the capacities before and after. The
figures are means over seeds with 95 % confidence intervals (Student's t over seeds; a
difference is paired seed by seed, so the spread of cohorts cancels out):

- pupils, placed, placed on their first wish and its rate, without a place; places offered and
  unfilled;
- who moves: pupils whose assignment changes, who get a place, lose it, get a better or a worse
  wish;

overall, per académie and département (of the pupil's collège or commune; of the offer for
places), per perimeter (of the pupil's first wish; of the offer) and per boursier status.
:func:`run_scenario` does it all from the store, for the CLI and the web app.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa
from numpy.typing import NDArray

from tremplin.assignment.affelnet import DEFAULT_BAREME, Bareme
from tremplin.assignment.engine import Outcome
from tremplin.assignment.results import Labels, summarise
from tremplin.diagnostic.facts import Facts
from tremplin.scenarios.cohorts import (
    Cohort,
    CohortSettings,
    cohort_geometry,
    entry_offers,
    generate_cohort,
    origins,
    premiere_offers,
)
from tremplin.scenarios.offer_demand import DemandModel, fit
from tremplin.scenarios.scenarios import Plan, Scenario, ScenarioError, prepare
from tremplin.scenarios.wish_moves import (
    before_in_new_lists,
    first_wish_counts,
    move_first_wishes,
)
from tremplin.store.derived import cached_frames, fingerprint

__all__ = [
    "GROUPS",
    "INDICATORS",
    "MOVES",
    "Comparison",
    "Estimate",
    "IndicatorComparison",
    "compare",
    "estimate",
    "run_scenario",
]

# Student's t quantiles (two-sided 95 %) for 1 to 30 degrees of freedom; 1.96 beyond.
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)  # fmt: skip


@dataclass(frozen=True)
class Estimate:
    """A mean over seeds and its 95 % confidence interval (``low`` = ``high`` = mean when
    there is one seed or no spread)."""

    mean: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "low": self.low, "high": self.high}

    @classmethod
    def from_dict(cls, data: Mapping[str, float] | None) -> Estimate | None:
        """The estimate :meth:`as_dict` wrote (None for None)."""
        if data is None:
            return None
        return cls(float(data["mean"]), float(data["low"]), float(data["high"]))


def estimate(values: Iterable[float]) -> Estimate | None:
    """Mean and 95 % interval of per-seed values (NaN left out; None when none is left)."""
    array = np.asarray([v for v in values if not math.isnan(v)], dtype=np.float64)
    if array.size == 0:
        return None
    mean = float(array.mean())
    if array.size < 2:
        return Estimate(mean, mean, mean)
    t = _T95[array.size - 2] if array.size - 1 <= len(_T95) else 1.96
    half = t * float(array.std(ddof=1)) / math.sqrt(array.size)
    return Estimate(mean, mean - half, mean + half)


INDICATORS: tuple[tuple[str, str], ...] = (
    ("eleves", "Élèves"),
    ("affectes", "Élèves affectés"),
    ("premier_voeu", "Affectés sur leur premier vœu"),
    ("taux_premier_voeu", "Taux d'affectation sur le premier vœu"),
    ("sans_affectation", "Élèves sans affectation"),
    ("capacite", "Places offertes"),
    ("places_vacantes", "Places vacantes"),
)
MOVES: tuple[tuple[str, str], ...] = (
    ("changent", "Élèves dont l'affectation change"),
    ("obtiennent_place", "Élèves qui obtiennent une place"),
    ("perdent_place", "Élèves qui perdent leur place"),
    ("meilleur_voeu", "Élèves affectés sur un meilleur vœu"),
    ("moins_bon_voeu", "Élèves affectés sur un moins bon vœu"),
)
RATES = {"taux_premier_voeu"}
GROUPS: tuple[tuple[str, str], ...] = (
    ("academie", "Académie"),
    ("departement", "Département"),
    ("perimetre", "Périmètre"),
    ("boursier", "Boursiers"),
)


@dataclass(frozen=True)
class IndicatorComparison:
    key: str
    label: str
    before: Estimate | None
    after: Estimate | None
    difference: Estimate | None

    def as_dict(self) -> dict[str, Any]:
        def value(e: Estimate | None) -> dict[str, float] | None:
            return None if e is None else e.as_dict()

        return {
            "key": self.key,
            "label": self.label,
            "before": value(self.before),
            "after": value(self.after),
            "difference": value(self.difference),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IndicatorComparison:
        """The indicator :meth:`as_dict` wrote."""
        return cls(
            str(data["key"]),
            str(data["label"]),
            Estimate.from_dict(data["before"]),
            Estimate.from_dict(data["after"]),
            Estimate.from_dict(data["difference"]),
        )


@dataclass(frozen=True)
class Comparison:
    """Before and after a scenario, over seeds: overall, per group, per changed offer."""

    scenario: Scenario
    palier: str
    territoire: str | None
    seeds: tuple[int, ...]
    pupils: int
    offers: int
    overall: tuple[IndicatorComparison, ...]
    groups: dict[str, dict[str, tuple[IndicatorComparison, ...]]]
    group_names: dict[str, dict[str, str]]
    changed_offers: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.as_dict(),
            "palier": self.palier,
            "territoire": self.territoire,
            "seeds": list(self.seeds),
            "pupils": self.pupils,
            "offers": self.offers,
            "indicators": [i.as_dict() for i in self.overall],
            "groups": {
                kind: [
                    {
                        "code": code,
                        "name": self.group_names.get(kind, {}).get(code, code),
                        "indicators": [i.as_dict() for i in rows],
                    }
                    for code, rows in labels.items()
                ]
                for kind, labels in self.groups.items()
            },
            "changed_offers": list(self.changed_offers),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Comparison:
        """The comparison :meth:`as_dict` wrote (as a job keeps it in the store, as JSON)."""
        groups: dict[str, dict[str, tuple[IndicatorComparison, ...]]] = {}
        names: dict[str, dict[str, str]] = {}
        for kind, rows in data["groups"].items():
            groups[kind] = {
                str(row["code"]): tuple(IndicatorComparison.from_dict(i) for i in row["indicators"])
                for row in rows
            }
            names[kind] = {str(row["code"]): str(row["name"]) for row in rows}
        return cls(
            scenario=Scenario.from_mapping(data["scenario"]),
            palier=str(data["palier"]),
            territoire=data["territoire"],
            seeds=tuple(int(seed) for seed in data["seeds"]),
            pupils=int(data["pupils"]),
            offers=int(data["offers"]),
            overall=tuple(IndicatorComparison.from_dict(i) for i in data["indicators"]),
            groups=groups,
            group_names=names,
            changed_offers=tuple(dict(offer) for offer in data["changed_offers"]),
        )


Values = dict[tuple[str, str, str], tuple[float, float]]


def _labels_of(values: pl.Series) -> Labels:
    """:meth:`Labels.of` a text column without nulls, through polars: sorted names, each row's
    index among them (the same as numpy's, many times faster on strings)."""
    names = sorted(values.unique().to_list())
    inverse = values.cast(pl.Enum(names)).to_physical().to_numpy().astype(np.intp)
    return Labels(tuple(names), inverse)


def _values(
    outcome: Outcome, pupil_groups: Mapping[str, Labels], formation_groups: Mapping[str, Labels]
) -> tuple[dict[tuple[str, str], dict[str, float]], dict[tuple[str, str], dict[str, float]]]:
    """The pupils' indicators and the places' indicators of ``outcome``, overall and per
    group."""
    summary = summarise(outcome, pupil_groups=pupil_groups, formation_groups=formation_groups)
    pupils: dict[tuple[str, str], dict[str, float]] = {}
    items = [(("", ""), summary.pupils)] + [
        ((kind, label), s)
        for kind, labels in summary.by_pupil_group.items()
        for label, s in labels.items()
    ]
    for key, s in items:
        share = s.share_first_wish
        pupils[key] = {
            "eleves": s.pupils,
            "affectes": s.placed,
            "premier_voeu": s.first_wish,
            "taux_premier_voeu": math.nan if share is None else share,
            "sans_affectation": s.unplaced,
        }
    places = [(("", ""), summary.places)] + [
        ((kind, label), s)
        for kind, labels in summary.by_formation_group.items()
        for label, s in labels.items()
    ]
    return pupils, {
        key: {"capacite": s.capacity, "places_vacantes": s.unfilled} for key, s in places
    }


def _moves(
    before: Outcome, after: Outcome, groups: Mapping[str, Labels], before_rank: NDArray[np.int64]
) -> dict[tuple[str, str], dict[str, float]]:
    b, a = before_rank, after.rank
    flags = {
        "obtiennent_place": (b < 0) & (a >= 0),
        "perdent_place": (b >= 0) & (a < 0),
        "meilleur_voeu": (b >= 0) & (a >= 0) & (a < b),
        "moins_bon_voeu": (b >= 0) & (a >= 0) & (a > b),
    }
    flags["changent"] = before.formation != after.formation
    out = {("", ""): {k: float(v.sum()) for k, v in flags.items()}}
    for kind, labels in groups.items():
        for k, v in flags.items():
            counts = np.bincount(labels.inverse, weights=v, minlength=len(labels.names))
            for code, count in zip(labels.names, counts, strict=True):
                out.setdefault((kind, code), {})[k] = float(count)
    return out


SeedValues = tuple[dict[tuple[str, str], dict[str, float]], ...]


def _seed_values(
    cohort: Cohort, plan: Plan, bareme: Bareme, formation_groups: Mapping[str, Labels]
) -> tuple[int, SeedValues, tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]]:
    """One seed: its number of pupils; the pupils' indicators before and after, the places'
    before and after, the moves; each offer's fill before and after, and its first wishes
    after (the plan's moves applied to the cohort)."""
    p = cohort.pupils.select(
        pl.col("code_academie").fill_null("?").alias("academie"),
        pl.col("code_departement").fill_null("?").alias("departement"),
        pl.when(pl.col("industrie_premier_voeu").fill_null(False))
        .then(pl.lit("industrie"))
        .otherwise(pl.lit("hors industrie"))
        .alias("perimetre"),
        pl.when(pl.col("boursier"))
        .then(pl.lit("boursier"))
        .otherwise(pl.lit("non boursier"))
        .alias("boursier"),
    )
    pupil_groups = {name: _labels_of(p.get_column(name)) for name in p.columns}
    moved = move_first_wishes(cohort, plan.moves, cohort.seed)
    before, after = cohort.solve(None, bareme), moved.solve(plan.after, bareme)
    # Better or worse is read in each pupil's list after the change (moved pupils ask first
    # for another offer).
    rank = before.rank if moved is cohort else before_in_new_lists(before, cohort, moved)
    pupils_before, places_before = _values(before, pupil_groups, formation_groups)
    pupils_after, places_after = _values(after, pupil_groups, formation_groups)
    values = (
        pupils_before, pupils_after, places_before, places_after,
        _moves(before, after, pupil_groups, rank),
    )  # fmt: skip
    count = plan.offers.height
    fills = (
        np.bincount(before.formation[before.placed], minlength=count),
        np.bincount(after.formation[after.placed], minlength=count),
        first_wish_counts(moved),
    )
    return cohort.instance.n_pupils, values, fills


def compare(
    plan: Plan,
    origin_frame: pl.DataFrame,
    seeds: Sequence[int],
    *,
    scenario: Scenario,
    palier: str,
    territoire: str | None,
    settings: CohortSettings | None = None,
    bareme: Bareme = DEFAULT_BAREME,
    group_names: Mapping[str, Mapping[str, str]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Solve the plan before and after on the cohorts of ``seeds`` and summarise."""
    if not seeds:
        raise ScenarioError("au moins une graine est nécessaire")
    offers = plan.offers
    formation_groups = {
        "academie": Labels.of(offers.get_column("code_academie").fill_null("?").to_list()),
        "departement": Labels.of(offers.get_column("code_departement").fill_null("?").to_list()),
        "perimetre": Labels.of(
            [
                "industrie" if v else "hors industrie"
                for v in offers.get_column("industrie").fill_null(False)
            ]
        ),
    }
    per_seed: list[SeedValues] = []
    fills: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]] = []
    pupils = 0
    geometry = cohort_geometry(offers, origin_frame, settings)

    def draw(seed: int) -> Cohort:
        return generate_cohort(offers, origin_frame, seed, geometry=geometry)

    # The next seed's cohort is drawn in a thread while this one is solved and summarised: the
    # compiled parts of both release the GIL. Each cohort depends on its seed only.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tremplin-cohorte") as pool:
        upcoming = pool.submit(draw, seeds[0])
        for n in range(len(seeds)):
            cohort = upcoming.result()
            if n + 1 < len(seeds):
                upcoming = pool.submit(draw, seeds[n + 1])
            pupils, seed_values, seed_fills = _seed_values(cohort, plan, bareme, formation_groups)
            per_seed.append(seed_values)
            fills.append(seed_fills)
            if progress is not None:
                progress(n + 1)
    keys = sorted({k for seed in per_seed for part in seed for k in part})
    table: dict[tuple[str, str], tuple[IndicatorComparison, ...]] = {}
    for key in keys:
        rows: list[IndicatorComparison] = []
        for indicator, label in INDICATORS:
            side = 2 if indicator in {"capacite", "places_vacantes"} else 0
            if not any(key in s[side] for s in per_seed):
                continue
            missing = math.nan if indicator in RATES else 0.0
            b = [s[side].get(key, {}).get(indicator, missing) for s in per_seed]
            a = [s[side + 1].get(key, {}).get(indicator, missing) for s in per_seed]
            rows.append(
                IndicatorComparison(
                    indicator, label, estimate(b), estimate(a), estimate(np.subtract(a, b))
                )
            )
        if any(key in s[4] for s in per_seed):
            for indicator, label in MOVES:
                d = [s[4].get(key, {}).get(indicator, 0.0) for s in per_seed]
                rows.append(IndicatorComparison(indicator, label, None, None, estimate(d)))
        table[key] = tuple(rows)
    groups: dict[str, dict[str, tuple[IndicatorComparison, ...]]] = {}
    for (kind, code), rows_ in table.items():
        if kind:
            groups.setdefault(kind, {})[code] = rows_
    changed = []
    for i in plan.changed.tolist():
        row = offers.row(i, named=True)
        changed.append(
            {
                "formation_id": row["formation_id"],
                "uai": row["uai"],
                "etablissement": row["etablissement"],
                "commune": row["commune"],
                "mef_stat_11": row["mef_stat_11"],
                "libelle": row["libelle"],
                "capacity_before": int(plan.before[i]),
                "capacity_after": int(plan.after[i]),
                "first_wishes": int(row["demandes_voeux_1"]),
                # Demand follows the offer: first wishes after the change, mean over seeds.
                "voeux_1_estimes": float(np.mean([f[2][i] for f in fills])),
                "filled_before": _as_dict(estimate(float(f[0][i]) for f in fills)),
                "filled_after": _as_dict(estimate(float(f[1][i]) for f in fills)),
            }
        )
    return Comparison(
        scenario=scenario,
        palier=palier,
        territoire=territoire,
        seeds=tuple(seeds),
        pupils=pupils,
        offers=offers.height,
        overall=table.get(("", ""), ()),
        groups=groups,
        group_names={k: dict(v) for k, v in (group_names or {}).items()},
        changed_offers=tuple(changed),
    )


def _as_dict(value: Estimate | None) -> dict[str, float] | None:
    return None if value is None else value.as_dict()


def palier_of(scenario: Scenario, entry: pl.DataFrame, premiere: Callable[[], pl.DataFrame]) -> str:
    """The scenario's palier, else the one whose offers hold all its MEF: « 3e » (entry into
    the voie pro, ``entry``), else « 2nde » (1re pro specialities, ``premiere``, read lazily)."""
    if scenario.palier is not None:
        return scenario.palier
    mefs = {c.mef_stat_11 for c in scenario.changements} | {
        c.vers_mef_stat_11 for c in scenario.changements if c.vers_mef_stat_11
    }
    if mefs <= set(entry.get_column("mef_stat_11").to_list()):
        return "3e"
    if mefs <= set(premiere().get_column("mef_stat_11").drop_nulls().to_list()):
        return "2nde"
    raise ScenarioError("palier introuvable pour ces MEF : préciser palier = « 3e » ou « 2nde »")


SCENARIO_INPUTS_VERSION = "1"
"""Bump when the 1re pro offers or the origins of pupils change what they hold."""


def _stored(
    conn: sa.Connection, facts: Facts, name: str, build: Callable[[], pl.DataFrame]
) -> pl.DataFrame:
    # Derived from the store and the facts only: kept in the store with the facts' fingerprint.
    if not facts.key:
        return build()
    key = fingerprint(facts.key, SCENARIO_INPUTS_VERSION)
    return cached_frames(conn, (name,), key, lambda: {name: build()})[name]


def stored_premiere_offers(conn: sa.Connection, facts: Facts) -> pl.DataFrame:
    """:func:`premiere_offers`, stored with the facts when they are stored."""
    return _stored(conn, facts, "scenarios.offres_1re_pro", lambda: premiere_offers(conn, facts))


def stored_origins(conn: sa.Connection, facts: Facts) -> pl.DataFrame:
    """:func:`origins` of the store, stored with the facts when they are stored."""
    return _stored(conn, facts, "scenarios.origines", lambda: origins(conn))


def build_scenario_inputs(engine: sa.Engine, facts: Facts) -> None:
    """Build and store, if they are not yet, the 1re pro offers, the pupils' origins and the
    demand model of each palier of the store ``facts`` were read from (what
    :func:`run_scenario` reads)."""
    with engine.connect() as conn:
        premiere = stored_premiere_offers(conn, facts)
        stored_origins(conn, facts)
        demand_model(facts, "3e", entry_offers(facts), conn)
        demand_model(facts, "2nde", premiere, conn)


DEMAND_SAMPLE = 2000
"""Offers the demand model is fitted on (a sample drawn with a fixed seed: a few seconds)."""


def demand_model(
    facts: Facts, palier: str, offers: pl.DataFrame, conn: sa.Connection | None = None
) -> DemandModel:
    """The demand model fitted on the palier's ``offers`` (a sample of :data:`DEMAND_SAMPLE`),
    kept with the facts (their memo) for the next scenario and, with ``conn``, in the store
    beside them (a fit takes about 2 s: a cold command reads it instead)."""

    def fitted() -> pl.DataFrame:
        return pl.DataFrame({"coefficient": list(fit(offers, sample=DEMAND_SAMPLE).coefficients)})

    def build() -> pl.DataFrame:
        if conn is None or not facts.key:
            return fitted()
        key = fingerprint(facts.key, SCENARIO_INPUTS_VERSION, DEMAND_VERSION)
        name = f"scenarios.demande.{palier}"
        return cached_frames(conn, (name,), key, lambda: {name: fitted()})[name]

    key = ("scenarios.demande", palier, DEMAND_VERSION)
    coefficients = facts.memoised(key, build).get_column("coefficient").to_list()
    return DemandModel(coefficients=tuple(float(c) for c in coefficients))


DEMAND_VERSION = "1"
"""Bump when the demand model's features or fit change."""


def run_scenario(
    conn: sa.Connection,
    facts: Facts,
    scenario: Scenario,
    *,
    territoire: str | None = None,
    seeds: Sequence[int] = tuple(range(1, 21)),
    settings: CohortSettings | None = None,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Everything from the store: the palier's offers (given by the scenario, else by its
    MEF: entry year → « 3e », 1re pro → « 2nde »), origins, the plan, the comparison.
    ``territoire`` (default: the scenario's) is a spec such as « region:84 »."""
    cache: dict[str, pl.DataFrame] = {}

    def entry() -> pl.DataFrame:
        if "entry" not in cache:
            cache["entry"] = entry_offers(facts)
        return cache["entry"]

    def premiere() -> pl.DataFrame:
        if "offers" not in cache:
            cache["offers"] = stored_premiere_offers(conn, facts)
        return cache["offers"]

    # The entry-year offers are computed only when the palier asks for them.
    palier = scenario.palier or palier_of(scenario, entry(), premiere)
    offers = entry() if palier == "3e" else premiere()
    territory = territoire if territoire is not None else scenario.territoire
    plan = prepare(
        scenario,
        offers,
        facts.etablissements,
        territory,
        demand_model(facts, palier, offers, conn),
    )
    names: dict[str, dict[str, str]] = {"perimetre": {}, "boursier": {}}
    for maille in ("academie", "departement"):
        rows = facts.territoires.filter(pl.col("maille") == maille).select("code", "nom")
        names[maille] = {str(c): str(n) for c, n in rows.iter_rows()}
    return compare(
        plan,
        stored_origins(conn, facts),
        seeds,
        scenario=scenario,
        palier=palier,
        territoire=territory,
        settings=settings,
        group_names=names,
        progress=progress,
    )
