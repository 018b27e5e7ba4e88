"""The reference pages: coverage of the joins, and the glossary of indicators and rules."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import polars as pl
from fastapi import APIRouter, Request
from starlette.responses import Response

from tremplin import formats
from tremplin.diagnostic import rules
from tremplin.diagnostic.classify import OBJECTIVE_LABELS
from tremplin.diagnostic.consoles import OUTSIDE
from tremplin.diagnostic.indicators import INDICATORS
from tremplin.diagnostic.ranking import SIZE_DEFINITIONS
from tremplin.diagnostic.selection import THRESHOLD_COLUMNS
from tremplin.referentials.perimeter import Perimeter
from tremplin.reports.figures import COLUMN_LABELS, PERIMETRE_LABELS
from tremplin.web.diagnostic.service import cached, service
from tremplin.web.shared.auth import requires
from tremplin.web.shared.templating import render

router = APIRouter(include_in_schema=False, dependencies=[requires("lecture")])

VOLUME_LABELS = {
    "demandes_voeux_1": "demandes en vœu 1",
    "capacite": "capacité",
    "voeux_confirmes": "vœux confirmés",
    "projets": "projets de recrutement",
    "emploi_moyen": "emploi (moyenne annuelle)",
}

THRESHOLD_TEXTS = {
    "pression_forte": ("acces", "taux de pression (Affelnet) d’au moins {decimal}"),
    "demande_forte": ("acces", "ou taux de demande (Parcoursup, BTS) d’au moins {decimal}"),
    "difficulte_forte": (
        "attractivite",
        "métiers difficiles à pourvoir : au moins {percent} des projets de recrutement BMO "
        "jugés difficiles",
    ),
    "categorie_tension_forte": (
        "attractivite",
        "ou catégorie de tension DARES d’au moins {decimal} sur 5",
    ),
    "pression_faible": ("attractivite", "et taux de pression inférieur à {decimal}"),
    "demande_faible": ("attractivite", "ou taux de demande (BTS) inférieur à {decimal}"),
    "remplissage_faible": ("attractivite", "ou places remplies à moins de {percent}"),
    "projets_par_place": (
        "competences",
        "au moins {decimal} projets de recrutement par place de formation offerte par an",
    ),
    "projets_minimum": ("competences", "et au moins {number} projets de recrutement"),
    "devenir_favorable_faible": ("vigilance", "taux de devenir favorable inférieur à {percent}"),
    "emploi_faible": ("vigilance", "ou taux d’emploi à 6 mois inférieur à {percent}"),
}
"""How each threshold of :class:`tremplin.diagnostic.rules.Thresholds` reads, by objective."""

OBJECTIVE_TEXTS = {
    "attractivite": "Des métiers difficiles à pourvoir, que les jeunes ne demandent pas assez : "
    "faire connaître et choisir ces métiers.",
    "acces": "Les jeunes demandent plus que les places offertes : ouvrir des places.",
    "competences": "Les entreprises prévoient bien plus de recrutements que les formations "
    "n’offrent de places : former davantage.",
    "vigilance": "L’insertion des sortants est faible : regarder la formation de près.",
}


@dataclass(frozen=True)
class Loss:
    """The step of a chain that loses the most of a volume."""

    source: str
    territoire: str
    jointure: str
    volume: str
    lost: float
    kept_final: float | None


def biggest_losses(rows: pl.DataFrame) -> list[Loss]:
    """For each source × territory × volume, the step where the kept share drops the most."""
    losses: list[Loss] = []
    if rows.is_empty():
        return losses
    for (source, territoire, volume), chain in rows.group_by(
        ["source", "territoire", "volume"], maintain_order=True
    ):
        previous = 1.0
        worst: tuple[float, str] | None = None
        for step in chain.iter_rows(named=True):
            share = step["part_volume"]
            if share is None:
                continue
            drop = previous - share
            if worst is None or drop > worst[0]:
                worst = (drop, step["jointure"])
            previous = share
        if worst is not None and worst[0] > 0.0005:
            final = chain.get_column("part_volume").drop_nulls()
            losses.append(
                Loss(
                    str(source),
                    str(territoire),
                    worst[1],
                    VOLUME_LABELS.get(str(volume), str(volume)),
                    worst[0],
                    float(final[-1]) if final.len() else None,
                )
            )
    return sorted(losses, key=lambda loss: -loss.lost)


@router.get("/couverture", name="couverture")
@cached
def coverage_page(request: Request) -> Response:
    """What each join of the chain keeps, for France and the partnership's région
    (``TREMPLIN_REGION``)."""
    rows = service(request).coverage()
    scopes: list[tuple[str, list[dict[str, Any]]]] = []
    if not rows.is_empty():
        for scope in rows.get_column("territoire").unique(maintain_order=True):
            scopes.append((str(scope), rows.filter(pl.col("territoire") == scope).to_dicts()))
    return render(
        request,
        "couverture.html",
        {
            "scopes": scopes,
            "losses": [loss for loss in biggest_losses(rows) if loss.lost >= 0.01],
            "volume_labels": VOLUME_LABELS,
        },
    )


def _threshold_rows() -> list[tuple[str, str, str]]:
    """(objective, field, sentence) for each threshold, in declaration order."""
    found = []
    for item in fields(rules.Thresholds):
        value = getattr(rules.THRESHOLDS, item.name)
        objective, text = THRESHOLD_TEXTS.get(item.name, ("", item.name + " : {number}"))
        sentence = text.format(
            decimal=formats.format_number(value),
            percent=formats.format_percent(value, 0),
            number=formats.format_number(value),
        )
        found.append((objective, item.name, sentence))
    return found


def _perimeter(request: Request) -> Perimeter:
    perimeter: Perimeter = request.app.state.perimeter
    return perimeter


@router.get("/glossaire", name="glossaire")
def glossary_page(request: Request) -> Response:
    """Every indicator, the counting rules, the objectives' thresholds and the perimeter."""
    thresholds = _threshold_rows()
    return render(
        request,
        "glossaire.html",
        {
            "indicators": INDICATORS,
            "objectives": [
                (
                    code,
                    label,
                    OBJECTIVE_TEXTS.get(code, ""),
                    [t for t in thresholds if t[0] == code],
                )
                for code, label in OBJECTIVE_LABELS.items()
            ],
            "sizes": SIZE_DEFINITIONS,
            "threshold_columns": THRESHOLD_COLUMNS,
            "rules": rules,
            "capacity_missing": " et ".join(str(v) for v in rules.PARCOURSUP_CAPACITY_MISSING),
            "perimeter": _perimeter(request),
            "perimetres": PERIMETRE_LABELS,
            "outside": OUTSIDE,
            "console_columns": [
                (name, label)
                for name, label in COLUMN_LABELS.items()
                if name not in {i.name for i in INDICATORS}
            ],
        },
    )
