"""Requests in and out of files: import from CSV or XLSX (all or nothing, every error naming
the file, line, column and what was expected, like the sources' loaders), and the restitution
frame of a campaign with Orion's columns for which the store has data.

An imported file has one request per line; its header names each column by the field's code
(``type``, ``uai``, ``mef_stat_11``, ``rentree``, ``capacite_scolaire_avant``…) or by Orion's
restitution label (« UAI », « Type de demande », « RS », « Capacité en voie scolaire
actuelle »…). Kinds and reasons are given by code or label; several reasons or partners are
separated by « ; ». Imported requests start as brouillons.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from tremplin.diagnostic.facts import Facts
from tremplin.errors import InputError
from tremplin.formats import format_datetime
from tremplin.planning.counts import request_frame
from tremplin.planning.offers import territories_of
from tremplin.planning.reconciliation import reconcile
from tremplin.planning.requests import Request, create_request
from tremplin.planning.validators import RequestFields, RequestRefused, from_mapping
from tremplin.planning.vocabulary import KINDS, REASONS, STATUSES, label
from tremplin.sources.errors import SourceError
from tremplin.sources.readers import read_tables
from tremplin.store.audit import Actor

ORION_LABELS = {
    "type": "Type de demande",
    "uai": "UAI",
    "mef_stat_11": "MEF STAT 11",
    "cfd": "CFD",
    "rentree": "RS",
    "motifs": "Motif(s) de la demande",
    "autre_motif": "Autre motif",
    "capacite_scolaire_avant": "Capacité en voie scolaire actuelle",
    "capacite_scolaire_apres": "Future capacité en voie scolaire",
    "capacite_apprentissage_avant": "Capacité en apprentissage actuelle",
    "capacite_apprentissage_apres": "Future capacité en apprentissage",
    "capacite_scolaire_coloree_avant": "Capacité colorée actuelle en voie scolaire",
    "capacite_scolaire_coloree_apres": "Future capacité colorée en voie scolaire",
    "capacite_apprentissage_coloree_avant": "Capacité colorée actuelle en apprentissage",
    "capacite_apprentissage_coloree_apres": "Future capacité colorée en apprentissage",
    "libelle_coloration": "Libellé(s) coloration(s)",
    "commentaire": "Commentaire",
    "partenaires": "Partenaire(s) économique(s)",
    "uai_cible": "UAI de l’établissement qui reçoit",
    "mef_stat_11_cible": "MEF STAT 11 de la formation qui remplace",
}
"""Orion's restitution label of each field (the last three are Tremplin's)."""
MAX_LISTED = 10
"""How many of a file's errors one message names (all are counted)."""


def _key(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in plain if c.isalnum())


_HEADERS = {_key(name): name for name in RequestFields.field_names()} | {
    _key(text): name for name, text in ORION_LABELS.items()
}
_HEADERS |= {
    _key("Partenaire économique 1"): "partenaires",
    _key("Partenaire économique 2"): "partenaires",
}
_KINDS = {_key(code): code for code in KINDS} | {_key(text): code for code, text in KINDS.items()}
_REASONS = {_key(code): code for code in REASONS} | {
    _key(text): code for code, text in REASONS.items()
}


def _coded(value: str, table: dict[str, str]) -> str:
    return table.get(_key(value), value.strip())


