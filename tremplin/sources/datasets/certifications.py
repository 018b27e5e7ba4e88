"""Certif Info (Réseau des Carif-Oref): every certification with its ROME codes and school code."""

from __future__ import annotations

from tremplin.sources.spec import ROME, Dataset, code, integer, text

CERTIF_INFO = Dataset(
    name="certif_info",
    title="Certif Info — certifications, codes ROME et codes scolarité",
    producer="Réseau des Carif-Oref",
    columns=(
        code("code_certif_info", "code_diplome", key=True),
        text("libelle", "libelle_diplome"),
        text("type_diplome", "libelle_type_diplome"),
        code("niveau_europeen", "code_niveau_europeen", required=False),
        code("code_rome_1", "code_rome_1", shape=ROME),
        code("code_rome_2", "code_rome_2", shape=ROME, required=False),
        code("code_rome_3", "code_rome_3", shape=ROME, required=False),
        code("code_rome_4", "code_rome_4", shape=ROME, required=False),
        code("code_rome_5", "code_rome_5", shape=ROME, required=False),
        code("code_nsf", "code_nsf", required=False),
        code("code_rncp", "code_rncp", required=False),
        code("code_rs", "code_rs", required=False),
        code("cfd", "code_scolarite"),
        integer("annee_premiere_session", "annee_premiere_session", required=False),
        integer("annee_derniere_session", "annee_derniere_session", required=False),
        text("etat", "etat", required=False),
        text("etat_libelle", "etat_libelle", required=False),
        code("code_type_diplome", "code_type_diplome", required=False),
        code("code_ideo2", "codeideo2", required=False),
    ),
)

DATASETS = (CERTIF_INFO,)
