"""The optimiser: which sections to open or close to serve young people and companies best.

A mixed-integer programme solved by HiGHS (``highspy``), over the offers of a territory's carte
(:mod:`~tremplin.planning.carte`); docs/optimiser.md gives the model in full.

**Candidates**: the offers of the perimeter asked, and openings of a formation in a lycée that
lacks it (:mod:`~tremplin.planning.openings`: 0 places, sharing the pupils turned away nearby
with the offers around, ``Problem.pools``).

**Variables**, per candidate offer *i*: ``up_i`` sections added
(integer, 0 … ``sections_max_par_offre``), ``dn_i`` one section removed (binary; it removes
``r_i = min(pas_i, places_i)`` places, so a one-section offer closes); ``y_i`` the youth demand the
added places serve (0 ≤ y_i ≤ unmet demand, y_i ≤ pas_i · up_i). Per département × FAP 86 family
of the industrial perimeter with BMO projects, ``v_g`` the recruitment need served.

**Objective** (maximised), in places: ``poids_jeunes · (Σ y_i − Σ perdu_i · dn_i)
+ poids_besoins · Σ v_g + poids_insertion · Σ ins_i · Δ_i``, where ``perdu_i`` is the demand a
removed section was serving (the removed places beyond the offer's vacant ones), ``v_g ≤
manque_g`` (the BMO projects × ``part_besoins_formation``, plus companies' open declared people
× ``part_besoins_declares`` capped at those projects, not covered by the weighted places),
``v_g ≤ Σ_i poids_ig Δ_i + surplus_g`` (places in excess of the need can go at no cost),
``ins_i`` the offer's taux d'emploi à 6 mois minus the candidates' mean, as a fraction (0 when
unknown: a place at 20 points above the mean counts 0,2), ``Δ_i = pas_i · up_i − r_i · dn_i``;
minus a tie-break of 0,001 per place changed, so that a change that serves nothing is never
proposed.

**Constraints**: net places ``Σ Δ_i ≤ budget_places``; sections changed ``Σ up_i + dn_i ≤
sections_max``; per establishment ``≤ sections_max_par_etablissement``; an offer whose pressure is
at least ``plancher_pression`` is never reduced (the floor); a section closes only where an offer
of the same level and famille (else NSF group) stays within ``distance_max_km`` (pupils' travel);
the planner's locks (``places_apres`` of an offer, in steps of its section) and forbidden offers.

:func:`optimise` solves; it first checks the locks against the budget, the limits and the floors
and names the conflicting constraints (:class:`Infeasible`; when HiGHS finds the programme
infeasible all the same, a deletion filter over the constraint groups names them);
:func:`trade_off` sweeps the weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import highspy
import numpy as np
import polars as pl
from numpy.typing import NDArray

from tremplin.errors import InputError
from tremplin.formats import format_decimal
from tremplin.geo import haversine_km
from tremplin.planning.carte import Carte
from tremplin.planning.declared import no_cells
from tremplin.planning.openings import openings
from tremplin.planning.reasons import reason

__all__ = [
    "PERIMETRES",
    "Change",
    "Infeasible",
    "Lock",
    "Problem",
    "Settings",
    "Solution",
    "optimise",
    "problem",
    "trade_off",
]

PERIMETRES = ("industrie", "tous")
_TIE = 0.001


class Infeasible(InputError):
    """No carte satisfies the request; ``conflicts`` names the constraints (in French)."""

    def __init__(self, conflicts: Sequence[str]) -> None:
        super().__init__(
            "demande impossible : " + " ; ".join(conflicts),
            where=["contraintes"],
            expected="des verrous compatibles avec le budget, les limites et les planchers",
        )
        self.conflicts = tuple(conflicts)


@dataclass(frozen=True)
class Lock:
    """The planner fixes an offer's places after (``None``: the offer may not change)."""

    uai: str
    mef_stat_11: str
    statut: str = "scolaire"
    places_apres: int | None = None


