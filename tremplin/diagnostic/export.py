"""Tables as files a planner opens: CSV for a French spreadsheet, and XLSX with a sources sheet.

CSV uses « ; » between fields and a decimal comma, with a BOM so that a spreadsheet reads UTF-8.
Column headers are the indicators' French labels when known. Lists (objectives, explanations)
are joined with « | ».
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import polars as pl
from openpyxl import Workbook

from tremplin.diagnostic.indicators import INDICATORS

LABELS: dict[str, str] = {i.name: i.label for i in INDICATORS} | {
    "maille": "Maille",
    "code_territoire": "Code du territoire",
    "territoire": "Territoire",
    "groupement": "Regroupement des métiers",
    "code_groupe": "Code du groupe",
    "groupe": "Groupe de métiers",
    "perimetre": "Périmètre",
    "niveau": "Niveau",
    "annee_affelnet": "Année Affelnet",
    "annee_parcoursup": "Année Parcoursup",
    "millesime_insertion": "Millésime InserJeunes",
    "annee_bmo": "Année BMO",
    "annee_tension": "Année DARES",
    "objectifs": "Objectifs",
    "explications": "Explications",
}


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    return frame.with_columns(pl.col(name).list.join(" | ") for name in lists)


def _headers(frame: pl.DataFrame, labels: Mapping[str, str]) -> list[str]:
    return [labels.get(name, name) for name in frame.columns]


def to_csv(frame: pl.DataFrame, labels: Mapping[str, str] = LABELS) -> bytes:
    flat = _flat(frame)
    flat.columns = _headers(flat, labels)
    text = flat.write_csv(separator=";", decimal_comma=True)
    return "\ufeff".encode() + text.encode("utf-8")


def to_xlsx(
    frame: pl.DataFrame, sources: Sequence[tuple[str, str]], labels: Mapping[str, str] = LABELS
) -> bytes:
    """A workbook: « Données » (the table) and « Sources » (each source and its year)."""
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = "Données"
    flat = _flat(frame)
    data.append(_headers(flat, labels))
    for row in flat.iter_rows():
        data.append(list(row))
    notes = workbook.create_sheet("Sources")
    notes.append(["Source", "Millésime ou précision"])
    for source, detail in sources:
        notes.append([source, detail])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
