"""The application factory: settings in, FastAPI application out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from tremplin import __version__
from tremplin.config import Settings
from tremplin.store.database import open_store
from tremplin.web import api, pages
from tremplin.web.assets import STATIC
from tremplin.web.templating import create_templates, render

API_PREFIX = "/api"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DOCS_URL = f"{API_PREFIX}/docs"

_DESCRIPTION = (
    "Données du partenariat entre la région académique Auvergne-Rhône-Alpes et l'UIMM : "
    "jeunes, formations et métiers de l'industrie. Chaque chiffre renvoie au fichier officiel "
    "dont il provient (voir `/api/v1/sources`)."
)


def create_app(settings: Settings) -> FastAPI:
    """The web application for ``settings``.

    Opens the store at ``settings.database_url`` (bringing its schema up to date) and keeps the
    engine on ``app.state.engine``, with the settings on ``app.state.settings``; the engine is
    disposed of when the application shuts down.
    """
    engine = open_store(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="Tremplin",
        version=__version__,
        description=_DESCRIPTION,
        openapi_url=OPENAPI_URL,
        # FastAPI's own pages load Swagger UI from a CDN; /api/docs serves the vendored copy.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.templates = create_templates()

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.add_api_route(DOCS_URL, _swagger_ui, include_in_schema=False)
    app.add_exception_handler(HTTPException, _http_error)
    return app


def _swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on the OpenAPI document, from the copy under static/vendor."""
    vendor = "/static/vendor/swagger-ui"
    return get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title="Tremplin — API",
        swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
        swagger_css_url=f"{vendor}/swagger-ui.css",
        swagger_favicon_url=f"{vendor}/favicon-32x32.png",
        # Swagger UI would otherwise send the document to an online validator for a badge.
        swagger_ui_parameters={"validatorUrl": None},
    )


async def _http_error(request: Request, error: Exception) -> Response:
    """A French HTML page for errors on pages; the API keeps FastAPI's JSON errors."""
    assert isinstance(error, HTTPException)
    if request.url.path.startswith(API_PREFIX) or request.url.path.startswith("/static/"):
        return await http_exception_handler(request, error)
    return render(request, "error.html", {"status": error.status_code}, error.status_code)
