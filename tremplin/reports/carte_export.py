"""The restitution of a campaign's requests as CSV or XLSX, with Orion's columns (see
``planning.exchange.restitution_frame``): the same file from the command line and the web."""

from __future__ import annotations

import polars as pl

from tremplin.errors import InputError
from tremplin.reports.exports import ExportInfo, to_csv, to_xlsx

FORMATS = ("csv", "xlsx")


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
    if fmt == "csv":
        return to_csv(frame, frame.columns, info)
    if fmt == "xlsx":
        return to_xlsx(frame, frame.columns, info, "Demandes")
    raise InputError(f"format « {fmt} » inconnu", where=["format"], expected="csv ou xlsx")
