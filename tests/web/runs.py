"""A finished optimisation run written in the store as the worker writes it
(records.create/claim/finish): two proposed changes of the optimiser's shape."""

from __future__ import annotations

import sqlalchemy as sa

from tremplin.accounts.accounts import Account
from tremplin.jobs import records
from tremplin.jobs.kinds import OPTIMISATION

CHANGES = [
    {
        "uai": "0010034G",
        "mef_stat_11": "24020022710",
        "statut": "scolaire",
        "places_avant": 24,
        "places_apres": 36,
        "etablissement": "Lycée professionnel Arbez Carme",
        "libelle": "BAC PRO TECHNICIEN EN CHAUDRONNERIE INDUSTRIELLE",
        "raison": "Ajouter 12 places : 40 premiers vœux pour 24 places (pression 1,67), 150 "
        "besoins de recrutement BMO non couverts en D2Z dans le département 01.",
    },
    {
        "uai": "0010016M",
        "mef_stat_11": "24020022710",
        "statut": "apprentissage",
        "places_avant": 12,
        "places_apres": 0,
        "libelle": "BAC PRO TECHNICIEN EN CHAUDRONNERIE INDUSTRIELLE",
        "raison": "Fermer l'offre (12 places) : 2 premiers vœux pour 12 places (pression 0,17).",
    },
]


def finished_run(store: sa.Engine, owner: Account) -> str:
    result = {
        "changes": CHANGES,
        "candidates": 80,
        "objective": 12.5,
        "gap": 0.0,
        "seconds": 1.2,
        "territoire": "84",
        "components": {"places_nettes": 0},
        "courbe": [],
    }
    with store.begin() as conn:
        made = records.create(conn, OPTIMISATION, {"territoire": "84"}, owner=str(owner.id),
                              quota_key=f"compte:{owner.id}", progress_total=2)  # fmt: skip
        records.claim(conn, made.id)
        records.finish(conn, made.id, records.TERMINEE, result=result)
    return made.id
