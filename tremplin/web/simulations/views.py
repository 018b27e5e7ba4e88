"""What the simulations' pages show, computed from a job: rows of figures written the French way,
the breakdowns per group, the changed offers and their chart, the changes in words.

The pages (:mod:`~tremplin.web.simulations.pages`) only choose a template and pass these on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from tremplin.formats import format_decimal, format_number
from tremplin.reports.scenario_figures import (
    GROUP_LABELS,
    PALIER_LABELS,
    format_difference,
    format_interval,
    format_mean,
    group_name,
)
from tremplin.scenarios.scenario_comparison import MOVES, Comparison, IndicatorComparison
from tremplin.scenarios.scenarios import Change
from tremplin.web.shared import charts
from tremplin.web.shared.jobs import SimulationJob
from tremplin.web.simulations.service import SimulationService

MOVE_KEYS = frozenset(key for key, _ in MOVES)
SIDE_GROUPS = ("perimetre", "boursier")
"""The breakdowns the comparison of two simulations puts side by side."""
SIDE_INDICATORS = (
    "affectes",
    "premier_voeu",
    "taux_premier_voeu",
    "sans_affectation",
    "places_vacantes",
    "changent",
)
"""Their indicators: what a planner weighs between two scenarios."""
GROUP_ORDER = {"industrie": 0, "hors industrie": 1, "boursier": 0, "non boursier": 1, "?": 8}
SCHOOL_KINDS = re.compile(
    r"^LYC[EÉ]E\s+(POLYVALENT|PROFESSIONNEL|G[EÉ]N[EÉ]RAL ET TECHNOLOGIQUE|AGRICOLE)?\s*",
    re.IGNORECASE,
)
"""What a chart's label leaves out of an establishment's name: « LYCÉE POLYVALENT »."""


@dataclass(frozen=True)
class FigureRow:
    """An indicator as the tables show it."""

    key: str
    label: str
    before: str
    after: str
    difference: str
    interval: str
    move: bool


def figure_rows(rows: Sequence[IndicatorComparison]) -> list[FigureRow]:
    return [
        FigureRow(
            row.key,
            row.label,
            format_mean(row.key, row.before),
            format_mean(row.key, row.after),
            format_difference(row.key, row.difference, sign=row.key not in MOVE_KEYS),
            format_interval(row.key, row.difference),
            row.key in MOVE_KEYS,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class GroupSection:
    """One breakdown (perimeter, boursier status, académie, département) of a comparison."""

    kind: str
    title: str
    groups: list[tuple[str, list[FigureRow]]]
    hidden: int


def _moved(rows: Sequence[IndicatorComparison]) -> bool:
    return any(
        r.difference is not None and (r.difference.mean != 0 or r.difference.low != 0) for r in rows
    )


def group_sections(comparison: Comparison) -> list[GroupSection]:
    """Every breakdown, the industry and boursiers first, territories by name; territories
    where nothing changes are left out (and counted)."""
    sections = []
    for kind, title in GROUP_LABELS.items():
        groups = comparison.groups.get(kind, {})
        names = comparison.group_names.get(kind, {})
        named = sorted(
            [
                (GROUP_ORDER.get(code, 9), group_name(code, names.get(code)), rows)
                for code, rows in groups.items()
            ],
            key=lambda item: (item[0], item[1].lower()),
        )
        shown = [
            (name, figure_rows(rows))
            for _, name, rows in named
            if kind not in ("academie", "departement") or _moved(rows)
        ]
        if groups:
            sections.append(GroupSection(kind, title, shown, len(groups) - len(shown)))
    return sections


def _filled(value: Mapping[str, float] | None) -> float:
    return 0.0 if value is None else float(value["mean"])


def offers_view(found: SimulationService, comparison: Comparison) -> list[dict[str, Any]]:
    """The changed offers, named as the establishments' referential names them (the 1re pro
    file writes « FREDERIC FAYS » for « LYCÉE POLYVALENT FRÉDÉRIC FAŸS »)."""
    views = []
    for offer in comparison.changed_offers:
        lookup = found.lookup(offer["uai"], offer["mef_stat_11"] or "")
        views.append(
            {
                **offer,
                "etablissement": lookup.etablissement or offer["etablissement"],
                "commune": lookup.commune or offer["commune"],
                "filled_before_text": format_decimal(_filled(offer["filled_before"]), 1),
                "filled_after_text": format_decimal(_filled(offer["filled_after"]), 1),
            }
        )
    return views


def offers_chart(
    identifier: str, sides: Sequence[tuple[str, Sequence[Mapping[str, Any]]]]
) -> Markup | None:
    """Places and pupils assigned, before and after, in each changed offer (of each side)."""
    rows = []
    for prefix, offers in sides:
        for offer in offers:
            bars = []
            for when, capacity, filled in (
                ("avant", offer["capacity_before"], _filled(offer["filled_before"])),
                ("après", offer["capacity_after"], _filled(offer["filled_after"])),
            ):
                bars.append(
                    charts.Bar(
                        [
                            charts.Segment(filled, charts.BLUE),
                            charts.Segment(max(capacity - filled, 0.0), charts.BLUE_LIGHT),
                        ],
                        f"{when} : {format_decimal(filled, 1)} affectés, "
                        f"{format_number(capacity)} places",
                    )
                )
            name = SCHOOL_KINDS.sub("", offer["etablissement"] or "") or offer["uai"]
            label = f"{prefix}{name} ({offer['commune'] or offer['uai']})"
            rows.append(charts.Row(label, bars))
    if not rows:
        return None
    return charts.bar_chart(
        identifier,
        "Places et élèves affectés dans les offres modifiées, avant et après",
        "Pour chaque offre modifiée, deux barres : avant, puis après le scénario ; en foncé "
        "les élèves affectés (moyenne sur les cohortes), en clair les places restées vacantes.",
        rows,
        [("Élèves affectés (moyenne)", charts.BLUE), ("Places vacantes", charts.BLUE_LIGHT)],
    )


def describe_changes(found: SimulationService, job: SimulationJob) -> list[str]:
    """Each change in a sentence, with the names of the establishment and the formation."""

    def offer(uai: str, mef: str) -> str:
        lookup = found.lookup(uai, mef)
        place = lookup.etablissement or "établissement inconnu"
        where = f"{lookup.commune}, {uai}" if lookup.commune else uai
        return f"{place} ({where}) — {lookup.libelle or 'formation inconnue'} ({mef})"

    sentences = []
    for change in job.scenario.changements:
        sentences.append(_sentence(change, offer))
    return sentences


def _sentence(change: Change, offer: Any) -> str:
    target = offer(change.uai, change.mef_stat_11)
    if change.action == "fermer":
        return f"Fermer : {target}"
    if change.action == "ouvrir":
        return f"Ouvrir {format_number(change.places)} places : {target}"
    if change.action == "ajuster":
        verb = "Ajouter" if change.places > 0 else "Retirer"
        return f"{verb} {format_number(abs(change.places))} places : {target}"
    destination = offer(
        change.vers_uai or change.uai, change.vers_mef_stat_11 or change.mef_stat_11
    )
    return f"Transférer {format_number(change.places)} places de {target} vers {destination}"


def job_context(found: SimulationService, job: SimulationJob) -> dict[str, Any]:
    comparison = job.comparison
    return {
        "job": job,
        "territory": found.territory_label(job.territoire),
        "palier": PALIER_LABELS.get(job.palier, job.palier),
        "changes": describe_changes(found, job),
        "overall": figure_rows(comparison.overall) if comparison else [],
        "sections": group_sections(comparison) if comparison else [],
        "offers": offers_view(found, comparison) if comparison else [],
    }


def side_groups(sides: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """For the perimeter and boursier groups, each indicator's difference in A and in B."""
    found = []
    for kind in SIDE_GROUPS:
        by_side = [
            {name: rows for name, rows in s.groups}
            for side in sides
            for s in side["sections"]
            if s.kind == kind
        ]
        if len(by_side) != 2:
            continue
        for name in dict.fromkeys([*by_side[0], *by_side[1]]):  # in the sections' order
            left = {r.key: r for r in by_side[0].get(name, [])}
            right = {r.key: r for r in by_side[1].get(name, [])}
            keys = [k for k in SIDE_INDICATORS if k in left or k in right]
            found.append(
                {
                    "kind": GROUP_LABELS[kind],
                    "name": name,
                    "rows": [(left.get(k), right.get(k)) for k in keys],
                }
            )
    return found
