"""The application factory: settings in, FastAPI application out."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from tremplin import __version__
from tremplin.accounts.policy import default_policy
from tremplin.config import Settings
from tremplin.diagnostic.facts import FactsCache
from tremplin.orientation.search import TradeSearch
from tremplin.referentials.perimeter import Perimeter
from tremplin.store.database import open_store
from tremplin.store.derived import fingerprint as digest
from tremplin.web.accounts import api as account_api
from tremplin.web.accounts import audit_pages
from tremplin.web.accounts import pages as account_pages
from tremplin.web.candidates import api as candidate_api
from tremplin.web.candidates import pages as candidate_pages
from tremplin.web.companies import api as company_api
from tremplin.web.companies import applications_api, offers_api, offers_pages
from tremplin.web.companies import pages as company_pages
from tremplin.web.companies import trainings as need_trainings
from tremplin.web.diagnostic import api as diagnostic_api
from tremplin.web.diagnostic import (
    console_api,
    console_pages,
    reference_pages,
    synthesis_pages,
    trend_api,
    trend_pages,
)
from tremplin.web.diagnostic import pages as diagnostic_pages
from tremplin.web.diagnostic.service import DiagnosticService
from tremplin.web.diagnostic.warm_pages import (
    START_DELAY,
    InFlight,
    VisitorsInFlight,
    warm_pages,
)
from tremplin.web.home import api as home_api
from tremplin.web.home import pages as home_pages
from tremplin.web.orientation import api as orientation_api
from tremplin.web.orientation import pages as orientation_pages
from tremplin.web.orientation import search_api, search_pages
from tremplin.web.planning import api as planning_api
from tremplin.web.planning import optimiser_api as carte_optimiser_api
from tremplin.web.planning import optimiser_pages as carte_optimiser_pages
from tremplin.web.planning import pages as planning_pages
from tremplin.web.shared.assets import STATIC
from tremplin.web.shared.auth import requires
from tremplin.web.shared.caching import SharedResponses, code_fingerprint
from tremplin.web.shared.errors import API_PREFIX, install_error_handlers
from tremplin.web.shared.security import SecurityMiddleware
from tremplin.web.shared.templating import create_templates
from tremplin.web.simulations import api as simulation_api
from tremplin.web.simulations import pages as simulation_pages
from tremplin.web.simulations.service import SimulationService

OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DOCS_URL = f"{API_PREFIX}/docs"
FRAMEWORK_ROUTES = {
    OPENAPI_URL: "lecture",
    "/static": "lecture",
}
"""Routes the framework adds (the OpenAPI document, the static files), which cannot declare a
dependency: both public, read-only (« lecture »). Every other route declares its action with
``requires`` (``tests/web/test_policy_routes.py`` checks it)."""

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
    its facts on first use, again whenever the store changes (several processes on one store see
    a load through the store's fingerprint). Simulations (``app.state.simulations``) are jobs
    of the store: on SQLite they run on those facts in this process's pool, on PostgreSQL on
    ``tremplin worker`` processes. The trade search of orientation (``app.state.trade_search``)
    keeps its index in memory, built before the first request and again after a load.
    """
    engine = open_store(settings.database_url)
    perimeter = Perimeter.load(settings.perimetre)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Before the first request: the stored facts are read, the région's figures computed and
        # the diagnostic's first page rendered once in-process (its response is kept like any
        # other), so that the first visitor after a restart is answered like the next ones.
        await asyncio.to_thread(app.state.diagnostic.warm_up)
        # The trade search's index too (about a second on the real ROME files).
        await asyncio.to_thread(app.state.trade_search.index)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            await client.get("/diagnostic")
        # Then, in the background, the région's pages planners open first (shared with the
        # server's other processes through the store).
        warming = (
            asyncio.create_task(warm_pages(app, delay=START_DELAY))
            if settings.prechauffage
            else None
        )
        yield
        if warming is not None:
            warming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await warming
        app.state.simulations.close()
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
    app.state.policy = default_policy()
    # Responses are shared with the store's other processes running this code and settings.
    shared = SharedResponses(engine, digest(code_fingerprint(), repr(settings)))
    app.state.diagnostic = DiagnosticService(engine, FactsCache(engine, perimeter), shared=shared)
    app.state.simulations = SimulationService(engine, app.state.diagnostic, settings)
    app.state.trade_search = TradeSearch(engine, perimeter)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(home_pages.router)
    app.include_router(diagnostic_pages.router)
    app.include_router(console_pages.router)
    app.include_router(reference_pages.router)
    app.include_router(trend_pages.router)
    app.include_router(synthesis_pages.router)
    app.include_router(simulation_pages.router)
    app.include_router(search_pages.router)
    app.include_router(planning_pages.router)
    app.include_router(carte_optimiser_pages.router)
    app.include_router(carte_optimiser_pages.impact_router)
    app.include_router(carte_optimiser_pages.proposals_router)
    app.include_router(orientation_pages.router)
    app.include_router(home_api.router)
    # Before the diagnostic's /api/v1/carte/{maille} (the map), whose path would take
    # /api/v1/carte/campagnes, /demandes, /impact and /optimisations.
    app.include_router(planning_api.router)
    app.include_router(carte_optimiser_api.router)
    app.include_router(diagnostic_api.router)
    app.include_router(console_api.router)
    app.include_router(trend_api.router)
    app.include_router(simulation_api.router)
    app.include_router(search_api.router)
    app.include_router(orientation_api.router)
    app.include_router(account_pages.router)
    app.include_router(account_api.router)
    app.include_router(audit_pages.router)
    app.include_router(audit_pages.api_router)
    app.include_router(company_pages.router)
    app.include_router(company_api.router)
    app.include_router(offers_api.router)
    app.include_router(need_trainings.router)
    app.include_router(need_trainings.export_router)
    app.include_router(candidate_pages.router)
    app.include_router(candidate_api.router)
    app.include_router(offers_pages.router)
    app.include_router(applications_api.router)
    app.add_api_route(
        DOCS_URL, _swagger_ui, include_in_schema=False, dependencies=[requires("lecture")]
    )
    install_error_handlers(app)
    # Outermost: a refused Host or body never reaches a route, and every answer has the headers.
    app.add_middleware(SecurityMiddleware, allowed_hosts=settings.allowed_hosts)
    # Counts the visitors' requests being answered: the background warm-up waits for them.
    app.state.in_flight = InFlight()
    app.add_middleware(VisitorsInFlight, counter=app.state.in_flight)
    return app


def create_app_from_env() -> FastAPI:
    """The application of the environment's settings: what each process of ``tremplin serve
    --workers N`` builds (uvicorn imports it by name, with ``factory=True``)."""
    return create_app(Settings.from_env())


_SWAGGER_PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tremplin — API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="stylesheet" href="/static/api-docs.css">
<link rel="icon" href="/static/vendor/swagger-ui/favicon-32x32.png">
</head>
<body>
<main id="swagger-ui" data-openapi-url="{openapi_url}"></main>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def _swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on the OpenAPI document, from the copy under static/vendor; its set-up is a
    file (``static/api-docs.js``), not an inline script, as the Content-Security-Policy asks."""
    return HTMLResponse(_SWAGGER_PAGE.format(openapi_url=OPENAPI_URL))
