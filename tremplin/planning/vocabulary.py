"""The words of the carte des formations, as Orion uses them: kinds of request, statuses,
reasons (motifs), opinions (avis) and the campaign's statuses, each a code with its French label.

Codes are ASCII (they are JSON values, CSV cells and URL parameters); labels are what people
read. Orion's own lists (mission-apprentissage/tjp-pilotage, ``shared/enum``) are the reference;
two kinds are added for the partnership: a transfer between establishments and the
transformation of one formation into another.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

KINDS: Final = MappingProxyType(
    {
        "ouverture_nette": "Ouverture nette",
        "ouverture_compensation": "Ouverture par compensation",
        "augmentation_nette": "Augmentation nette",
        "augmentation_compensation": "Augmentation par compensation",
        "fermeture": "Fermeture",
        "diminution": "Diminution",
        "transfert": "Transfert (voie scolaire ↔ apprentissage, à capacité constante)",
        "coloration": "Coloration",
        "ajustement": "Ajustement de rentrée",
        "transfert_etablissement": "Transfert entre établissements",
        "transformation": "Transformation d’une formation en une autre",
    }
)
"""Each kind of request and its label."""

OPENINGS: Final = frozenset({"ouverture_nette", "ouverture_compensation"})
INCREASES: Final = frozenset({"augmentation_nette", "augmentation_compensation", "ajustement"})
CLOSINGS: Final = frozenset({"fermeture"})
DECREASES: Final = frozenset({"diminution"})
WITH_TARGET: Final = frozenset({"transfert_etablissement", "transformation"})
"""Kinds that name a second offer: the establishment receiving the places, or the formation the
places become."""

STATUSES: Final = MappingProxyType(
    {
        "brouillon": "Brouillon",
        "proposition": "Proposition",
        "dossier_complet": "Dossier complet",
        "dossier_incomplet": "Dossier incomplet",
        "projet_de_demande": "Projet de demande",
        "pret_pour_le_vote": "Prêt pour le vote",
        "validee": "Demande validée",
        "refusee": "Refusée",
        "supprimee": "Supprimée",
    }
)
"""Each status of a request and its label, in the order of the workflow."""

REASONS: Final = MappingProxyType(
    {
        "taux_insertion_satisfaisant": "Taux d’insertion satisfaisant",
        "taux_poursuite_satisfaisant": "Taux de poursuite satisfaisant",
        "taux_insertion_insatisfaisant": "Taux d’insertion insatisfaisant",
        "taux_poursuite_insatisfaisant": "Taux de poursuite insatisfaisant",
        "besoins_economiques_locaux": "Besoins économiques avérés localement",
        "besoins_economiques_en_baisse": "Besoins économiques en baisse",
        "ouverture_plus_inserante": "Ouverture d’une formation plus insérante",
        "repartition_autres_etablissements": "Répartition des élèves sur d’autres établissements",
        "transfert_apprentissage": "Transfert vers l’apprentissage",
        "recrutements_baisse": "Recrutements en baisse",
        "capacite_trop_elevee_territoire": "Capacité trop élevée sur le territoire",
        "forte_demande_jeunes": "Forte demande des jeunes (vœux 1)",
        "locaux": "Locaux",
        "cout_financier": "Coût financier",
        "plateau_technique": "Plateau technique",
        "metiers_2030": "Métiers 2030",
        "projet_pedagogique_territorial": "Projet pédagogique territorial",
        "maintien_specifique": "Maintien pour public spécifique",
        "nouvel_etablissement": "Nouvel établissement",
        "sauvegarde_metier_rare": "Sauvegarde métier rare",
        "ajustement_rentree": "Ajustement de rentrée",
        "autre": "Autre motif (préciser)",
    }
)
"""The coded reasons of a request (Orion's list of the 2024 campaign, plus young people's
demand)."""

OPINION_KINDS: Final = MappingProxyType(
    {"prealable": "Avis préalable", "consultatif": "Avis consultatif", "final": "Avis final"}
)
OPINIONS: Final = MappingProxyType(
    {"favorable": "Favorable", "reserve": "Réservé", "defavorable": "Défavorable"}
)

CAMPAIGN_STATUSES: Final = MappingProxyType(
    {"en_attente": "En attente", "en_cours": "En cours", "terminee": "Terminée"}
)
CAMPAIGN_SCOPES: Final = MappingProxyType({"nationale": "Nationale", "regionale": "Régionale"})


def label(vocabulary: MappingProxyType[str, str], code: str | None) -> str:
    """The label of ``code`` (the code itself when unknown, « — » when missing)."""
    if code is None:
        return "—"
    return vocabulary.get(code, code)
