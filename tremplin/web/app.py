"""The application factory: settings in, FastAPI application out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from tremplin import __version__
from tremplin.config import Settings
from tremplin.diagnostic.facts import FactsCache
from tremplin.referentials.perimeter import Perimeter
from tremplin.store.database import open_store
from tremplin.web import (
    api,
    console_api,
    console_pages,
    diagnostic_api,
    diagnostic_pages,
    pages,
    reference_pages,
    simulation_api,
    simulation_pages,
)
from tremplin.web.assets import STATIC
from tremplin.web.diagnostic_service import DiagnosticService
from tremplin.web.simulation_service import SimulationService
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
    disposed of when the application shuts down. The diagnostic (``app.state.diagnostic``) reads
    the industrial perimeter of ``settings.perimetre`` (the default one when unset) and builds
    its facts on first use, again whenever the store changes. Simulations
    (``app.state.simulations``) run on those facts, in the background, and are kept in memory.
    """
    engine = open_store(settings.database_url)
    perimeter = Perimeter.load(settings.perimetre)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Before the first request: the stored facts are read, the région's figures computed and
        # the diagnostic's first page rendered once in-process (its response is kept like any
        # other), so that the first visitor after a restart is answered like the next ones.
        await asyncio.to_thread(app.state.diagnostic.warm_up)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://tremplin") as client:
            await client.get("/diagnostic")
        yield
        app.state.simulations.registry.close()
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
    app.state.perimeter = perimeter
    app.state.diagnostic = DiagnosticService(engine, FactsCache(engine, perimeter))
    app.state.simulations = SimulationService(engine, app.state.diagnostic)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(diagnostic_pages.router)
    app.include_router(console_pages.router)
    app.include_router(reference_pages.router)
    app.include_router(simulation_pages.router)
    app.include_router(api.router)
    app.include_router(diagnostic_api.router)
    app.include_router(console_api.router)
    app.include_router(simulation_api.router)
    app.add_api_route(DOCS_URL, _swagger_ui, include_in_schema=False)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
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
    message = error.detail if error.status_code == 422 and isinstance(error.detail, str) else None
    return render(
        request, "error.html", {"status": error.status_code, "message": message}, error.status_code
    )


_VALIDATION_MESSAGES = {
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "missing": "paramètre obligatoire",
    "string_too_long": "valeur trop longue",
    "string_type": "du texte est attendu",
    "list_type": "une liste est attendue",
    "model_attributes_type": "un objet est attendu",
    "dict_type": "un objet est attendu",
    "json_invalid": "JSON mal formé",
}


def _location(location: object) -> str:
    """The parameter at fault: its name, or for a JSON body its path (« changements[0].places »)."""
    if not isinstance(location, list | tuple) or not location:
        return "paramètre"
    if location[0] != "body" or len(location) < 2:
        return str(location[-1])
    path = ""
    for part in location[1:]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _validation_message(error: dict[str, object]) -> str:
    name = _location(error.get("loc"))
    kind = str(error.get("type", ""))
    context = error.get("ctx") if isinstance(error.get("ctx"), dict) else {}
    assert isinstance(context, dict)
    if kind == "greater_than_equal":
        reason = f"au moins {context.get('ge')} est attendu"
    elif kind == "less_than_equal":
        reason = f"au plus {context.get('le')} est attendu"
    else:
        reason = _VALIDATION_MESSAGES.get(kind, "valeur invalide")
    value = error.get("input")
    shown = f" « {value} »" if isinstance(value, str | int | float) else ""
    return f"{name}{shown} : {reason}"


async def _validation_error(request: Request, error: Exception) -> Response:
    """A bad parameter: a French message, as JSON for the API and as a page otherwise."""
    assert isinstance(error, RequestValidationError)
    message = " ; ".join(_validation_message(dict(e)) for e in error.errors())
    if request.url.path.startswith(API_PREFIX):
        return JSONResponse({"detail": message}, status_code=422)
    return render(request, "error.html", {"status": 422, "message": message}, 422)
