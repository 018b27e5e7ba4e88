"""The diagnostic's pages: the map, a territory (all its trades), a trade (all its territories)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, Request
from starlette.responses import Response

from tremplin.diagnostic import rules
from tremplin.diagnostic.classify import OBJECTIVE_LABELS, OBJECTIVES
from tremplin.diagnostic.indicators import INDICATORS, Query
from tremplin.diagnostic.ranking import SIZE_COLUMNS, SIZE_UNITS, rank
from tremplin.diagnostic.selection import sort_of, sort_rows
from tremplin.errors import InputError, NotFound
from tremplin.reports.figures import (
    DECIMALS,
    NIVEAU_LABELS,
    PERCENT,
    PERIMETRE_LABELS,
    SUMMABLE,
    WEIGHTED,
    format_value,
    indicator_year,
)
from tremplin.web.diagnostic import params
from tremplin.web.diagnostic.service import (
    GROUP_COLUMNS,
    TERRITORY_COLUMNS,
    DiagnosticService,
    cached,
    service,
)
from tremplin.web.shared import charts
from tremplin.web.shared.auth import requires
from tremplin.web.shared.sorting import SortLinks
from tremplin.web.shared.templating import render, script_json

router = APIRouter(include_in_schema=False, dependencies=[requires("lecture")])

MAP_MAILLES = ("academie", "departement", "bassin")
OBJECTIVE_COLOURS = {
    "attractivite": "#e4794a",
    "acces": "#000091",
    "competences": "#18753c",
    "vigilance": "#ce0500",
}
DEMAND_INDICATORS = (
    "places",
    "capacite",
    "demandes_voeux_1",
    "taux_pression",
    "capacite_bts",
    "voeux_confirmes",
    "taux_demande",
    "capacite_distance",
    "effectif",
    "taux_remplissage",
    "nb_remplissage_incoherent",
)
OUTCOME_INDICATORS = (
    "sortants",
    "taux_devenir_favorable",
    # Side by side: the formations' school leavers, apprentices, both (what vigilance reads).
    "taux_devenir_favorable_scolaire",
    "taux_devenir_favorable_apprentissage",
    "taux_devenir_favorable_ensemble",
    "taux_emploi_6_mois",
    "taux_poursuite",
    "projets_recrutement",
    # Beside BMO: the needs companies declare now (« aucun besoin déclaré » when none).
    "besoins_declares",
    "personnes_besoins_declares",
    "part_projets_difficiles",
    "categorie_tension",
    "projets_par_place",
)
"""The indicators of the territory and trade pages' two tables (all are in the exports)."""
CHART_ROWS = 25
SORTABLE = ("groupe", "territoire", *DEMAND_INDICATORS, *OUTCOME_INDICATORS)
"""The columns a territory's or a trade's tables sort by (``tri``, ``ordre``)."""


@dataclass(frozen=True)
class Column:
    """A column of a figures table: the indicator, its label, source and year."""

    name: str
    label: str
    source: str
    year: str


def _columns(names: Iterable[str], known_years: Mapping[str, str]) -> list[Column]:
    by_name = {i.name: i for i in INDICATORS}
    return [
        Column(name, by_name[name].label, by_name[name].source, indicator_year(name, known_years))
        for name in names
        if name in by_name
    ]


