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
IMPACT_CHART_ROWS = 12
"""The trade groups the impact's chart shows (the most changed)."""


def note_charts(content: NoteContent) -> dict[str, Markup]:
    """The note's charts: requests by status, places opened and closed by kind (validated
    requests), the taux de transformation by level against the national target, and the
    places of the trade groups the requests change most, before and after (the impact)."""
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
    groups = content.impact.result["groupes"] if content.impact and content.impact.result else []
    if groups:
        moved = sorted(
            groups,
            key=lambda g: (-abs(g["places_apres"] - g["places_avant"]), g["code_departement"]),
        )[:IMPACT_CHART_ROWS]
        charts["impact"] = bar_chart(
            "graphique-impact",
            "Places par domaine de métiers et département, avant et après les demandes",
            f"Pour les {len(moved)} domaines de métiers et départements les plus changés, places "
            "réparties entre les métiers avant puis après les demandes validées et prêtes pour "
            "le vote.",
            [
                Row(
                    f"{g['code_departement']} · {g['libelle_fap22'] or g['fap22']}",
                    [
                        Bar([Segment(g["places_avant"], GREY)], _decimal_places(g["places_avant"])),
                        Bar([Segment(g["places_apres"], BLUE)], _decimal_places(g["places_apres"])),
                    ],
                )
                for g in moved
            ],
            [("Places avant", GREY), ("Places après", BLUE)],
        )
    return charts


def _decimal_places(value: float) -> str:
    return f"{formats.format_decimal(value, 1)} places"


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