@dataclass(frozen=True)
class Settings:
    """The budget, limits and weights of a run (defaults documented in docs/optimiser.md)."""

    perimetre: str = "industrie"
    budget_places: int = 0
    sections_max: int = 40
    sections_max_par_etablissement: int = 2
    sections_max_par_offre: int = 1
    ouvertures_max_par_lycee: int = 2
    plancher_pression: float = 1.0
    distance_max_km: float = 30.0
    part_besoins_formation: float = 0.25
    part_besoins_declares: float = 0.5
    poids_jeunes: float = 1.0
    poids_besoins: float = 1.0
    poids_insertion: float = 1.0
    ecart_relatif: float = 0.005
    secondes_max: float = 60.0
    verrous: tuple[Lock, ...] = ()
    interdits: tuple[Lock, ...] = ()

    def __post_init__(self) -> None:
        if self.perimetre not in PERIMETRES:
            raise InputError(
                f"périmètre inconnu : {self.perimetre}",
                where=["perimetre"],
                expected=" ou ".join(PERIMETRES),
            )
        for name in (
            "sections_max",
            "sections_max_par_etablissement",
            "sections_max_par_offre",
            "ouvertures_max_par_lycee",
        ):
            if getattr(self, name) < 0:
                raise InputError(
                    f"{name} ne peut pas être négatif", where=[name], expected="un entier ≥ 0"
                )
        for name in ("poids_jeunes", "poids_besoins", "poids_insertion", "part_besoins_declares"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise InputError(
                    f"{name} doit être un nombre positif", where=[name], expected="un nombre ≥ 0"
                )


@dataclass(frozen=True, eq=False)
class Problem:
    """The arrays of the programme for one carte and perimeter (built once, solved many times
    with other weights, locks and budgets)."""

    offers: pl.DataFrame  # the candidate offers, in the order of the arrays
    step: NDArray[np.int64]
    places: NDArray[np.int64]
    removable: NDArray[np.int64]  # r_i
    unmet: NDArray[np.float64]  # demand beyond places
    lost: NDArray[np.float64]  # demand a removed section was serving
    insertion: NDArray[np.float64]
    may_reduce: NDArray[np.bool_]  # floor and travel allow a reduction
    floor_blocks: NDArray[np.bool_]
    travel_blocks: NDArray[np.bool_]
    establishment: NDArray[np.int64]
    group_need: NDArray[np.float64]  # manque_g
    group_surplus: NDArray[np.float64]
    group_keys: tuple[tuple[str, str], ...]
    group_declared: NDArray[np.float64]  # declared people counted (capped at BMO's projects)
    weight_rows: NDArray[np.int64]  # (offer, group) pairs with their weight
    weight_groups: NDArray[np.int64]
    weight_values: NDArray[np.float64]
    settings: Settings = field(default_factory=Settings)
    declared: pl.DataFrame = field(default_factory=no_cells)  # the territory's declared cells
    pools: tuple[tuple[tuple[int, ...], tuple[int, ...], float], ...] = ()  # see _pools

    def declared_read(self) -> dict[str, int]:
        """The declared needs the run read in its territory: needs, people, companies, and the
        people counted in the objective (capped at BMO's projects of their cell)."""
        d = self.declared
        companies = d.get_column("entreprises").explode().drop_nulls().n_unique() if d.height else 0
        return {
            "besoins": int(d.get_column("besoins").sum()),
            "personnes": int(d.get_column("personnes").sum()),
            "entreprises": int(companies),
            "personnes_comptees": round(float(self.group_declared.sum())),
        }


def problem(carte: Carte, settings: Settings, declared: pl.DataFrame | None = None) -> Problem:
    """The programme's data (see the module) for ``carte`` and ``settings``; ``declared``: the
    open declared needs per département × FAP 86 (:func:`~tremplin.planning.declared.
    declared_cells`; None: none)."""
    offers = carte.offres
    departements = offers.get_column("code_departement").drop_nulls().unique().to_list()
    cells = (declared if declared is not None else no_cells()).filter(
        pl.col("code_departement").is_in(departements)
    )
    if settings.perimetre == "industrie":
        candidates = offers.filter(pl.col("industrie").fill_null(False))
    else:
        candidates = offers
    if candidates.is_empty():
        raise InputError("aucune offre candidate dans ce périmètre", where=["perimetre"])
    known_demand = candidates.get_column("demande").fill_null(np.nan).to_numpy()
    turned_away = np.where(
        np.isfinite(known_demand),
        np.maximum(known_demand - candidates.get_column("capacite").to_numpy(), 0.0),
        0.0,
    )
    opened, opened_trades = openings(carte, candidates, turned_away, settings)
    metiers = carte.metiers
    pools: tuple[tuple[tuple[int, ...], tuple[int, ...], float], ...] = ()
    if opened.height:
        first = candidates.height
        pools = _pools(opened, first, turned_away)
        candidates = pl.concat([candidates, opened.drop("voisins")], how="diagonal_relaxed")
        metiers = pl.concat([metiers, opened_trades], how="vertical_relaxed")
    step = candidates.get_column("pas").to_numpy().astype(np.int64)
    places = candidates.get_column("capacite").to_numpy().astype(np.int64)
    demand = candidates.get_column("demande").fill_null(np.nan).to_numpy().astype(np.float64)
    known = np.isfinite(demand)
    served = np.where(known, np.minimum(demand, places), places)
    removable = np.minimum(step, places)
    unmet = np.where(known, np.maximum(demand - places, 0.0), 0.0)
    vacant = places - served
    lost = np.maximum(removable - vacant, 0.0)
    rate = candidates.get_column("taux_emploi").fill_null(np.nan).to_numpy().astype(np.float64)
    mean_rate = float(np.nanmean(rate)) if np.isfinite(rate).any() else 0.0
    insertion = np.where(np.isfinite(rate), rate - mean_rate, 0.0)
    pressure = np.where(known, demand / np.maximum(places, 1), 0.0)
    floor_blocks = known & (pressure >= settings.plancher_pression)
    travel_blocks = _alone(offers, candidates, settings.distance_max_km)
    may_reduce = ~floor_blocks & ~travel_blocks & (places > 0)
    uais = candidates.get_column("uai").to_list()
    index = {u: k for k, u in enumerate(sorted(set(uais)))}
    establishment = np.asarray([index[u] for u in uais], dtype=np.int64)
    groups, rows, cols, values, need, surplus, counted = _groups(
        carte, metiers, candidates, settings, cells
    )
    return Problem(
        offers=candidates,
        step=step,
        places=places,
        removable=removable,
        unmet=unmet,
        lost=lost,
        insertion=insertion,
        may_reduce=may_reduce,
        floor_blocks=floor_blocks,
        travel_blocks=travel_blocks,
        establishment=establishment,
        group_need=need,
        group_surplus=surplus,
        group_keys=groups,
        group_declared=counted,
        weight_rows=rows,
        weight_groups=cols,
        weight_values=values,
        settings=settings,
        declared=cells,
        pools=pools,
    )


def _pools(
    opened: pl.DataFrame, first: int, unmet: NDArray[np.float64]
) -> tuple[tuple[tuple[int, ...], tuple[int, ...], float], ...]:
    """(openings, offers, pupils): rows ``Σ y_openings + Σ y_offers ≤ pupils`` — each opening
    with its neighbours and their pupils turned away, and the openings of one famille × département
    with the union of their neighbours (``first``: the first opening's row)."""
    out: list[tuple[tuple[int, ...], tuple[int, ...], float]] = []
    union: dict[tuple[str, str], tuple[list[int], set[int]]] = {}
    for n, (near, key, dep) in enumerate(
        opened.select("voisins", "proches", "code_departement").iter_rows()
    ):
        mine = tuple(int(j) for j in near)
        out.append(((first + n,), mine, float(unmet[list(mine)].sum())))
        shared = union.setdefault((str(key), str(dep)), ([], set()))
        shared[0].append(first + n)
        shared[1].update(mine)
    for rows, offers in union.values():
        if len(rows) > 1:
            ordered = tuple(sorted(offers))
            out.append((tuple(rows), ordered, float(unmet[list(ordered)].sum())))
    return tuple(out)


def _alone(offers: pl.DataFrame, candidates: pl.DataFrame, km: float) -> NDArray[np.bool_]:
    """Candidates with no other offer of the same level and famille within ``km``."""
    out = np.ones(candidates.height, dtype=np.bool_)
    cand = candidates.with_row_index("ligne")
    for (key,), members in cand.group_by("proches"):
        same = offers.filter(pl.col("proches") == key)
        lat = same.get_column("latitude").cast(pl.Float64).fill_null(np.nan).to_numpy()
        lon = same.get_column("longitude").cast(pl.Float64).fill_null(np.nan).to_numpy()
        ids = (same.get_column("uai") + ":" + same.get_column("mef_stat_11")).to_numpy()
        m_lat = members.get_column("latitude").cast(pl.Float64).fill_null(np.nan).to_numpy()
        m_lon = members.get_column("longitude").cast(pl.Float64).fill_null(np.nan).to_numpy()
        m_ids = (members.get_column("uai") + ":" + members.get_column("mef_stat_11")).to_numpy()
        d = haversine_km(m_lat[:, None], m_lon[:, None], lat[None, :], lon[None, :])
        near = (np.nan_to_num(d, nan=np.inf) <= km) & (m_ids[:, None] != ids[None, :])
        out[members.get_column("ligne").to_numpy()] = ~near.any(axis=1)
    return out


def _groups(
    carte: Carte,
    metiers: pl.DataFrame,
    candidates: pl.DataFrame,
    settings: Settings,
    declared: pl.DataFrame,
) -> tuple[
    tuple[tuple[str, str], ...],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
]:
    """Départements × FAP 86 families of the industrial perimeter with BMO projects or declared
    needs: the need left (projects × share + declared people × their share, the people capped
    at the cell's projects when BMO knows them, − weighted places) or the surplus, the declared
    people counted, and each candidate's weights (``metiers``: the carte's, and the openings')."""
    weights = metiers.filter(pl.col("industrie"))
    placed = (
        weights.join(carte.offres.select("offre", "capacite"), on="offre")
        .group_by("code_departement", "fap86")
        .agg((pl.col("poids") * pl.col("capacite")).sum().alias("places"))
    )
    industrial = weights.get_column("fap86").unique().to_list()
    cells = declared.filter(pl.col("fap86").is_in(industrial)).select(
        "code_departement", "fap86", pl.col("personnes").cast(pl.Float64).alias("declares")
    )
    bmo = carte.besoins.filter(pl.col("industrie")).select("code_departement", "fap86", "projets")
    counted = (
        pl.when(pl.col("declares").is_null())
        .then(0.0)
        .when(pl.col("projets").is_null())
        .then(pl.col("declares"))
        .otherwise(pl.min_horizontal("declares", "projets"))
    )
    needs = (
        bmo.join(cells, on=["code_departement", "fap86"], how="full", coalesce=True)
        .join(placed, on=["code_departement", "fap86"], how="left")
        .with_columns(pl.col("places").fill_null(0.0), counted.alias("comptes"))
        .with_columns(
            (
                pl.col("projets").fill_null(0.0) * settings.part_besoins_formation
                + pl.col("comptes") * settings.part_besoins_declares
            ).alias("besoin")
        )
        .sort("code_departement", "fap86")
    )
    keys = tuple((str(d), str(f)) for d, f in needs.select("code_departement", "fap86").iter_rows())
    need = np.maximum(needs["besoin"].to_numpy() - needs["places"].to_numpy(), 0.0)
    surplus = np.maximum(needs["places"].to_numpy() - needs["besoin"].to_numpy(), 0.0)
    group_of = {k: g for g, k in enumerate(keys)}
    cand = candidates.select("offre").with_row_index("ligne")
    pairs = (
        weights.join(cand, on="offre")
        .group_by("ligne", "code_departement", "fap86")
        .agg(pl.col("poids").sum())
        .sort("ligne", "code_departement", "fap86")
    )
    rows, cols, values = [], [], []
    for line, dep, fap, w in pairs.iter_rows():
        g = group_of.get((str(dep), str(fap)))
        if g is not None and w > 1e-9:  # HiGHS drops smaller coefficients
            rows.append(line)
            cols.append(g)
            values.append(float(w))
    return (
        keys,
        np.asarray(rows, dtype=np.int64),
        np.asarray(cols, dtype=np.int64),
        np.asarray(values, dtype=np.float64),
        need.astype(np.float64),
        surplus.astype(np.float64),
        needs["comptes"].to_numpy().astype(np.float64),
    )


@dataclass(frozen=True)
class Change:
    uai: str
    mef_stat_11: str
    statut: str
    libelle: str
    etablissement: str | None
    commune: str | None
    places_avant: int
    places_apres: int
    raison: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "uai": self.uai,
            "mef_stat_11": self.mef_stat_11,
            "statut": self.statut,
            "libelle": self.libelle,
            "etablissement": self.etablissement,
            "commune": self.commune,
            "places_avant": self.places_avant,
            "places_apres": self.places_apres,
            "raison": self.raison,
        }


