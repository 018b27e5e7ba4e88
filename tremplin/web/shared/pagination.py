"""Pages of a frame, and frames as JSON: what every paginated table of the API answers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl
from fastapi.responses import JSONResponse


@dataclass(frozen=True)
class Page:
    """One page of a frame: the rows shown and how many there are in all."""

    total: int
    page: int
    taille: int
    rows: pl.DataFrame

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.taille))


def paginate(frame: pl.DataFrame, page: int, taille: int) -> Page:
    """Rows ``(page - 1) × taille`` to ``page × taille`` of ``frame`` (pages count from 1)."""
    # Past the end, an empty page (never an offset a slice cannot hold).
    start = min((page - 1) * taille, frame.height)
    return Page(frame.height, page, taille, frame.slice(start, taille))


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-ready dictionaries (NaN as null)."""
    rows = frame.to_dicts()
    floats = [name for name, dtype in frame.schema.items() if dtype.is_float()]
    if floats:
        for row in rows:
            for name in floats:
                value = row[name]
                if value is not None and not math.isfinite(value):
                    row[name] = None
    return rows


def page_json(shown: Page) -> JSONResponse:
    """``{"total", "page", "taille", "lignes"}`` for one page of rows."""
    return JSONResponse(
        {
            "total": shown.total,
            "page": shown.page,
            "taille": shown.taille,
            "lignes": records(shown.rows),
        }
    )