def totals(rows: pl.DataFrame) -> dict[str, Any]:
    """The totals over ``rows`` that are exact: sums of counts, and the weighted ratios."""
    found: dict[str, Any] = {
        # A count unknown on every row (pupils) stays blank, never 0.
        name: None
        if rows.height and rows.get_column(name).null_count() == rows.height
        else int(rows.get_column(name).fill_null(0).sum())
        for name in SUMMABLE
        if name in rows.columns
    }
    for name, (numerator, denominator) in WEIGHTED.items():
        weight = rows.get_column(denominator).fill_null(0)
        if name == "projets_par_place":
            top = rows.get_column(numerator).fill_null(0).sum()
        else:
            top = (rows.get_column(name).fill_null(0) * weight).sum()
        total_weight = float(weight.sum())
        found[name] = float(top) / total_weight if total_weight else None
    # Secret BMO cells: the total is « at least » the known projects, or secret when all are.
    if "cellules_bmo" in rows.columns and rows.get_column("cellules_bmo").drop_nulls().len():
        cells = int(rows.get_column("cellules_bmo").fill_null(0).sum())
        hidden = int(rows.get_column("cellules_bmo_secretes").fill_null(0).sum())
        found["cellules_bmo"], found["cellules_bmo_secretes"] = cells, hidden
        found["part_cellules_bmo_secretes"] = hidden / cells if cells else None
        found["projets_recrutement_secret"] = cells > 0 and hidden == cells
        if found["projets_recrutement_secret"]:
            found["projets_recrutement"] = found["projets_par_place"] = None
    return found


def _query_string(**values: Any) -> str:
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def console_link(
    kind: str, query: Query, territoire: str | None, groupe: str | None, region: str | None = None
) -> str:
    """The console ``kind`` (formations, offres) filtered on a territory and a group (and a
    région; an empty ``code_region`` asks the console for all of France)."""
    filters: dict[str, Any] = {
        "perimetre": query.perimetre,
        "niveau": query.niveau if query.niveau != "tous" else None,
        "annee": query.annee,
        "code_region": region or "",
    }
    if territoire and territoire != rules.UNPLACED:
        filters[TERRITORY_COLUMNS[query.maille]] = territoire
    if groupe and groupe != rules.UNPLACED:
        filters[GROUP_COLUMNS[query.groupement]] = groupe
    text = urlencode({k: v for k, v in filters.items() if v is not None})
    return f"/diagnostic/{kind}?{text}"


def _chart_rows(
    rows: list[dict[str, Any]], label: str, href: Any
) -> tuple[list[charts.Row], list[charts.Row]]:
    demand = sorted(
        (r for r in rows if (r["capacite"] or 0) > 0 or (r["demandes_voeux_1"] or 0) > 0),
        key=lambda r: -max(r["capacite"] or 0, r["demandes_voeux_1"] or 0),
    )[:CHART_ROWS]
    demand_rows = [
        charts.Row(
            r[label],
            [
                charts.Bar(
                    [charts.Segment(r["demandes_voeux_1"] or 0, charts.BLUE)],
                    f"{format_value('demandes_voeux_1', r['demandes_voeux_1'])} vœux 1",
                ),
                charts.Bar(
                    [charts.Segment(r["capacite"] or 0, charts.BLUE_LIGHT)],
                    f"{format_value('capacite', r['capacite'])} places"
                    + (
                        f" (pression {format_value('taux_pression', r['taux_pression'])})"
                        if r["taux_pression"] is not None
                        else ""
                    ),
                ),
            ],
            href(r),
        )
        for r in demand
    ]
    recruiting = sorted(
        (r for r in rows if (r.get("projets_recrutement") or 0) > 0),
        key=lambda r: -(r["projets_recrutement"] or 0),
    )[:CHART_ROWS]
    difficulty_rows = []
    for r in recruiting:
        projects = r["projets_recrutement"] or 0
        share = r["part_projets_difficiles"]
        difficult = projects * share if share is not None else 0.0
        text = f"{format_value('projets_recrutement', projects)} projets"
        if r.get("part_cellules_bmo_secretes"):
            text = f"au moins {text} (cellules secrètes)"
        if share is not None:
            text += f", {format_value('part_projets_difficiles', share)} difficiles"
        difficulty_rows.append(
            charts.Row(
                r[label],
                [
                    charts.Bar(
                        [
                            charts.Segment(difficult, charts.RED),
                            charts.Segment(projects - difficult, charts.RED_LIGHT),
                        ],
                        text,
                    )
                ],
                href(r),
            )
        )
    return demand_rows, difficulty_rows


