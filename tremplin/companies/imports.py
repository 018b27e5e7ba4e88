"""Importing many needs at once from a CSV or XLSX file (the template a partner downloads).

The file is read by the readers of ``tremplin.sources`` (any separator and encoding, or the
first sheet of a workbook); its header is recognised by name, in any order. Every line is
checked — SIRET (its key), company name when the company is new, trade against the loaded ROME,
number, kind, level, date, commune, and, for a partner, that the commune lies in its
territory — and every problem is reported with the file, the line and the column, and what was
expected. Nothing is written unless every line is right (all-or-nothing, one transaction).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import sqlalchemy as sa

from tremplin.companies.companies import Company, check_naf, find_company, save_company
from tremplin.companies.needs import CONTRATS, NIVEAUX, Need, check_need, insert_need
from tremplin.companies.siret import check_siret
from tremplin.companies.text import check_free_text
from tremplin.errors import InputError
from tremplin.sources.errors import SourceError
from tremplin.sources.readers import read_tables
from tremplin.sources.spec import normalise_header
from tremplin.store.audit import Actor, record

COLUMNS: dict[str, tuple[str, bool]] = {
    "siret": ("SIRET de l’établissement qui recrute (14 chiffres)", True),
    "raison_sociale": ("Nom de l’entreprise (obligatoire si elle est nouvelle)", False),
    "naf": ("Code NAF (APE), par ex. 25.62A", False),
    "code_rome": ("Code ROME du métier, par ex. H2913", True),
    "code_ogr": ("Code OGR de l’appellation (facultatif)", False),
    "intitule": ("Intitulé du besoin, sans lien ni adresse électronique (facultatif)", False),
    "nombre": ("Nombre de personnes recherchées", True),
    "contrat": ("Type : " + ", ".join(CONTRATS), True),
    "niveau": ("Niveau : " + ", ".join(NIVEAUX) + " (facultatif)", False),
    "debut": ("Date de début, JJ/MM/AAAA (facultatif)", False),
    "code_insee": ("Code INSEE de la commune du site", True),
}
"""The template's columns: what each holds, and whether it is required."""
EXAMPLE = {
    "siret": "12345678200010",
    "raison_sociale": "Chaudronnerie de l’Ain",
    "naf": "25.62A",
    "code_rome": "H2913",
    "code_ogr": "",
    "intitule": "Soudeur ou soudeuse TIG",
    "nombre": "2",
    "contrat": "apprentissage",
    "niveau": "4",
    "debut": "01/09/2027",
    "code_insee": "01283",
}
MAX_LINES = 5000
MAX_PROBLEMS = 100


class ImportRefused(InputError):
    """A file of needs with at least one wrong line: nothing was written. ``problems`` holds
    each error (file, line, column, what was expected), at most :data:`MAX_PROBLEMS`."""

    def __init__(self, path: str, problems: list[SourceError], lines: int) -> None:
        self.problems = problems
        shown = "\n".join(f"- {p}" for p in problems[:10])
        more = f"\n… et {len(problems) - 10} autre(s)" if len(problems) > 10 else ""
        super().__init__(
            f"{len(problems)} erreur(s) sur {lines} ligne(s) : aucun besoin importé\n{shown}{more}",
            where=[path],
        )


@dataclass(frozen=True)
class Imported:
    """What an import wrote: the needs, and the companies it created."""

    needs: list[Need]
    companies_created: int


