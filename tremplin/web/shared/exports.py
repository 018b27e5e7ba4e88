"""One way to export a table: the same rows as CSV, XLSX or JSON, by the address's extension.

A feature declares what a table is for a request (:class:`Table`: rows, columns, title, filters,
sources) once; :func:`add_export_routes` adds ``/<name>.csv``, ``/<name>.xlsx`` and
``/<name>.json`` to its router, each documented in the OpenAPI document, each answering a file
to download. CSV and XLSX follow :mod:`tremplin.reports.exports` (French headers, « ; », decimal
comma, a preamble of filters, sources and files); JSON gives the same preamble as fields and the
rows under their stable snake_case names, as the API does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import polars as pl
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tremplin.reports.exports import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    ExportInfo,
    attachment,
    to_csv,
    to_xlsx,
)
from tremplin.web.shared.pagination import records

Q = TypeVar("Q")

JSON_MEDIA_TYPE = "application/json"
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("CSV", CSV_MEDIA_TYPE),
    "xlsx": ("XLSX", XLSX_MEDIA_TYPE),
    "json": ("JSON", JSON_MEDIA_TYPE),
}
"""Each export format: its extension, its name in the documentation and its media type."""

Keep = Callable[[Request, Hashable, Callable[[], bytes]], bytes]
"""How a feature keeps an export's bytes (``keep(request, key, build)``), e.g. until the store
changes."""


@dataclass(frozen=True)
class Table:
    """A table to export: its rows, the columns exported in order, what it says of itself
    (title, filters, sources and years, loaded files) and the name of its XLSX sheet."""

    frame: pl.DataFrame
    columns: Sequence[str]
    info: ExportInfo
    sheet: str


def to_json(frame: pl.DataFrame, columns: Sequence[str], info: ExportInfo) -> bytes:
    """The JSON export: title, filters, sources and files, then the rows (NaN as null)."""
    kept = [c for c in columns if c in frame.columns]
    document = {
        "titre": info.title,
        "calcule_le": info.created.isoformat(),
        "filtres": [{"nom": k, "valeur": v} for k, v in info.filters],
        "sources": [{"source": k, "annees": v} for k, v in info.sources],
        "fichiers": [{"fichier": k, "millesime": v} for k, v in info.files],
        "lignes": records(frame.select(kept)),
    }
    return json.dumps(document, ensure_ascii=False, default=str).encode("utf-8")


def render_table(table: Table, kind: str) -> bytes:
    """``table`` as a file of format ``kind`` (csv, xlsx or json)."""
    if kind == "csv":
        return to_csv(table.frame, table.columns, table.info)
    if kind == "xlsx":
        return to_xlsx(table.frame, table.columns, table.info, table.sheet)
    if kind == "json":
        return to_json(table.frame, table.columns, table.info)
    raise KeyError(kind)


def add_export_routes(
    router: APIRouter,
    name: str,
    what: str,
    query: Callable[..., Q],
    table: Callable[[Request, Q], Table],
    *,
    keep: Keep | None = None,
    descriptions: Mapping[str, str] | None = None,
    formats: Sequence[str] = tuple(FORMATS),
) -> None:
    """Add ``GET /<name>.<format>`` to ``router`` for each of ``formats``.

    ``query`` is the FastAPI dependency that reads the request's filters (its parameters are
    documented once, for every format); ``table(request, filters)`` gives the rows to export;
    ``keep``, when given, keeps each file's bytes by (name, format, filters). ``what`` names the
    table in the summaries (« Diagnostic » → « Diagnostic en CSV »); ``descriptions`` gives a
    format's longer description.
    """
    for kind in formats:
        label, media_type = FORMATS[kind]
        router.add_api_route(
            f"/{name}.{kind}",
            _export_endpoint(name, kind, media_type, query, table, keep),
            methods=["GET"],
            name=f"{name}_{kind}",
            summary=f"{what} en {label}",
            description=(descriptions or {}).get(kind, ""),
            response_class=Response,
            responses={200: {"content": {media_type: {}}}},
        )


def _export_endpoint(
    name: str,
    kind: str,
    media_type: str,
    query: Callable[..., Q],
    table: Callable[[Request, Q], Table],
    keep: Keep | None,
) -> Callable[..., Response]:
    def export(request: Request, filters: Any = Depends(query)) -> Response:  # noqa: B008
        def build() -> bytes:
            return render_table(table(request, filters), kind)

        content = keep(request, (name, kind, filters), build) if keep else build()
        return Response(content, media_type=media_type, headers=attachment(f"{name}.{kind}"))

    return export