@dataclass(frozen=True)
class RankedObjective:
    """The rows that call for one objective, largest first, each with its size written."""

    code: str
    label: str
    unit: str
    rows: list[tuple[dict[str, Any], str]]


def ranking(rows: pl.DataFrame) -> list[RankedObjective]:
    """For each objective, the rows that call for it ranked by its size (largest first)."""
    found = []
    for code in OBJECTIVES:
        ranked = rank(rows, code)
        column = SIZE_COLUMNS[code]
        found.append(
            RankedObjective(
                code,
                OBJECTIVE_LABELS[code],
                SIZE_UNITS[code],
                [(row, format_value(column, row[column])) for row in ranked.to_dicts()],
            )
        )
    return found


def _figures_context(
    request: Request, rows: pl.DataFrame, query: Query, label: str, href: Any, what: str
) -> dict[str, Any]:
    known = service(request).source_years(rows)
    values = request.query_params
    sort = sort_of(values.get("tri"), values.get("ordre"), SORTABLE)
    rows = sort_rows(rows, sort)
    listed = rows.to_dicts()
    demand, difficulty = _chart_rows(listed, label, href)
    return {
        "rows": listed,
        "demand_columns": _columns(DEMAND_INDICATORS, known),
        "outcome_columns": _columns(OUTCOME_INDICATORS, known),
        "totals": totals(rows),
        "ranking": ranking(rows),
        "known_years": known,
        "objective_labels": OBJECTIVE_LABELS,
        "query": query,
        "niveau_options": niveau_options(),
        "sorting": SortLinks(
            sort,
            lambda name, order: str(
                request.url.include_query_params(tri=name, ordre=order)
            ).removeprefix(str(request.base_url).rstrip("/")),
            {i.name for i in INDICATORS},
        ),
        "chart_demand": charts.bar_chart(
            "graphique-demande",
            f"Demande et places par {what}",
            "Vœux 1 (Affelnet) et capacité (CAP, bac pro) en année d'entrée.",
            demand,
            [("Demandes en vœu 1", charts.BLUE), ("Capacité (places)", charts.BLUE_LIGHT)],
        )
        if demand
        else None,
        "chart_difficulty": charts.bar_chart(
            "graphique-difficulte",
            f"Difficulté de recrutement par {what}",
            "Projets de recrutement (BMO) ; en foncé, la part jugée difficile.",
            difficulty,
            [("Projets jugés difficiles", charts.RED), ("Autres projets", charts.RED_LIGHT)],
        )
        if difficulty
        else None,
        "labels": {
            "maille": rules.MAILLE_LABELS,
            "groupement": rules.GROUPEMENT_LABELS,
            "perimetre": PERIMETRE_LABELS,
            "niveau": rules.NIVEAUX,
        },
    }