def _fields(header: list[str], row: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, cell in zip(header, row, strict=False):
        cell = cell.strip()
        if name == "partenaires":
            values.setdefault("partenaires", [])
            values["partenaires"] += [p.strip() for p in cell.split(";") if p.strip()]
        elif name == "type":
            values[name] = _coded(cell, _KINDS)
        elif name == "motifs":
            parts = [p for p in cell.replace(",", ";").split(";") if p.strip()]
            values[name] = [_coded(p, _REASONS) for p in parts]
        else:
            values[name] = cell
    return values


def import_requests(
    conn: sa.Connection,
    actor: Actor,
    campagne_id: int,
    path: Path,
    raw: bytes,
    facts: Facts | None,
) -> list[Request]:
    """Create a request per line of the CSV or XLSX file ``path`` (content ``raw``) in the
    campaign, each as a brouillon with its history and audit line. All or nothing: the first
    error of any line raises a ``SourceError`` naming every error found (file, line, column,
    rule), and the caller's transaction is rolled back, leaving the store as it was."""
    tables = read_tables(path, raw)
    if not tables or not tables[0].rows:
        raise SourceError(path, "aucune demande dans le fichier", expected="une demande par ligne")
    table = tables[0]
    header: list[str] = []
    for index, text in enumerate(table.header):
        name = _HEADERS.get(_key(text))
        if name is None and text.strip():
            raise SourceError(
                path,
                f"colonne « {text} » inconnue",
                line=1,
                column=table.column_label(index),
                expected="les champs d’une demande : " + ", ".join(RequestFields.field_names()),
            )
        header.append(name or "")
    missing = [n for n in ("type", "uai", "mef_stat_11", "rentree") if n not in header]
    if missing:
        raise SourceError(
            path, f"colonne(s) manquante(s) : {', '.join(missing)}", line=1, expected="ces colonnes"
        )
    created: list[Request] = []
    errors: list[SourceError] = []
    for row, line in zip(table.rows, table.lines, strict=True):
        try:
            values = {k: v for k, v in _fields(header, row).items() if k}
            fields = from_mapping(values)
            created.append(
                create_request(
                    conn, actor, campagne_id, fields, territoires=territories_of(facts, fields.uai)
                )
            )
        except RequestRefused as refused:
            errors += [
                SourceError(path, p.rule, line=line, column=_column(p.field, header, table.header))
                for p in refused.problems
            ]
        except InputError as error:
            field = error.where[-1] if error.where else None
            column = _column(field, header, table.header) if field else None
            errors.append(
                SourceError(path, error.message, line=line, column=column, expected=error.expected)
            )
    if errors:
        raise _summary(path, errors)
    return created


def _column(field: str, header: list[str], labels: list[str]) -> str:
    """The file's header of ``field`` (its code when the file has no such column)."""
    return labels[header.index(field)] if field in header else field


def _summary(path: Path, errors: list[SourceError]) -> SourceError:
    first = errors[0]
    others = [f"ligne {e.line}, colonne « {e.column} » : {e.message}" for e in errors[1:MAX_LISTED]]
    message = first.message
    if len(errors) > 1:
        message += f" — {len(errors)} erreurs en tout, aucune demande importée"
        if others:
            message += " ; aussi : " + " ; ".join(others)
    else:
        message += " — aucune demande importée"
    return SourceError(path, message, line=first.line, column=first.column, expected=first.expected)


RESTITUTION_COLUMNS = (
    ("id", "N° demande"),
    ("uai", "UAI"),
    ("etablissement", "Établissement"),
    ("commune", "Commune"),
    ("region", "CodeRégion"),
    ("academie", "CodeAcadémie"),
    ("departement", "CodeDépartement"),
    ("cfd", "CFD"),
    ("mef_stat_11", "MEF STAT 11"),
    ("libelle_formation", "Formation"),
    ("secteur", "Domaine de formation (NSF)"),
    ("niveau", "Diplôme"),
    ("type_libelle", "Type de demande"),
    ("motifs_libelles", "Motif(s) de la demande"),
    ("autre_motif", "Autre motif"),
    ("rentree", "RS"),
    ("diff_scolaire", "Nombre de places en voie scolaire"),
    ("diff_scolaire_coloree", "Nombre de places colorées en voie scolaire"),
    ("diff_apprentissage", "Nombre de places en apprentissage"),
    ("diff_apprentissage_coloree", "Nombre de places colorées en apprentissage"),
    *((name, ORION_LABELS[name]) for name in ORION_LABELS if name.startswith("capacite_")),
    ("libelle_coloration", "Libellé(s) coloration(s)"),
    ("partenaire_1", "Partenaire économique 1"),
    ("partenaire_2", "Partenaire économique 2"),
    ("uai_cible", ORION_LABELS["uai_cible"]),
    ("mef_stat_11_cible", ORION_LABELS["mef_stat_11_cible"]),
    ("commentaire", "Commentaire"),
    ("auteur", "Auteur"),
    ("cree_le", "Date de création"),
    ("modifie_le", "Date de dernière modification"),
    ("statut_libelle", "Statut"),
    ("quadrant", "Position dans le quadrant"),
    ("emploi_pct", "Tx d'emploi à 6 mois régional (%)"),
    ("poursuite_pct", "Tx de poursuite d'études régional (%)"),
    ("suivi_fait", "Rapprochement avec le constat de rentrée"),
    ("suivi", "Suivi à la rentrée"),
)
"""The restitution's columns: (field of the frame, Orion's label)."""


def restitution_frame(requests: Sequence[Request], facts: Facts | None) -> pl.DataFrame:
    """One row per request with Orion's restitution columns (French headers, in order), for
    those the store has data for: establishment, formation, kind, reasons, rentrée, capacities
    by voie, partners, quadrant and regional rates, status, follow-up at the rentrée."""
    described = request_frame(requests, facts)
    followed = {r.demande_id: r for r in reconcile(list(requests), facts)}
    extra: list[dict[str, Any]] = []
    for request in requests:
        f = request.fields
        partners = list(f.partenaires)
        follow = followed[request.id]
        row: dict[str, Any] = {
            "id": request.id,
            "type_libelle": label(KINDS, f.type),
            "motifs_libelles": " ; ".join(label(REASONS, m) for m in f.motifs),
            "autre_motif": f.autre_motif,
            "libelle_coloration": f.libelle_coloration,
            "partenaire_1": partners[0] if partners else None,
            "partenaire_2": " ; ".join(partners[1:]) or None,
            "uai_cible": f.uai_cible,
            "mef_stat_11_cible": f.mef_stat_11_cible,
            "commentaire": f.commentaire,
            "auteur": request.auteur,
            "cree_le": format_datetime(_aware(request.created_at)),
            "modifie_le": format_datetime(_aware(request.updated_at)),
            "statut_libelle": label(STATUSES, request.statut),
            "suivi_fait": {True: "fait", False: "non fait", None: "non vérifiable"}[follow.fait],
            "suivi": follow.explication,
        }
        for voie in ("scolaire", "apprentissage"):
            for coloree in ("", "_coloree"):
                after = getattr(f, f"capacite_{voie}{coloree}_apres")
                row[f"diff_{voie}{coloree}"] = after - getattr(f, f"capacite_{voie}{coloree}_avant")
        for name in ORION_LABELS:
            if name.startswith("capacite_"):
                row[name] = getattr(f, name)
        extra.append(row)
    if not extra:
        return pl.DataFrame({text: [] for _, text in RESTITUTION_COLUMNS})
    frame = described.select(
        "id", "uai", "etablissement", "commune", "region", "academie", "departement", "cfd",
        "mef_stat_11", "libelle_formation", "secteur", "niveau", "rentree", "quadrant",
        (pl.col("taux_emploi_6_mois") * 100).round(1).alias("emploi_pct"),
        (pl.col("taux_poursuite") * 100).round(1).alias("poursuite_pct"),
    ).join(pl.DataFrame(extra, infer_schema_length=None), on="id", how="left")  # fmt: skip
    return frame.select(pl.col(name).alias(text) for name, text in RESTITUTION_COLUMNS)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
