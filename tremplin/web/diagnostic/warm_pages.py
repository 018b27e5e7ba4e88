"""The pages a web server computes in the background once it has started.

The first minute after a start would otherwise compute every new page once in each process (a
tenth of a second to half a second each): the région's territory pages, consoles and API
answers that planners open first are computed here, one after the other, in an order of each
process's own, through the application itself. A response another process already computed is
read from the store instead (``SharedResponses``), so that the processes share the work.

Visitors go first: the warm-up starts ``START_DELAY`` seconds after the server, and waits
before each page while a visitor's request is being answered (:class:`VisitorsInFlight`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from urllib.parse import quote, urlsplit

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from tremplin.diagnostic import rules
from tremplin.web.diagnostic.service import DiagnosticService, response_key

_log = logging.getLogger(__name__)

GROUPINGS = ("fap", "famille_fap", "famille_metiers", "diplome")
START_DELAY = 2.0
"""Seconds after a start before the warm-up asks its first page (the first visitors first)."""
WARM_HEADER = "x-tremplin-prechauffage"
"""The header of the warm-up's own requests (not counted as visitors)."""


class InFlight:
    """How many visitors' requests are being answered (a counter shared with the middleware)."""

    def __init__(self) -> None:
        self.count = 0


class VisitorsInFlight:
    """ASGI middleware counting the visitors' requests being answered in ``counter``."""

    def __init__(self, app: ASGIApp, counter: InFlight) -> None:
        self.app = app
        self.counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        warm = any(name == WARM_HEADER.encode() for name, _ in scope.get("headers", ()))
        if scope["type"] != "http" or warm:
            await self.app(scope, receive, send)
            return
        self.counter.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.counter.count -= 1


NIVEAUX = tuple(n for n in rules.NIVEAUX if n != "Autre")


def addresses(found: DiagnosticService) -> list[str]:
    """The région's pages and API answers planners open first: each académie's and
    département's page (every perimeter), the consoles of each département (every level) and
    académie (every perimeter), the indicators of its bassins and départements, its trade
    pages."""
    region = found.region
    academies = found.territories("academie", region)["code"].to_list()
    departements = found.territories("departement", region)["code"].to_list()
    pages = ["/couverture"]
    for maille, codes in (("academie", academies), ("departement", departements)):
        for code in codes:
            pages.append(f"/diagnostic/territoire/{maille}/{code}")
            pages += [
                f"/diagnostic/territoire/{maille}/{code}?perimetre={p}" for p in rules.PERIMETRES
            ]
    for code in departements:
        pages += [
            f"/diagnostic/formations?code_departement={code}&niveau={quote(n)}" for n in NIVEAUX
        ]
        pages.append(f"/api/v1/offres?code_departement={code}&taille=100")
    for code in academies:
        pages += [
            f"/diagnostic/offres?code_academie={code}&perimetre={p}" for p in rules.PERIMETRES
        ]
    inside = f"dans=region:{region}"
    for perimetre in rules.PERIMETRES:
        for niveau in NIVEAUX:
            level = f"perimetre={perimetre}&niveau={quote(niveau)}"
            pages.append(f"/api/v1/diagnostic?maille=bassin&{inside}&{level}&taille=100")
            pages += [
                f"/api/v1/diagnostic?maille=departement&groupement={g}&{inside}&{level}"
                for g in GROUPINGS
            ]
    pages += [
        f"/diagnostic/metier/famille_fap/{code}"
        for code, _ in found.groups("famille_fap", rules.PERIMETRES[0])
    ]
    return pages


def _key(address: str) -> tuple[str, str]:
    parts = urlsplit(address)
    return response_key(parts.path, parts.query)


async def warm_pages(app: FastAPI, seed: int | None = None, delay: float = 0.0) -> int:
    """Ask the application for each of :func:`addresses` it does not keep yet, in a random
    order (``seed``), ``delay`` seconds from now, each when no visitor's request is being
    answered; how many were asked. Never fails: a page that fails is computed again
    when a visitor asks for it."""
    await asyncio.sleep(delay)
    found: DiagnosticService = app.state.diagnostic
    began = time.perf_counter()
    try:
        if await asyncio.to_thread(found.empty):
            return 0
        pages = await asyncio.to_thread(addresses, found)
    except Exception:
        _log.exception("liste des pages à préparer introuvable")
        return 0
    random.Random(seed).shuffle(pages)
    asked = 0
    visitors: InFlight | None = getattr(app.state, "in_flight", None)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://localhost", headers={WARM_HEADER: "1"}
    ) as client:
        for address in pages:
            while visitors is not None and visitors.count > 0:
                await asyncio.sleep(0.05)
            if found.has_response(_key(address)):
                continue
            try:
                await client.get(address)
            except Exception:  # a warm-up never fails the server
                _log.exception("page non préparée : %s", address)
            asked += 1
    _log.info("%d pages préparées en arrière-plan en %.1f s", asked, time.perf_counter() - began)
    return asked
