"""The orientation's pages for young people: a trade, the trainings near me, one training."""

from __future__ import annotations

import functools
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from tremplin import formats
from tremplin.errors import InputError, NotFound
from tremplin.orientation import near
from tremplin.orientation.data import APRES_3E, NIVEAUX
from tremplin.orientation.near import (
    NearQuery,
    find_training,
    romes_of,
    trade_labels,
    training_trades,
    trainings_near,
)
from tremplin.orientation.outcomes import MIN_COHORT
from tremplin.orientation.trade_page import recruitment_near, trade_page
from tremplin.web.diagnostic.service import cached
from tremplin.web.orientation.service import optional_commune, orientation
from tremplin.web.shared.auth import requires
from tremplin.web.shared.templating import render, script_json

router = APIRouter(include_in_schema=False, dependencies=[requires("lecture")])


@functools.lru_cache(maxsize=16384)
def _number(value: int | float | None) -> str:
    return formats.format_number(value)


@functools.lru_cache(maxsize=16384)
def _decimal(value: float | None, digits: int = 1) -> str:
    return formats.format_decimal(value, digits)


@functools.lru_cache(maxsize=16384)
def _percent(value: float | None, digits: int = 1) -> str:
    return formats.format_percent(value, digits)


def _minutes(value: float | None) -> str:
    return _number(round(value)) if value is not None else formats.MISSING


FORMATS = {"n": _number, "d": _decimal, "pc": _percent, "minutes": _minutes}
"""The French formats of :mod:`tremplin.formats`, kept for the values met again and again (a
page of trainings writes hundreds of them): what the orientation's templates call."""

SHOWN = 20
"""Trainings shown per group before « Voir toutes les formations »."""

_HYPOTHESES = {
    "detour": near.DETOUR_FACTOR,
    "vitesse": near.SPEED_KMH,
    "pres": near.NEAR_MINUTES,
    "tranche": near.BAND_MINUTES,
    "capacite": near.MIN_CAPACITY,
    "cohorte": MIN_COHORT,
}


def near_link(romes: list[str] | tuple[str, ...], commune: str | None, niveau: str) -> str:
    """The address of the trainings near ``commune`` leading to ``romes``."""
    pairs = [("rome", ",".join(romes)), ("niveau", niveau)]
    if commune:
        pairs.insert(1, ("commune", commune))
    return "/orientation/formations?" + urlencode(pairs)


@router.get("/orientation/metier/{code_rome}", name="orientation_metier")
@cached
def trade(
    request: Request, code_rome: str, commune: Annotated[str | None, Query()] = None
) -> Response:
    """What a trade is, the jobs waiting near home, the trainings that lead to it."""
    data = orientation(request)
    place = optional_commune(data, commune)
    page = trade_page(data, code_rome, place)
    return render(
        request,
        "orientation_metier.html",
        {
            **FORMATS,
            "page": page,
            "commune": commune or "",
            "niveaux": NIVEAUX,
            "links": {
                niveau: near_link([page.code_rome], place.code_insee if place else None, niveau)
                for niveau in NIVEAUX
            },
        },
    )


@router.get("/orientation/formations", name="orientation_formations")
@cached
def trainings(
    request: Request,
    rome: Annotated[list[str] | None, Query()] = None,
    commune: Annotated[str | None, Query()] = None,
    niveau: Annotated[str, Query()] = APRES_3E,
    voie: Annotated[str | None, Query()] = None,
    distance: Annotated[str | None, Query()] = None,
    tout: Annotated[str | None, Query()] = None,
) -> Response:
    """The trainings near a commune leading to the chosen trades, grouped, with a map: the
    first :data:`SHOWN` of each group, every one with ``tout=oui``."""
    data = orientation(request)
    romes = romes_of(rome or [])
    maximum = _distance(distance)
    context: dict[str, object] = {
        **FORMATS,
        "romes": romes,
        "commune": commune or "",
        "niveau": niveau,
        "voie": voie or "",
        "distance": distance or "",
        "niveaux": NIVEAUX,
        "voies": near.VOIES,
        "groups": near.GROUPS,
        "hypotheses": _HYPOTHESES,
        "result": None,
    }
    labels = trade_labels(data)
    context["metiers"] = [(code, labels.get(code, code)) for code in romes]
    if romes and commune:
        try:
            result = trainings_near(data, NearQuery(romes, commune, niveau, voie or None, maximum))
        except NotFound as error:
            # A commune mistyped: the same form, the message under its field (and a 404).
            context["commune_error"] = str(error)
            return render(request, "orientation_formations.html", context, error.status)
        everything = tout == "oui"
        shown = {
            name: group if everything else group[:SHOWN] for name, group in result.groups.items()
        }
        place = result.commune
        suffix = f"?commune={place.code_insee}&rome={','.join(romes)}"
        points = [
            {
                "libelle": t.libelle,
                "etablissement": t.etablissement,
                "commune": t.commune,
                "latitude": t.latitude,
                "longitude": t.longitude,
                "groupe": name,
                "url": f"/orientation/formation/{t.id}{suffix}",
            }
            for name, group in shown.items()
            for t in group
            if t.latitude is not None
        ]
        context["result"] = result
        context["shown"] = shown
        context["all_link"] = (
            None
            if everything or all(len(g) <= SHOWN for g in result.groups.values())
            else f"{request.url.path}?{request.url.query}&tout=oui"
        )
        context["map_json"] = script_json(
            {
                "commune": {"nom": place.nom, "lat": place.latitude, "lon": place.longitude},
                "formations": points,
            }
        )
    return render(request, "orientation_formations.html", context)


def _distance(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text.replace(",", ".").replace("\u202f", "").strip())
    except ValueError:
        raise InputError(
            f"« {text} » n’est pas une distance.", where="distance", expected="un nombre de km"
        ) from None


@router.get("/orientation/formation/{identifier}", name="orientation_formation")
@cached
def training(
    request: Request,
    identifier: str,
    commune: Annotated[str | None, Query()] = None,
    rome: Annotated[str | None, Query()] = None,
) -> Response:
    """One training: where, admission, what becomes of its young people, the trades."""
    data = orientation(request)
    found = find_training(data, identifier)
    trades = training_trades(data, identifier)
    chosen = romes_of([rome]) if rome else ()
    back = near_link(chosen, commune, found_level(found.source)) if rome else None
    place = optional_commune(data, commune)
    labels = trade_labels(data)
    jobs = [
        (code, labels.get(code, code), recruitment_near(data, code, place))
        for code in chosen
        if place is not None
    ]
    return render(
        request,
        "orientation_formation.html",
        {
            **FORMATS,
            "t": found,
            "trades": trades,
            "commune": commune or "",
            "back": back,
            "jobs": jobs,
            "place": place,
            "hypotheses": _HYPOTHESES,
        },
    )


def found_level(source: str) -> str:
    """The level a training is entered at, from its source (Affelnet: after 3e)."""
    return APRES_3E if source == "Affelnet" else "apres-bac"
