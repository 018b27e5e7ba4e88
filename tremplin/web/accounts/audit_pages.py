"""The audit log for administrators: a page of its newest lines, its exports (CSV, XLSX, JSON)
and a JSON page of it in the API."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from tremplin.reports.exports import ExportInfo
from tremplin.store.audit import AUDIT_COLUMNS, count_audit, read_audit
from tremplin.web.shared.auth import requires
from tremplin.web.shared.exports import Table, add_export_routes
from tremplin.web.shared.pagination import Page, page_json
from tremplin.web.shared.params import Page as PageParam
from tremplin.web.shared.params import Taille
from tremplin.web.shared.templating import render, request_engine

PAGE_SIZE = 50
FRENCH_NAMES = {
    "id": "id",
    "at": "date",
    "actor": "auteur",
    "actor_id": "compte_auteur",
    "action": "action",
    "target": "cible",
    "before": "avant",
    "after": "apres",
}
"""The audit log's columns as the API and the exports name them."""

router = APIRouter(include_in_schema=False, dependencies=[requires("audit.lire")])
api_router = APIRouter(
    prefix="/api/v1", tags=["Comptes et droits"], dependencies=[requires("audit.lire")]
)


def _page(request: Request, page: int, taille: int) -> Page:
    with request_engine(request).connect() as conn:
        total = count_audit(conn)
        rows = read_audit(conn, limit=taille, offset=(page - 1) * taille)
    return Page(total, page, taille, _french(rows))


def _french(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename(FRENCH_NAMES)


def _readable(document: str | None) -> str:
    if document is None:
        return "—"
    value: Any = json.loads(document)
    if isinstance(value, dict):
        return " ; ".join(f"{k} = {v}" for k, v in value.items())
    return str(value)


@router.get("/admin/journal", name="audit-log")
def audit_page(request: Request, page: PageParam = 1) -> Response:
    """The newest lines of the audit log, :data:`PAGE_SIZE` a page."""
    shown = _page(request, page, PAGE_SIZE)
    lines = [
        {**row, "avant": _readable(row["avant"]), "apres": _readable(row["apres"])}
        for row in shown.rows.to_dicts()
    ]
    return render(request, "journal.html", {"shown": shown, "lines": lines})


@api_router.get("/journal", summary="Le journal des modifications (administrateurs)")
def audit_api(request: Request, page: PageParam = 1, taille: Taille = 100) -> JSONResponse:
    """Les lignes du journal, les plus récentes d’abord : qui, quand, quoi, avant, après."""
    return page_json(_page(request, page, taille))


def _no_filters() -> None:
    return None


def _table(request: Request, _filters: None) -> Table:
    with request_engine(request).connect() as conn:
        frame = _french(read_audit(conn))
    columns = [FRENCH_NAMES[name] for name in AUDIT_COLUMNS]
    return Table(frame, columns, ExportInfo("Journal des modifications"), "Journal")


add_export_routes(router, "admin/journal", "Journal des modifications", _no_filters, _table)