def template_csv() -> bytes:
    """The template as a CSV file (UTF-8 with BOM, « ; »): the header and one example line."""
    lines = [";".join(COLUMNS), ";".join(EXAMPLE[c] for c in COLUMNS)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def template_xlsx() -> bytes:
    """The template as a workbook: « Besoins » (header and example) and « Aide » (columns)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Besoins"
    sheet.append(list(COLUMNS))
    sheet.append([EXAMPLE[c] for c in COLUMNS])
    for cell in sheet["A"] + sheet["I"] + sheet["K"]:
        cell.number_format = "@"  # SIRET and codes as text: leading zeros stay
    help_sheet = book.create_sheet("Aide")
    help_sheet.append(["colonne", "contenu", "obligatoire"])
    for name, (text, required) in COLUMNS.items():
        help_sheet.append([name, text, "oui" if required else "non"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _header(path: str, header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = normalise_header(name)
        if key in COLUMNS and key not in positions:
            positions[key] = index
    missing = [
        name for name, (_, required) in COLUMNS.items() if required and name not in positions
    ]
    if missing:
        raise SourceError(
            path,
            f"colonne(s) manquante(s) : {', '.join(missing)}",
            line=1,
            expected="l’en-tête du modèle : " + ";".join(COLUMNS),
        )
    return positions


def import_needs(
    conn: sa.Connection,
    actor: Actor,
    name: str,
    raw: bytes,
    *,
    in_scope: Callable[[frozenset[str]], bool] = lambda _territories: True,
) -> Imported:
    """Check every line of the file ``name`` (bytes ``raw``) and, when all are right, write
    its needs (creating the companies it names that do not exist yet), in ``conn``'s
    transaction. ``in_scope`` says whether a commune's territories are the importer's (a
    partner imports its territory's needs only). Raises :class:`SourceError` for a file that
    cannot be read and :class:`ImportRefused` for wrong lines."""
    path = PurePath(name).name or "fichier"
    tables = read_tables(PurePath(path), raw)  # type: ignore[arg-type]
    if not tables:
        raise SourceError(path, "aucune table dans ce fichier", expected="le modèle rempli")
    table = tables[0]
    positions = _header(path, table.header)
    if not table.rows:
        raise SourceError(path, "aucune ligne de besoin", line=2, expected="au moins une ligne")
    if len(table.rows) > MAX_LINES:
        raise SourceError(
            path, f"{len(table.rows)} lignes", expected=f"au plus {MAX_LINES} lignes par fichier"
        )
    problems: list[SourceError] = []
    checked_rows: list[tuple[str, dict[str, Any]]] = []
    new_companies: dict[str, dict[str, Any]] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        values = {
            name: (row[i].strip() if i < len(row) and row[i] is not None else "")
            for name, i in positions.items()
        }

        def problem(error: InputError, default: str, line: int = line) -> None:
            column = error.where[-1] if error.where else default
            label = table.header[positions[column]] if column in positions else column
            problems.append(
                SourceError(path, error.message, line=line, column=label, expected=error.expected)
            )

        try:
            siret = check_siret(values["siret"])
        except InputError as error:
            problem(error, "siret")
            continue
        if find_company(conn, siret) is None and siret not in new_companies:
            if not values.get("raison_sociale"):
                problem(
                    InputError(
                        f"entreprise {siret} inconnue et sans nom",
                        where=["raison_sociale"],
                        expected="le nom de l’entreprise, pour la créer",
                    ),
                    "raison_sociale",
                )
                continue
            try:
                new_companies[siret] = {
                    "nom": check_free_text(values["raison_sociale"], where="raison_sociale"),
                    "naf": check_naf(values.get("naf")),
                }
            except InputError as error:
                problem(error, "raison_sociale")
                continue
        try:
            checked, where = check_need(conn, values)
        except InputError as error:
            problem(error, "code_rome")
            continue
        if not in_scope(where.territories()):
            problem(
                InputError(
                    f"la commune {where.code_insee} ({where.nom}) est hors de votre territoire",
                    where=["code_insee"],
                    expected="une commune de votre territoire",
                ),
                "code_insee",
            )
            continue
        checked_rows.append((siret, checked))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ImportRefused(path, problems[:MAX_PROBLEMS], len(table.rows))
    by_siret: dict[str, Company] = {}
    for siret, fields in new_companies.items():
        by_siret[siret] = save_company(conn, actor, siret=siret, **fields)
    needs = []
    for siret, checked in checked_rows:
        found = by_siret.get(siret) or find_company(conn, siret)
        assert found is not None
        by_siret[siret] = found
        needs.append(insert_need(conn, actor, found, checked, action="besoin.importer"))
    record(
        conn,
        actor,
        "besoin.fichier",
        f"import:{path}"[:128],
        after={"fichier": path, "besoins": len(needs), "entreprises_creees": len(new_companies)},
    )
    return Imported(needs, len(new_companies))
