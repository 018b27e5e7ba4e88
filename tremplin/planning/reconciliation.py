"""After the rentrée, each validated request set against the constat de rentrée: done or not,
and why — Orion's « rapprochement » and its reasons.

The constat gives the first-year students of an establishment × formation at one rentrée
(``effectifs/constat_2020.csv`` in the real files): a request is checked only when the constat
of its rentrée is loaded; otherwise it says so. The constat counts the voie scolaire only, so
apprenticeship places and coloured places cannot be checked, which is said too.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tremplin.diagnostic.facts import Facts
from tremplin.planning.requests import Request
from tremplin.planning.vocabulary import CLOSINGS

REASONS = {
    "statut": "Cette demande n’est pas validée : pas de rapprochement avec le constat de rentrée.",
    "rentree": "Le constat de la rentrée {rentree} n’est pas chargé (constats chargés : {years}).",
    "apprentissage": "Demande en apprentissage : le constat de rentrée ne compte que la voie "
    "scolaire, ces places ne peuvent pas être vérifiées.",
    "coloration": "Coloration : la formation est au constat, mais les places colorées "
    "réellement occupées ne peuvent pas être vérifiées.",
    "fermeture_ko": "Fermeture demandée, mais {effectif} élève(s) en entrée au constat.",
    "fermeture_ok": "Fermeture faite : aucun élève en entrée au constat.",
    "absente": "La formation de cet établissement n’est pas au constat de rentrée : vérifiez "
    "l’UAI et le code MEF.",
    "presente": "La formation de cet établissement est au constat : {effectif} élève(s) en "
    "entrée pour {places} place(s) demandée(s) en voie scolaire.",
}


@dataclass(frozen=True)
class Reconciled:
    """A request against the constat: ``fait`` (True, False, or None when it cannot be told),
    the reason's code and its sentence."""

    demande_id: int
    fait: bool | None
    motif: str
    explication: str


def _constat(facts: Facts) -> pl.DataFrame:
    return (
        facts.offres.filter(pl.col("effectif").is_not_null())
        .group_by("uai", "mef_stat_11", "rentree_effectif")
        .agg(pl.col("effectif").max())
    )


def reconcile(requests: list[Request], facts: Facts | None) -> list[Reconciled]:
    """Each of ``requests`` against the constat de rentrée the store holds."""
    constat = _constat(facts) if facts is not None else pl.DataFrame()
    years = sorted(constat["rentree_effectif"].unique().to_list()) if not constat.is_empty() else []
    found: list[Reconciled] = []
    for request in requests:
        f = request.fields
        if request.statut != "validee":
            found.append(Reconciled(request.id, None, "statut", REASONS["statut"]))
            continue
        if f.rentree not in years:
            text = REASONS["rentree"].format(
                rentree=f.rentree, years=", ".join(map(str, years)) or "aucun"
            )
            found.append(Reconciled(request.id, None, "rentree", text))
            continue
        rows = constat.filter(
            (pl.col("uai") == f.uai)
            & (pl.col("mef_stat_11") == f.mef_stat_11)
            & (pl.col("rentree_effectif") == f.rentree)
        )
        students = int(rows["effectif"].sum()) if not rows.is_empty() else 0
        found.append(_verdict(request, students, not rows.is_empty()))
    return found


def _verdict(request: Request, students: int, present: bool) -> Reconciled:
    f = request.fields
    if f.type in CLOSINGS:
        if students > 0:
            text = REASONS["fermeture_ko"].format(effectif=students)
            return Reconciled(request.id, False, "fermeture_ko", text)
        return Reconciled(request.id, True, "fermeture_ok", REASONS["fermeture_ok"])
    if f.capacite_scolaire_apres == 0 and f.capacite_apprentissage_apres > 0:
        return Reconciled(request.id, None, "apprentissage", REASONS["apprentissage"])
    if not present:
        return Reconciled(request.id, False, "absente", REASONS["absente"])
    if f.type == "coloration":
        return Reconciled(request.id, None, "coloration", REASONS["coloration"])
    text = REASONS["presente"].format(effectif=students, places=f.capacite_scolaire_apres)
    return Reconciled(request.id, True, "presente", text)