@router.get("/diagnostic", name="diagnostic")
@cached
def diagnostic_map(request: Request) -> Response:
    """The map of a région: académies, départements or bassins, by indicator or objective."""
    found = service(request)
    values = request.query_params
    query = params.page_query(values, maille="academie", region=found.region)
    if query.maille not in MAP_MAILLES:
        raise InputError(
            f"maille « {query.maille} » : la carte montre les académies, départements ou bassins"
        )
    indicator = values.get("indicateur") or "taux_pression"
    if indicator not in {i.name for i in INDICATORS}:
        raise InputError(f"indicateur « {indicator} » inconnu")
    view = values.get("vue") or "objectifs"
    if view not in ("objectifs", "indicateur"):
        raise InputError(f"vue « {view} » inconnue ; valeurs possibles : objectifs, indicateur")
    objective = params.objectif(values.get("objectif")) or "acces"
    rows = found.rows(query, reasons=False)
    by_objective = []
    for code in OBJECTIVES:
        concerned = rows.filter(pl.col("objectifs").list.contains(code))
        territories = (
            concerned.group_by("code_territoire", "territoire")
            .agg(pl.len().alias("groupes"), pl.col("groupe").sort().alias("noms"))
            .sort("groupes", "territoire", descending=[True, False])
        )
        by_objective.append((code, territories.to_dicts()))
    regions = found.territories("region").select("code", "nom").rows()
    config = {
        "api": "/api/v1/diagnostic",
        "shapes": f"/api/v1/carte/{query.maille}",
        "background": "/api/v1/carte/academie",
        "query": {
            "maille": query.maille,
            "groupement": query.groupement,
            "perimetre": query.perimetre,
            "niveau": query.niveau,
            "annee": query.annee,
            "region": params.region_of(query),
            "groupe": query.groupe,
        },
        "vue": view,
        "indicateur": indicator,
        "objectif": objective,
        "indicators": [
            {
                "name": i.name,
                "label": i.label,
                "source": i.source,
                "percent": i.name in PERCENT,
                "decimals": DECIMALS.get(i.name, 0),
                "summable": i.name in SUMMABLE or i.name in WEIGHTED,
                "weighted": WEIGHTED.get(i.name),
            }
            for i in INDICATORS
        ],
        "objectives": {
            code: {"label": OBJECTIVE_LABELS[code], "colour": OBJECTIVE_COLOURS[code]}
            for code in OBJECTIVES
        },
        "yearColumns": {
            "Affelnet": "annee_affelnet",
            "Parcoursup": "annee_parcoursup",
            "InserJeunes": "millesime_insertion",
            "BMO": "annee_bmo",
            "DARES": "annee_tension",
        },
        "territoryPage": f"/diagnostic/territoire/{query.maille}/",
        # A planner proposes a request from a territory's offers (see diagnostic-map.js).
        "offersPage": console_link("offres", query, None, None, params.region_of(query)),
        "offersColumn": TERRITORY_COLUMNS[query.maille],
        "proposePolicy": "/api/v1/autorisations?action=demande.proposer",
        "territoryQuery": _query_string(
            groupement=query.groupement,
            perimetre=query.perimetre,
            niveau=query.niveau if query.niveau != "tous" else None,
            annee=query.annee,
        ),
    }
    return render(
        request,
        "diagnostic_map.html",
        {
            "query": query,
            "region": params.region_of(query),
            "indicator": indicator,
            "view": view,
            "objective": objective,
            "indicators": INDICATORS,
            "groups": found.groups(query.groupement, query.perimetre),
            "regions": regions,
            "map_mailles": [(m, rules.MAILLE_LABELS[m]) for m in MAP_MAILLES],
            "groupements": rules.GROUPEMENT_LABELS,
            "perimetres": PERIMETRE_LABELS,
            "niveau_options": niveau_options(),
            "indicator_options": [(i.name, i.label) for i in INDICATORS],
            "objectives": OBJECTIVE_LABELS,
            "objective_colours": OBJECTIVE_COLOURS,
            "by_objective": by_objective,
            "known_years": found.source_years(rows),
            "config_json": script_json(config),
            "territory_query": config["territoryQuery"],
            "export_query": _query_string(
                maille=query.maille,
                groupement=query.groupement,
                perimetre=query.perimetre,
                niveau=query.niveau,
                annee=query.annee,
                region=params.region_of(query),
                groupe=query.groupe,
            ),
        },
    )


