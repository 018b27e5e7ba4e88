"""The steering committee's note of a campaign: its HTML (the template ``carte_note.html`` and
its print stylesheet, with the charts drawn as SVG by :mod:`tremplin.web.shared.charts`) and
its PDF (WeasyPrint, :func:`tremplin.reports.carte_note.pdf_from_html`). The page's route and
the command line (``tremplin carte note``) both go through :func:`note_html`."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from tremplin import formats
from tremplin.planning.vocabulary import CAMPAIGN_SCOPES, CAMPAIGN_STATUSES
from tremplin.reports.carte_note import NoteContent
from tremplin.web.shared.charts import BLUE, GREY, RED, Bar, Row, Segment, bar_chart

TEMPLATE = "carte_note.html"


def note_charts(content: NoteContent) -> dict[str, Markup]:
    """The note's charts: requests by status, places opened and closed by kind (validated
    requests), and the taux de transformation by level against the national target."""
    charts: dict[str, Markup] = {}
    if content.by_status:
        charts["statuts"] = bar_chart(
            "graphique-statuts",
            "Demandes par statut",
            "Nombre de demandes de la campagne dans chaque statut.",
            [
                Row(s["libelle"], [Bar([Segment(s["demandes"], BLUE)], _count(s["demandes"]))])
                for s in content.by_status
            ],
            [("Demandes", BLUE)],
        )
    if content.by_kind:
        charts["types"] = bar_chart(
            "graphique-types",
            "Places ouvertes et fermées par type de demande (demandes validées)",
            "Pour chaque type de demande, places ouvertes puis places fermées par les "
            "demandes validées, toutes voies.",
            [
                Row(
                    k["libelle"],
                    [
                        Bar([Segment(k["places_ouvertes"], BLUE)], _places(k["places_ouvertes"])),
                        Bar([Segment(k["places_fermees"], RED)], _places(k["places_fermees"])),
                    ],
                )
                for k in content.by_kind
            ],
            [("Places ouvertes", BLUE), ("Places fermées", RED)],
        )
    levels = [r for r in content.by_level if r.get("taux_transformation") is not None]
    if levels:
        rows = [
            Row(
                str(r["niveau"] or "niveau non renseigné"),
                [
                    Bar(
                        [Segment(100 * r["taux_transformation"], BLUE)],
                        formats.format_percent(r["taux_transformation"], 2),
                    )
                ],
            )
            for r in levels
        ]
        target = formats.format_percent(content.target, 0)
        rows.append(Row("Cible nationale", [Bar([Segment(100 * content.target, GREY)], target)]))
        charts["taux"] = bar_chart(
            "graphique-taux",
            "Taux de transformation par niveau",
            f"Taux de transformation des demandes validées par niveau, et la cible nationale "
            f"de {target}.",
            rows,
            [("Taux de transformation", BLUE), ("Cible nationale", GREY)],
        )
    return charts


def _count(value: int) -> str:
    return f"{formats.format_number(value)} demande{'s' if value > 1 else ''}"


def _places(value: int) -> str:
    return f"{formats.format_number(value)} place{'s' if value > 1 else ''}"


def note_html(environment: Environment, content: NoteContent) -> str:
    """The note's HTML: the document WeasyPrint lays out, and the one the tests read."""
    context: dict[str, Any] = {
        "note": content,
        "charts": note_charts(content),
        "campaign_statuses": CAMPAIGN_STATUSES,
        "campaign_scopes": CAMPAIGN_SCOPES,
    }
    return environment.get_template(TEMPLATE).render(context)
