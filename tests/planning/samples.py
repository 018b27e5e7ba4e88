"""A request the planning tests share: an increase of 15 → 24 places of a bac pro in Ambérieu."""

from __future__ import annotations

from tremplin.planning.validators import RequestFields

FIELDS = RequestFields(
    type="augmentation_nette",
    uai="0010001W",
    mef_stat_11="24020022710",
    rentree=2025,
    capacite_scolaire_avant=15,
    capacite_scolaire_apres=24,
    motifs=("besoins_economiques_locaux",),
    partenaires=("UIMM de l’Ain",),
)
