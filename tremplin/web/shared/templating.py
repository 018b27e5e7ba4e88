"""Jinja2 templates: French formats as filters, and what every page needs in its context.

Each feature keeps its templates in its own folder (``web/<feature>/templates``); the loader
searches those folders, then the shared base (``web/shared/templates``: the page layout and the
error page). A template's name is unique across features.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response

from tremplin import formats
from tremplin.config import Settings
from tremplin.reports.figures import format_cell, format_value
from tremplin.store.provenance import demo_loaded
from tremplin.web.shared.auth import csrf_token, set_csrf_cookie

SHARED_TEMPLATES = Path(__file__).with_name("templates")
FEATURE_TEMPLATES = tuple(
    sorted(p for p in Path(__file__).parent.parent.glob("*/templates") if p != SHARED_TEMPLATES)
)
TEMPLATE_FOLDERS = (*FEATURE_TEMPLATES, SHARED_TEMPLATES)
"""Where templates are looked for: every feature's folder, then the shared base."""


def request_engine(request: Request) -> sa.Engine:
    """The store's engine, kept on the application by ``create_app``."""
    engine: sa.Engine = request.app.state.engine
    return engine


def request_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


def _page_context(request: Request) -> dict[str, Any]:
    # Computed on each request: loading demo files while the server runs must show the banner
    # at once, and a real load that replaces them must hide it.
    with request_engine(request).connect() as conn:
        demo = demo_loaded(conn)
    return {
        "demo_data": demo,
        "current_path": request.url.path,
        # Called by the templates that hold a form only: the pages kept for everyone by the
        # response cache must carry no one's token (nor their account).
        "csrf_token": lambda: csrf_token(request),
    }


_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: Any) -> Markup:
    """``value`` as JSON to embed in a ``<script type="application/json">`` element: ``<``,
    ``>`` and ``&`` escaped as ``\\u003c``… so that no text of the data (``<!--<script>``,
    ``</script>``) can end the element or change how the HTML parser reads it; ``JSON.parse``
    reads the same value back."""
    text = json.dumps(value, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return Markup(text)


def create_templates() -> Jinja2Templates:
    """The template set of the site, with the formats of :mod:`tremplin.formats` as filters."""
    templates = Jinja2Templates(directory=TEMPLATE_FOLDERS, context_processors=[_page_context])
    templates.env.filters.update(
        number=formats.format_number,
        decimal=formats.format_decimal,
        percent=formats.format_percent,
        date=formats.format_date,
        datetime=formats.format_datetime,
        valeur=lambda value, name: format_value(name, value),
        # A row's figure, saying « secret » or « au moins N » where BMO cells are secret.
        cellule=lambda row, name: format_cell(row, name),
    )
    return templates


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """The page ``name`` rendered with ``context`` (plus the per-request page context)."""
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, name, context or {}, status_code=status_code)
    set_csrf_cookie(request, response)
    return response