@dataclass(frozen=True)
class Solution:
    changes: tuple[Change, ...]
    objective: float
    components: dict[str, float]
    gap: float
    seconds: float
    status: str
    candidates: int
    declared: dict[str, int] = field(default_factory=dict)  # Problem.declared_read

    def as_dict(self) -> dict[str, Any]:
        return {
            "changes": [c.as_dict() for c in self.changes],
            "objective": self.objective,
            "components": dict(self.components),
            "gap": self.gap,
            "seconds": self.seconds,
            "status": self.status,
            "candidates": self.candidates,
            "besoins_declares": dict(self.declared),
        }


def _locked(p: Problem, locks: Iterable[Lock]) -> dict[int, tuple[int, int]]:
    """Candidate row → fixed (up, dn) for each lock; raises on a lock that names no candidate
    or places not reachable in steps of the section."""
    keys = {
        (u, m, s): k
        for k, (u, m, s) in enumerate(p.offers.select("uai", "mef_stat_11", "statut").iter_rows())
    }
    out: dict[int, tuple[int, int]] = {}
    for lock in locks:
        k = keys.get((lock.uai, lock.mef_stat_11, lock.statut))
        if k is None:
            raise InputError(
                f"l'offre {lock.uai} × {lock.mef_stat_11} ({lock.statut}) n'est pas candidate",
                where=["verrous"],
                expected="une offre du territoire et du périmètre",
            )
        after = int(p.places[k]) if lock.places_apres is None else lock.places_apres
        delta = after - int(p.places[k])
        if delta == 0:
            out[k] = (0, 0)
        elif delta == -int(p.removable[k]):
            out[k] = (0, 1)
        elif delta > 0 and delta % int(p.step[k]) == 0:
            out[k] = (delta // int(p.step[k]), 0)
        else:
            raise InputError(
                f"l'offre {lock.uai} × {lock.mef_stat_11} : {after} places après n'est pas "
                f"atteignable par sections de {int(p.step[k])} places",
                where=["verrous"],
                expected=f"{int(p.places[k])} ± une section",
            )
    return out


def conflicts(p: Problem, settings: Settings) -> list[str]:
    """The constraints the locks contradict, in French (empty when none is found)."""
    fixed = _locked(p, settings.verrous)
    out: list[str] = []
    net = sum(int(p.step[k]) * u - int(p.removable[k]) * d for k, (u, d) in fixed.items())
    free = [k for k in range(p.offers.height) if k not in fixed]
    sections = sum(u + d for u, d in fixed.values())
    # The fewest net places reachable: the largest sections that may close, as many as the
    # limit of sections changed leaves (the limit per establishment makes it fewer still).
    closable = sorted((int(p.removable[k]) for k in free if p.may_reduce[k]), reverse=True)
    lowest = net - sum(closable[: max(settings.sections_max - sections, 0)])
    if lowest > settings.budget_places:
        out.append(
            f"budget de places nettes ({settings.budget_places}) < places nettes imposées par les "
            f"verrous ({net}), même en fermant les plus grandes sections qui peuvent l'être dans "
            f"la limite de {settings.sections_max} sections modifiées ({lowest})"
        )
    if sections > settings.sections_max:
        out.append(
            f"sections modifiées par les verrous ({sections}) > maximum ({settings.sections_max})"
        )
    per: dict[int, int] = {}
    for k, (u, d) in fixed.items():
        per[int(p.establishment[k])] = per.get(int(p.establishment[k]), 0) + u + d
        if u > settings.sections_max_par_offre:
            out.append(
                f"verrou {p.offers['uai'][k]} × {p.offers['mef_stat_11'][k]} : {u} sections > "
                f"maximum par offre ({settings.sections_max_par_offre})"
            )
        if d and p.floor_blocks[k]:
            out.append(
                f"verrou {p.offers['uai'][k]} × {p.offers['mef_stat_11'][k]} : baisse d'une offre "
                f"au-dessus du plancher de pression ({settings.plancher_pression:.2f})"
            )
        if d and p.travel_blocks[k]:
            out.append(
                f"verrou {p.offers['uai'][k]} × {p.offers['mef_stat_11'][k]} : baisse sans offre "
                f"proche à moins de {settings.distance_max_km:.0f} km (déplacement des élèves)"
            )
    for e, count in per.items():
        if count > settings.sections_max_par_etablissement:
            uai = p.offers["uai"][int(np.flatnonzero(p.establishment == e)[0])]
            out.append(
                f"établissement {uai} : {count} sections verrouillées > maximum par établissement "
                f"({settings.sections_max_par_etablissement})"
            )
    return out


GROUPS = ("budget", "sections", "etablissements", "plancher", "deplacement", "verrous", "interdits")
"""The constraint groups the deletion filter of :func:`_conflicting` lifts one at a time."""


def _group_name(group: str, s: Settings) -> str:
    km = format_decimal(s.distance_max_km, 0)
    return {
        "budget": f"le budget de places nettes ({s.budget_places})",
        "sections": f"le maximum de {s.sections_max} sections modifiées",
        "etablissements": (
            f"le maximum de {s.sections_max_par_etablissement} sections modifiées par établissement"
        ),
        "plancher": (
            f"le plancher de pression ({format_decimal(s.plancher_pression, 2)} : pas de baisse "
            "d'une offre plus demandée)"
        ),
        "deplacement": f"le déplacement des élèves (pas de fermeture sans offre proche à {km} km)",
        "verrous": f"les verrous ({len(s.verrous)})",
        "interdits": f"les offres interdites ({len(s.interdits)})",
    }[group]


def _infeasible(p: Problem, s: Settings, relax: frozenset[str]) -> bool:
    h = _model(p, s, relax)
    h.run()
    return bool(h.getModelStatus() == highspy.HighsModelStatus.kInfeasible)


def _conflicting(p: Problem, s: Settings) -> str:
    """The constraint groups that conflict, in French: a deletion filter over :data:`GROUPS`
    (each group lifted in turn; kept when the others alone become feasible), so that lifting
    any one of those named makes the request feasible. HiGHS's IIS (``getIis``) works on linear
    programmes; a conflict of the integer programme need not show in its relaxation."""
    needed = [g for g in GROUPS if g not in {"verrous"} or s.verrous]
    needed = [g for g in needed if g != "interdits" or s.interdits]
    for group in list(needed):
        trial = [g for g in needed if g != group]
        if _infeasible(p, s, frozenset(GROUPS) - frozenset(trial)):
            needed = trial
    names = [_group_name(g, s) for g in needed]
    listed = ", ".join(names[:-1]) + f" et {names[-1]}" if len(names) > 1 else "".join(names)
    return (
        f"contraintes incompatibles (HiGHS : infaisable) : {listed} ; lever l'une d'elles rend "
        "la demande faisable"
    )


def _model(p: Problem, s: Settings, relax: frozenset[str] = frozenset()) -> Any:
    """The programme for HiGHS (columns: up (n), dn (n), y (n), v (g)), without the constraint
    groups of ``relax`` (:data:`GROUPS`: the deletion filter of :func:`_conflicting`)."""
    fixed = {} if "verrous" in relax else _locked(p, s.verrous)
    forbidden = (
        set()
        if "interdits" in relax
        else set(_locked(p, [replace(f, places_apres=None) for f in s.interdits]))
    )
    n, g = p.offers.height, p.group_keys.__len__()
    # Columns: up (n), dn (n), y (n), v (g).
    up_hi = np.full(n, float(s.sections_max_par_offre))
    floor = p.floor_blocks & ("plancher" not in relax)
    travel = p.travel_blocks & ("deplacement" not in relax)
    dn_hi = (~floor & ~travel).astype(np.float64)
    up_lo, dn_lo = np.zeros(n), np.zeros(n)
    for k in forbidden:
        up_hi[k] = dn_hi[k] = 0.0
    for k, (u, d) in fixed.items():
        up_lo[k] = up_hi[k] = float(u)
        dn_lo[k] = dn_hi[k] = float(d)
    inf = highspy.kHighsInf
    lower = np.concatenate([up_lo, dn_lo, np.zeros(n), np.full(g, -inf)])
    upper = np.concatenate([up_hi, dn_hi, p.unmet, p.group_need])
    # HiGHS minimises: costs are the negated objective.
    ins = s.poids_insertion * p.insertion
    cost = -np.concatenate(
        [
            ins * p.step - _TIE * p.step,
            -s.poids_jeunes * p.lost - ins * p.removable - _TIE * p.removable,
            np.full(n, s.poids_jeunes),
            np.full(g, s.poids_besoins),
        ]
    )
    rows: list[tuple[list[int], list[float], float, float]] = []
    up, dn, y, v = 0, n, 2 * n, 3 * n
    rows.append(
        (
            [*range(up, up + n), *range(dn, dn + n)],
            [*p.step.astype(float), *(-p.removable.astype(float))],
            -inf,
            inf if "budget" in relax else float(s.budget_places),
        )
    )
    if "sections" not in relax:
        rows.append(([*range(up, up + 2 * n)], [1.0] * (2 * n), -inf, float(s.sections_max)))
    for e in np.unique(p.establishment) if "etablissements" not in relax else ():
        members = np.flatnonzero(p.establishment == e).tolist()
        if len(members) * max(s.sections_max_par_offre, 1) > s.sections_max_par_etablissement:
            idx = [up + k for k in members] + [dn + k for k in members]
            rows.append((idx, [1.0] * len(idx), -inf, float(s.sections_max_par_etablissement)))
    for k in range(n):  # an offer gains sections or loses one, not both: up_k + U · dn_k ≤ U
        if up_hi[k] > 0 and dn_hi[k] > 0 and k not in fixed:
            rows.append(([up + k, dn + k], [1.0, up_hi[k]], -inf, up_hi[k]))
    for opened, near, pupils in p.pools:  # openings share the pupils turned away nearby
        idx = [*(y + k for k in opened), *(y + j for j in near)]
        rows.append((idx, [1.0] * len(idx), -inf, pupils))
    for k in range(n):  # y_k ≤ pas_k · up_k
        if p.unmet[k] > 0:
            rows.append(([y + k, up + k], [1.0, -float(p.step[k])], -inf, 0.0))
    for group in range(g):  # v_g ≤ Σ w Δ + surplus_g
        sel = p.weight_groups == group
        members, w = p.weight_rows[sel], p.weight_values[sel]
        idx = [v + group] + [up + int(k) for k in members] + [dn + int(k) for k in members]
        val = [1.0] + [-wk * float(p.step[k]) for k, wk in zip(members, w, strict=True)]
        val += [wk * float(p.removable[k]) for k, wk in zip(members, w, strict=True)]
        rows.append((idx, val, -inf, float(p.group_surplus[group])))
    # The bare solver object: ``highspy.Highs()`` prints its banner on standard output, which
    # would spoil ``tremplin carte optimiser --json``.
    h = highspy._Highs()  # type: ignore[attr-defined]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", s.ecart_relatif)
    h.setOptionValue("time_limit", s.secondes_max)
    h.setOptionValue("threads", 1)
    columns = lower.size
    h.addCols(
        columns, cost, lower, upper, 0, np.array([], np.int32), np.array([], np.int32), np.array([])
    )
    starts, indices, values, lo, hi = [0], [], [], [], []
    for idx, val, a, b in rows:
        indices.extend(idx)
        values.extend(val)
        starts.append(len(indices))
        lo.append(a)
        hi.append(b)
    added = h.addRows(
        len(rows), np.asarray(lo), np.asarray(hi), len(indices),
        np.asarray(starts[:-1], np.int32), np.asarray(indices, np.int32), np.asarray(values),
    )  # fmt: skip
    if added == highspy.HighsStatus.kError or h.getNumRow() != len(rows):
        raise RuntimeError("HiGHS a refusé les contraintes du programme")
    integral = np.asarray([highspy.HighsVarType.kInteger] * (2 * n), dtype=np.uint8)
    h.changeColsIntegrality(2 * n, np.arange(2 * n, dtype=np.int32), integral)
    return h


def optimise(p: Problem, settings: Settings | None = None) -> Solution:
    """Solve the programme (see the module) for ``settings`` (default: the problem's)."""
    s = settings or p.settings
    found = conflicts(p, s)
    if found:
        raise Infeasible(found)
    h = _model(p, s)
    n, g = p.offers.height, len(p.group_keys)
    up, dn, y, v = 0, n, 2 * n, 3 * n
    columns = 3 * n + g
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        raise Infeasible([_conflicting(p, s)])
    x = np.asarray(h.getSolution().col_value)
    if x.size != columns:
        raise Infeasible([f"HiGHS s'est arrêté sans solution ({h.modelStatusToString(status)})"])
    info = h.getInfo()
    objective = -float(h.getInfoValue("objective_function_value")[1])
    gap = float(info.mip_gap) if math.isfinite(info.mip_gap) else 0.0
    ups = np.rint(x[up : up + n]).astype(np.int64)
    dns = np.rint(x[dn : dn + n]).astype(np.int64)
    delta = p.step * ups - p.removable * dns
    components = {
        "jeunes": float(x[y : y + n].sum() - (p.lost * dns).sum()),
        "besoins": float(x[v : v + g].sum()),
        "insertion": float((p.insertion * delta).sum()),
        "places_nettes": float(delta.sum()),
        "sections": float((ups + dns).sum()),
    }
    changes = []
    for k in np.flatnonzero(delta != 0).tolist():
        row = p.offers.row(k, named=True)
        changes.append(
            Change(
                uai=row["uai"],
                mef_stat_11=row["mef_stat_11"],
                statut=row["statut"],
                libelle=row["libelle"],
                etablissement=row["etablissement"],
                commune=row["commune"],
                places_avant=int(p.places[k]),
                places_apres=int(p.places[k] + delta[k]),
                raison=reason(p, k, int(delta[k]), _served_need(p, k, x[v : v + g])),
            )
        )
    return Solution(
        changes=tuple(sorted(changes, key=lambda c: (c.places_apres < c.places_avant, c.uai))),
        objective=objective,
        components=components,
        gap=gap,
        seconds=seconds,
        status=h.modelStatusToString(status),
        candidates=n,
        declared=p.declared_read(),
    )


def _served_need(p: Problem, k: int, v: NDArray[np.float64]) -> list[tuple[str, str, float, float]]:
    """(département, FAP 86, weight, need left) of the offer's industrial trades with a need."""
    sel = p.weight_rows == k
    out = []
    for group, w in zip(p.weight_groups[sel].tolist(), p.weight_values[sel].tolist(), strict=True):
        dep, fap = p.group_keys[group]
        out.append((dep, fap, float(w), float(p.group_need[group])))
    return sorted(out, key=lambda t: -t[2])


def trade_off(
    p: Problem, settings: Settings | None = None, points: int = 5
) -> list[dict[str, float]]:
    """Solutions for weights swept from young people only to companies only (insertion kept):
    each point's weights and the objective's components, for a curve."""
    s = settings or p.settings
    total = s.poids_jeunes + s.poids_besoins or 1.0
    curve = []
    for k in range(points):
        share = k / (points - 1) if points > 1 else 0.5
        run = replace(s, poids_jeunes=total * (1 - share), poids_besoins=total * share)
        solution = optimise(p, run)
        curve.append(
            {
                "poids_jeunes": run.poids_jeunes,
                "poids_besoins": run.poids_besoins,
                **{key: solution.components[key] for key in ("jeunes", "besoins", "insertion")},
                "objective": solution.objective,
            }
        )
    return curve
