"""The mixed load of ``benchmarks/load.py``: pages, API reads, logins and simulation requests.

Each user is given one of the accounts of ``TREMPLIN_LOAD_ACCOUNTS`` (password
``TREMPLIN_LOAD_PASSWORD``): half log in through ``POST /api/v1/session`` when they start and use
their token (and log in again now and then); the others start as visitors without account and
log in through the login form when their « login » task comes (then their session cookie).
Everyone reads pages and the API and asks for small simulations (one cohort, one change), which
the quotas may refuse: 429 (too many of one person's) and 503 (the queue is full)
are intended answers, counted apart. Every request is written, with its category (« page »,
« api », « connexion » for the login requests, « simulation » for the requests of one), its
status and its time, to the JSON file ``TREMPLIN_LOAD_OUT`` when the run ends: ``load.py``
computes the percentiles from it.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from typing import Any

from locust import events, task
from locustfile import Planner

ACCOUNTS = [e for e in os.environ.get("TREMPLIN_LOAD_ACCOUNTS", "").split(",") if e]
PASSWORD = os.environ.get("TREMPLIN_LOAD_PASSWORD", "")
INTENDED = (429, 503)
"""Refusals by the quotas: intended answers, not errors."""
OYONNAX, VILLEURBANNE, CHAUDRONNERIE = "0010034G", "0690103M", "23820025411"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_numbers = itertools.count()
_seen: list[dict[str, Any]] = []


def _category(name: str) -> str:
    """« connexion », « simulation » (the names of this file's requests), else « api » for
    an API read and « page » for a page."""
    first = name.split(" ", 1)[0]
    if first in ("connexion", "simulation"):
        return first
    return "api" if name.startswith("/api/") else "page"


@events.request.add_listener
def _record(name: str, response_time: float, response: Any, exception: Any, **_: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    _seen.append(
        {
            "categorie": _category(name),
            "nom": name,
            "ms": response_time,
            "statut": status,
            "echec": exception is not None,
        }
    )


@events.quitting.add_listener
def _write(**_: Any) -> None:
    target = os.environ.get("TREMPLIN_LOAD_OUT")
    if target:
        with open(target, "w", encoding="utf-8") as handle:
            json.dump(_seen, handle)


def _scenario(number: int) -> dict[str, Any]:
    """A small scenario: one change in the académie de Lyon, one cohort."""
    places = 5 + number % 20
    change = random.choice(
        [
            {"action": "ouvrir", "uai": OYONNAX, "mef_stat_11": CHAUDRONNERIE, "places": places},
            {
                "action": "ajuster",
                "uai": VILLEURBANNE,
                "mef_stat_11": CHAUDRONNERIE,
                "places": -min(places, 5),
            },
        ]
    )
    return {
        "titre": f"Charge {number}",
        "territoire": "academie:10",
        "graines": 1,
        "changements": [change],
    }


class Member(Planner):
    """A planner of ``benchmarks/locustfile.py`` (pages and API reads, 0.5–1.5 s between
    clicks) who also logs in and asks for simulations."""

    def on_start(self) -> None:
        self.number = next(_numbers)
        self.email = ACCOUNTS[self.number % len(ACCOUNTS)] if ACCOUNTS else None
        self.headers: dict[str, str] = {}
        self.simulations: list[str] = []
        if self.email is not None and self.number % 2 == 0:
            self._api_login()

    # --- pages and API reads: the planner's of benchmarks/locustfile.py, and the home page ---

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="/ (accueil)")

    # --- logins -----------------------------------------------------------------------------

    def _api_login(self) -> None:
        with self.client.post(
            "/api/v1/session",
            json={"email": self.email, "password": PASSWORD},
            name="connexion POST /api/v1/session",
            catch_response=True,
        ) as answer:
            if answer.status_code == 200:
                self.headers = {"Authorization": f"Bearer {answer.json()['token']}"}

    @task(1)
    def login(self) -> None:
        if self.email is None:
            return
        if self.headers:  # a member with a token logs in again through the API
            self._api_login()
            return
        page = self.client.get("/connexion", name="/connexion")
        found = _CSRF.search(page.text)
        if found is None:
            return
        self.client.post(
            "/connexion",
            data={"csrf": found.group(1), "email": self.email, "mot_de_passe": PASSWORD},
            name="connexion POST /connexion",
            allow_redirects=False,
        )

    # --- simulations ------------------------------------------------------------------------

    @task(1)
    def simulate(self) -> None:
        headers = dict(self.headers)
        csrf = self.client.cookies.get("tremplin_csrf")
        if not headers and csrf:  # logged in by the form: a cookie's write carries the token
            headers["X-CSRF-Token"] = csrf
        with self.client.post(
            "/api/v1/simulations",
            json=_scenario(next(_numbers)),
            name="simulation POST /api/v1/simulations",
            headers=headers,
            catch_response=True,
        ) as answer:
            if answer.status_code == 202:
                self.simulations.append(answer.json()["id"])
                answer.success()
            elif answer.status_code in INTENDED:
                answer.success()
            else:
                answer.failure(f"{answer.status_code} {answer.text[:200]}")

    @task(1)
    def follow(self) -> None:
        if self.simulations:
            self.client.get(
                f"/api/v1/simulations/{random.choice(self.simulations)}",
                name="/api/v1/simulations/{id}",
                headers=self.headers,
            )
