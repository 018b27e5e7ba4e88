"""The restitution of a campaign's requests as CSV or XLSX, with Orion's columns (see
``planning.exchange.restitution_frame``): the same file from the command line and the web."""

from __future__ import annotations

import polars as pl

from tremplin.errors import InputError
from tremplin.reports.exports import ExportInfo, to_csv, to_xlsx

FORMATS = ("csv", "xlsx")


COUNT_LABELS = {
    "demandes": "Demandes",
    "demandes_validees": "Demandes validées",
    "places_ouvertes": "Places ouvertes",
    "places_fermees": "Places fermées",
    "places_colorees": "Places colorées",
    "ouvertes_q1": "Places ouvertes en Q1",
    "fermees_q4": "Places fermées en Q4",
    "effectif_entree": "Élèves en première année (constat de rentrée)",
    "taux_transformation": "Taux de transformation (part, 0 à 1)",
    "ratio_fermeture": "Ratio de fermeture (part, 0 à 1)",
}


def counts_export(
    rows: pl.DataFrame, fmt: str, campaign: str, grouping: str, grouping_label: str
) -> bytes:
    """The counts of a campaign by ``grouping`` as a ``csv`` or ``xlsx`` file."""
    if grouping not in rows.columns:  # no request: the header alone
        rows = pl.DataFrame({grouping: [], **{c: [] for c in COUNT_LABELS}})
    columns = [grouping, *(c for c in COUNT_LABELS if c in rows.columns)]
    frame = rows.select(columns).rename({grouping: grouping_label, **COUNT_LABELS}, strict=False)
    info = ExportInfo(
        title=f"Indicateurs de la campagne « {campaign} » par {grouping_label.lower()}",
        filters=[("Demandes comptées", "validées, formations du champ d’InserJeunes")],
        sources=[
            ("Demandes saisies dans Tremplin", campaign),
            ("Élèves en première année : constat de rentrée", "voir docs/carte.md"),
            ("Quadrant : InserJeunes (région × formation)", "dernier millésime chargé"),
        ],
    )
    return _write(frame, fmt, info)


def _write(frame: pl.DataFrame, fmt: str, info: ExportInfo) -> bytes:
    if fmt == "csv":
        return to_csv(frame, frame.columns, info)
    if fmt == "xlsx":
        return to_xlsx(frame, frame.columns, info, "Demandes")
    raise InputError(f"format « {fmt} » inconnu", where=["format"], expected="csv ou xlsx")


def restitution_export(
    frame: pl.DataFrame, fmt: str, campaign: str, filters: list[tuple[str, str]] | None = None
) -> bytes:
    """The restitution ``frame`` of the campaign named ``campaign`` as a ``csv`` or ``xlsx``
    file (numbers as numbers, text never read as a formula)."""
    info = ExportInfo(
        title=f"Demandes de la campagne « {campaign} » (restitution)",
        filters=filters or [],
        sources=[
            ("Demandes saisies dans Tremplin", campaign),
            ("Capacités : Affelnet, Parcoursup ; élèves : constat de rentrée", "voir les colonnes"),
            ("Taux régionaux : InserJeunes (région × formation)", "dernier millésime chargé"),
        ],
    )
    return _write(frame, fmt, info)
