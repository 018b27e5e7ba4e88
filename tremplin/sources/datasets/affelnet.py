"""Affelnet (entry to lycée professionnel), as redistributed by the steering tool Orion.

Three layouts: offers per UAI × MEF STAT 11 with capacity and first wishes (the « attractivité »
extract); the detailed 1re pro extract with commune, labels and pupils assigned; capacities of
2nde per académie in the raw Affelnet column names (``ID_ETAB``, ``CO_MEFSTAT``…).
"""

from __future__ import annotations

from tremplin.sources.spec import (
    MEF_STAT_11,
    UAI,
    Dataset,
    boolean,
    code,
    integer,
    text,
)

PRODUCER = "Ministère de l'Éducation nationale (DEPP, extractions Affelnet via Orion)"

AFFELNET_OFFRES = Dataset(
    name="affelnet_offres",
    title="Affelnet — offres de formation, capacités et vœux 1",
    producer=PRODUCER,
    columns=(
        code("uai", "etablissement_d_accueil", "uai", shape=UAI, width=8, key=True),
        code("mef_stat_11", "mef_stat_11", "mefstat11", shape=MEF_STAT_11, key=True),
        boolean("voeu_recensement", "voeu_de_recensement_o_n", "voeu_de_recensement"),
        code("statut_offre", "statut_offre_de_formation"),
        integer("capacite_carte_scolaire", "capacite_carte_scolaire"),
        integer("demandes_voeux_1", "demandes_voeux_1"),
        text("famille_metiers", "famille_de_metiers", required=False),
        integer("nb_apparitions", "nb_apparitions_uai_mefstat", required=False),
        code("mef_stat_11_terminale", "mef_stat_terminale", shape=MEF_STAT_11, required=False),
    ),
)

AFFELNET_1PRO = Dataset(
    name="affelnet_1pro",
    title="Affelnet — offres détaillées de 1re professionnelle et affectés",
    producer=PRODUCER,
    columns=(
        code("uai", "etablissement_d_accueil", shape=UAI, width=8, key=True),
        text("sigle", "sigle_de_l_etablissement_d_accueil", required=False),
        text("etablissement", "libelle_de_l_etablissement_d_accueil"),
        text("commune", "commune_de_l_etablissement_d_accueil"),
        text("departement", "departement_de_l_etablissement_d_accueil"),
        text("libelle_mef", "libelle_du_mef_national_de_rattachement", key=True),
        text("type_mef", "type_de_mef", required=False),
        text("ministere", "code_ministere", required=False),
        text("secteur", "secteur", required=False),
        text("palier", "palier_minimum_autorise_pour_la_saisie_du_voeu", required=False),
        boolean("voeu_recensement", "voeu_de_recensement_o_n", "voeu_de_recensement"),
        code("statut_offre", "statut_offre_de_formation"),
        integer("capacite_carte_scolaire", "capacite_carte_scolaire"),
        integer("capacite_affectation", "capacite_d_affectation"),
        integer("demandes_voeux_1", "demandes_voeux_1"),
        integer("affectes_voeu_1", "affectes_voeu_1"),
        integer("affectes_tous_voeux", "affectes_tous_voeux"),
    ),
)

AFFELNET_2NDE = Dataset(
    name="affelnet_2nde",
    title="Affelnet — capacités de 2nde par académie",
    producer=PRODUCER,
    columns=(
        text("academie", "academie"),
        code("uai", "id_etab", shape=UAI, width=8, key=True),
        code("mef_stat_11", "co_mefstat", shape=MEF_STAT_11, key=True),
        code("statut_offre", "co_sta"),
        boolean("voeu_recensement", "fl_vrecens"),
        integer("capacite_carte_scolaire", "val_carsco"),
    ),
)

DATASETS = (AFFELNET_OFFRES, AFFELNET_1PRO, AFFELNET_2NDE)
