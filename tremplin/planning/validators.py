"""The rules a request must follow, each refusal naming the field and the rule.

:func:`problems` gives every rule a request breaks (an empty list: valid); :func:`validate`
raises :class:`RequestRefused`, an ``InputError`` carrying them all, so that a form shows each
next to its field and an import names the line and column of each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from tremplin.errors import InputError
from tremplin.planning.vocabulary import (
    CLOSINGS,
    DECREASES,
    INCREASES,
    KINDS,
    OPENINGS,
    REASONS,
    WITH_TARGET,
)

UAI = re.compile(r"[0-9]{7}[A-Z]")
MEF = re.compile(r"[0-9]{11}")
CAPACITY_MAX = 999
"""No section of a lycée or a BTS has more first-year places than this."""

CAPACITY_FIELDS = tuple(
    f"capacite_{voie}{coloree}_{moment}"
    for voie in ("scolaire", "apprentissage")
    for coloree in ("", "_coloree")
    for moment in ("avant", "apres")
)


@dataclass(frozen=True)
class RequestFields:
    """What a person writes in a request (everything but its status, author and version)."""

    type: str
    uai: str
    mef_stat_11: str
    rentree: int
    capacite_scolaire_avant: int = 0
    capacite_scolaire_apres: int = 0
    capacite_scolaire_coloree_avant: int = 0
    capacite_scolaire_coloree_apres: int = 0
    capacite_apprentissage_avant: int = 0
    capacite_apprentissage_apres: int = 0
    capacite_apprentissage_coloree_avant: int = 0
    capacite_apprentissage_coloree_apres: int = 0
    motifs: tuple[str, ...] = ()
    autre_motif: str | None = None
    partenaires: tuple[str, ...] = ()
    uai_cible: str | None = None
    mef_stat_11_cible: str | None = None
    libelle_coloration: str | None = None
    commentaire: str | None = None
    cfd: str | None = None

    def total(self, moment: str) -> int:
        """Places (school + apprenticeship) ``avant`` or ``apres``."""
        return int(getattr(self, f"capacite_scolaire_{moment}")) + int(
            getattr(self, f"capacite_apprentissage_{moment}")
        )

    def coloured(self, moment: str) -> int:
        """Coloured places (school + apprenticeship) ``avant`` or ``apres``."""
        return int(getattr(self, f"capacite_scolaire_coloree_{moment}")) + int(
            getattr(self, f"capacite_apprentissage_coloree_{moment}")
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values by field name (lists for the tuples)."""
        out: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            out[field.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Every field, in the order of the class."""
        return tuple(field.name for field in fields(cls))


@dataclass(frozen=True)
class Problem:
    """One broken rule: the field and what the rule says."""

    field: str
    rule: str

    def __str__(self) -> str:
        return f"{self.field} : {self.rule}"


class RequestRefused(InputError):
    """A request that breaks rules: every :class:`Problem`, each naming its field and rule."""

    def __init__(self, found: list[Problem], where: tuple[str, ...] = ()) -> None:
        self.problems = found
        text = " ; ".join(str(p) for p in found)
        super().__init__(f"demande refusée — {text}", where=where)


def problems(
    request: RequestFields,
    *,
    first_rentree: int | None = None,
    duplicate_of: int | None = None,
) -> list[Problem]:
    """Every rule ``request`` breaks. ``first_rentree``: the campaign's first rentrée (a request
    cannot change an earlier one); ``duplicate_of``: the id of another live request of the
    campaign for the same establishment × formation × rentrée."""
    found: list[Problem] = []

    def refuse(field: str, rule: str) -> None:
        found.append(Problem(field, rule))

    if request.type not in KINDS:
        refuse("type", f"type inconnu « {request.type} » (attendu : {', '.join(KINDS)})")
    if not UAI.fullmatch(request.uai or ""):
        refuse("uai", "un UAI a 7 chiffres et une lettre majuscule, par exemple 0010034G")
    if not MEF.fullmatch(request.mef_stat_11 or ""):
        refuse("mef_stat_11", "un code MEF STAT 11 a 11 chiffres")
    if not 2000 <= request.rentree <= 2100:
        refuse("rentree", "une année de rentrée entre 2000 et 2100")
    elif first_rentree is not None and request.rentree < first_rentree:
        refuse("rentree", f"la campagne porte sur la rentrée {first_rentree} et les suivantes")
    for name in CAPACITY_FIELDS:
        value = getattr(request, name)
        if not 0 <= value <= CAPACITY_MAX:
            refuse(name, f"un nombre de places entre 0 et {CAPACITY_MAX}")
    for voie in ("scolaire", "apprentissage"):
        for moment in ("avant", "apres"):
            if getattr(request, f"capacite_{voie}_coloree_{moment}") > getattr(
                request, f"capacite_{voie}_{moment}"
            ):
                refuse(
                    f"capacite_{voie}_coloree_{moment}",
                    "les places colorées font partie de la capacité : pas plus qu’elle",
                )
    if not request.motifs:
        refuse("motifs", "au moins un motif")
    unknown = [m for m in request.motifs if m not in REASONS]
    if unknown:
        refuse("motifs", f"motif(s) inconnu(s) : {', '.join(unknown)}")
    if "autre" in request.motifs and not (request.autre_motif or "").strip():
        refuse("autre_motif", "le motif « autre » demande une précision")
    _kind_rules(request, refuse)
    if duplicate_of is not None:
        refuse(
            "uai",
            f"une seule demande par établissement × formation × rentrée dans une campagne : "
            f"la demande n° {duplicate_of} porte déjà sur {request.uai} × "
            f"{request.mef_stat_11} à la rentrée {request.rentree}",
        )
    return found


def _kind_rules(request: RequestFields, refuse: Any) -> None:
    before, after = request.total("avant"), request.total("apres")
    kind = request.type
    if kind in OPENINGS:
        if before != 0:
            refuse("capacite_scolaire_avant", "une ouverture part de 0 place (avant = 0)")
        if after <= 0:
            refuse("capacite_scolaire_apres", "une ouverture crée au moins une place")
    if kind in INCREASES and after <= before:
        refuse("capacite_scolaire_apres", "une augmentation accroît le nombre total de places")
    if kind in CLOSINGS:
        if after != 0:
            refuse("capacite_scolaire_apres", "une fermeture finit à 0 place (après = 0)")
        if before <= 0:
            refuse("capacite_scolaire_avant", "une fermeture part de places existantes")
    if kind in DECREASES and not 0 < after < before:
        refuse(
            "capacite_scolaire_apres",
            "une diminution baisse le nombre total de places, sans aller jusqu’à 0 "
            "(sinon : une fermeture)",
        )
    if kind == "transfert":
        if after != before:
            refuse("capacite_apprentissage_apres", "un transfert garde la capacité totale")
        if request.capacite_scolaire_apres == request.capacite_scolaire_avant:
            refuse(
                "capacite_scolaire_apres",
                "un transfert déplace des places entre voie scolaire et apprentissage",
            )
    if kind == "coloration":
        if request.coloured("apres") <= request.coloured("avant"):
            refuse("capacite_scolaire_coloree_apres", "une coloration accroît les places colorées")
        if after != before:
            refuse("capacite_scolaire_apres", "une coloration garde la capacité totale")
    if kind in WITH_TARGET:
        _target_rules(request, refuse)


def _target_rules(request: RequestFields, refuse: Any) -> None:
    if request.type == "transfert_etablissement":
        if not UAI.fullmatch(request.uai_cible or ""):
            refuse("uai_cible", "l’UAI de l’établissement qui reçoit les places")
        elif request.uai_cible == request.uai:
            refuse("uai_cible", "un autre établissement que celui qui cède les places")
    if request.type == "transformation":
        if not MEF.fullmatch(request.mef_stat_11_cible or ""):
            refuse("mef_stat_11_cible", "le code MEF STAT 11 de la formation qui remplace")
        elif request.mef_stat_11_cible == request.mef_stat_11:
            refuse("mef_stat_11_cible", "une autre formation que celle transformée")
    if request.total("apres") <= 0:
        refuse("capacite_scolaire_apres", "les places transférées ou transformées (après > 0)")


def validate(
    request: RequestFields,
    *,
    first_rentree: int | None = None,
    duplicate_of: int | None = None,
    where: tuple[str, ...] = (),
) -> None:
    """Raise :class:`RequestRefused` when ``request`` breaks any rule of :func:`problems`."""
    found = problems(request, first_rentree=first_rentree, duplicate_of=duplicate_of)
    if found:
        raise RequestRefused(found, where)


def from_mapping(values: Mapping[str, Any], *, where: tuple[str, ...] = ()) -> RequestFields:
    """A :class:`RequestFields` from JSON-like ``values`` (lists or « ; »-separated text for
    the reasons and partners; numbers or their text); an ``InputError`` naming the field when
    a value has the wrong shape, or a required field is missing."""
    known = set(RequestFields.field_names())
    extra = sorted(set(values) - known)
    if extra:
        raise InputError(
            f"champ(s) inconnu(s) : {', '.join(extra)}",
            where=where,
            expected=", ".join(RequestFields.field_names()),
        )
    found: dict[str, Any] = {}
    for name in ("type", "uai", "mef_stat_11", "rentree"):
        if values.get(name) in (None, ""):
            raise InputError("champ obligatoire manquant", where=(*where, name))
    for name, value in values.items():
        if name == "rentree" or name in CAPACITY_FIELDS:
            found[name] = _integer(value, (*where, name))
        elif name in ("motifs", "partenaires"):
            found[name] = _listed(value, (*where, name))
        else:
            text = None if value is None else str(value).strip()
            found[name] = text or None
            if name in ("uai", "uai_cible") and found[name]:
                found[name] = found[name].upper()
    return RequestFields(**found)


def _integer(value: Any, where: tuple[str, ...]) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise InputError(f"valeur « {value} » invalide", where=where, expected="un entier")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace("\u202f", "").replace(" ", "")
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    raise InputError(f"valeur « {value} » invalide", where=where, expected="un nombre entier")


def _listed(value: Any, where: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(";") if part.strip())
    if isinstance(value, list | tuple):
        return tuple(str(part).strip() for part in value if str(part).strip())
    raise InputError(
        f"valeur « {value} » invalide",
        where=where,
        expected="une liste, ou des textes séparés par ;",
    )
