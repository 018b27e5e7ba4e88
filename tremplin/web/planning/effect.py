"""A campaign's effect on its page: the impact of its requests (all, or validated ones), and
« Simuler l'effet sur les élèves », a simulation job of the same requests as a scenario
(``planning/campaign_effect.py``), whose result two of can be compared on
``/simulations/comparer``."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from tremplin.errors import InputError, TremplinError
from tremplin.planning.campaign_effect import SELECTIONS, impact_changes, scenario_of, selected
from tremplin.planning.campaigns import Campaign, get_campaign
from tremplin.planning.requests import list_requests
from tremplin.web.planning.optimiser_service import run_impact
from tremplin.web.planning.service import request_facts, visible
from tremplin.web.shared.jobs import actor, quota_key, viewer
from tremplin.web.shared.templating import request_engine
from tremplin.web.simulations.service import GRAINES_DEFAULT, simulations

__all__ = ["campaign_impact", "submit_simulation"]


def _requests(request: Request, campaign: Campaign, selection: str) -> list[Any]:
    with request_engine(request).connect() as conn:
        found = list_requests(conn, campaign.id)
    return selected(visible(request, found), selection)


def _territory(campaign: Campaign, request: Request) -> str:
    return f"region:{campaign.code_region or request.app.state.diagnostic.region}"


def _paliers(request: Request) -> dict[str, str] | None:
    """MEF STAT 11 → the palier a simulation assigns it in (« 3e »: entry into the voie pro,
    « 2nde »: 1re pro), from the offers simulations are drawn on; None without loaded files."""
    if request_facts(request) is None:
        return None
    service = simulations(request)
    found = dict.fromkeys(service.offers("2nde").get_column("mef_stat_11").drop_nulls(), "2nde")
    return found | dict.fromkeys(service.offers("3e").get_column("mef_stat_11").drop_nulls(), "3e")


def campaign_impact(request: Request, campaign: Campaign, selection: str) -> dict[str, Any]:
    """The impact of the campaign's ``selection`` of requests the account may read: ``result``
    (impact.py's tables, None without a change), ``left_out`` (of the impact) and
    ``left_out_simulation``, ``error`` (a store without data)."""
    requests = _requests(request, campaign, selection)
    changes, left_out = impact_changes(requests)
    effect: dict[str, Any] = {
        "selection": selection,
        "selections": SELECTIONS,
        "result": None,
        "left_out": left_out,
        "left_out_simulation": scenario_of(requests, "", "", _paliers(request))[1],
        "error": None,
    }
    if changes:
        try:
            effect["result"] = run_impact(request, _territory(campaign, request), changes)
        except TremplinError as error:
            effect["error"] = str(error)
    return effect


def submit_simulation(request: Request, campagne: int, selection: str) -> str:
    """Queue a simulation of the campaign's ``selection`` of requests (the account's quota,
    audited by the queue); give its id. InputError when nothing changes places."""
    if selection not in SELECTIONS:
        raise InputError("« selection » : toutes ou validees", where=["selection"])
    with request_engine(request).connect() as conn:
        campaign = get_campaign(conn, campagne)
    document, _ = scenario_of(
        _requests(request, campaign, selection),
        f"{campaign.nom} — {SELECTIONS[selection]}",
        _territory(campaign, request),
        _paliers(request),
    )
    if not document["changements"]:
        raise InputError(
            f"aucune demande ({SELECTIONS[selection]}) ne change de places à simuler",
            where=["selection"],
        )
    asking = viewer(request)
    job = simulations(request).submit(
        document,
        document["territoire"],
        GRAINES_DEFAULT,
        owner=asking.account,
        quota_key=quota_key(request, asking),
        actor=actor(request),
    )
    return job.id