@router.get("/diagnostic/territoire/{maille}/{code}", name="diagnostic_territoire")
@cached
def territory_page(request: Request, maille: str, code: str) -> Response:
    """Every trade group of one territory: figures, objectives, charts, links to consoles."""
    found = service(request)
    values = request.query_params
    query = params.page_query(
        {**values, "maille": maille, "territoire": code, "region": "", "groupe": ""}
    )
    name = rules.UNPLACED_LABEL if code == rules.UNPLACED else found.territory_name(maille, code)
    rows = found.rows(query)
    if name is None and rows.is_empty():
        raise NotFound(f"territoire « {code} » inconnu ({rules.MAILLE_LABELS.get(maille, maille)})")
    base = replace(query, territoire=None)

    def href(row: Mapping[str, Any]) -> str | None:
        if row["code_groupe"] == rules.UNPLACED:
            return None
        return f"/diagnostic/metier/{query.groupement}/{row['code_groupe']}?" + _query_string(
            maille=maille, perimetre=query.perimetre, niveau=_niveau(query), annee=query.annee
        )

    context = _figures_context(request, rows, query, "groupe", href, "groupe de métiers")
    context.update(
        {
            "name": name or code,
            "maille": maille,
            "code": code,
            "trade_href": href,
            "console": lambda kind, groupe: console_link(kind, base, code, groupe),
            "export_query": _query_string(
                maille=maille,
                groupement=query.groupement,
                perimetre=query.perimetre,
                niveau=query.niveau,
                annee=query.annee,
                territoire=code,
            ),
        }
    )
    return render(request, "diagnostic_territoire.html", context)


def _niveau(query: Query) -> str | None:
    return query.niveau if query.niveau != "tous" else None


def _unknown_group(found: DiagnosticService, groupement: str, code: str, perimetre: str) -> str:
    """Why a trade group has no page: unknown, or outside the perimeter asked for."""
    outside = dict(found.groups(groupement, rules.Perimetre.TOUT))
    if perimetre == rules.Perimetre.TOUT or code not in outside:
        return f"groupe de métiers « {code} » inconnu"
    return (
        f"« {outside[code]} » ({code}) est hors du périmètre « {perimetre} » : ni ses places, ni "
        f"ses vœux, ni ses projets de recrutement n'y sont comptés. Sa page sur tous les "
        f"métiers : /diagnostic/metier/{groupement}/{code}?perimetre={rules.Perimetre.TOUT}"
    )


@router.get("/diagnostic/metier/{groupement}/{code}", name="diagnostic_metier")
@cached
def trade_page(request: Request, groupement: str, code: str) -> Response:
    """One trade group in every territory of a maille (of a région, AURA by default)."""
    found = service(request)
    values = request.query_params
    query = params.page_query(
        {**values, "groupement": groupement, "groupe": code, "territoire": ""},
        maille="bassin",
        region=found.region,
    )
    rows = found.rows(query)
    labels = dict(found.groups(groupement, query.perimetre))
    label = labels.get(code) or (str(rows.item(0, "groupe")) if rows.height else None)
    if label is None:
        raise NotFound(_unknown_group(found, groupement, code, query.perimetre))

    def href(row: Mapping[str, Any]) -> str | None:
        if row["code_territoire"] == rules.UNPLACED:
            return None
        return f"/diagnostic/territoire/{query.maille}/{row['code_territoire']}?" + _query_string(
            groupement=groupement,
            perimetre=query.perimetre,
            niveau=_niveau(query),
            annee=query.annee,
        )

    context = _figures_context(request, rows, query, "territoire", href, "territoire")
    regions = found.territories("region").select("code", "nom").rows()
    context.update(
        {
            "name": label,
            "groupement": groupement,
            "code": code,
            "regions": regions,
            "region": params.region_of(query),
            "weights": (
                found.formation_trades(code, params.region_of(query)).to_dicts()
                if groupement == "diplome"
                else []
            ),
            "territory_href": href,
            "console": lambda kind, territoire: console_link(
                kind, query, territoire, code, params.region_of(query)
            ),
            "export_query": _query_string(
                maille=query.maille,
                groupement=groupement,
                perimetre=query.perimetre,
                niveau=query.niveau,
                annee=query.annee,
                region=params.region_of(query),
                groupe=code,
            ),
        }
    )
    return render(request, "diagnostic_metier.html", context)


def niveau_options() -> list[tuple[str, str]]:
    """(value, label) of the diploma levels, « tous » first."""
    return [(n, NIVEAU_LABELS.get(n, n)) for n in rules.NIVEAUX]
