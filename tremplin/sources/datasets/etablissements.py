"""Establishments: the annuaire de l'éducation (collèges of AURA, with coordinates) and the list
of lycées (UAI, name, city, postal code)."""

from __future__ import annotations

from tremplin.sources.spec import INSEE, UAI, Dataset, code, decimal, text

ANNUAIRE = Dataset(
    name="annuaire_education",
    title="Annuaire de l'éducation — établissements et coordonnées",
    producer="Éducation nationale (annuaire)",
    columns=(
        code("uai", "numero_uai", "identifiant_de_l_etablissement", shape=UAI, width=8, key=True),
        text("appellation", "appellation_officielle"),
        text("denomination", "denomination_principale", required=False),
        text("patronyme", "patronyme_uai", required=False),
        text("secteur", "secteur_public_prive_libe", required=False),
        text("adresse", "adresse_uai", required=False),
        code("code_postal", "code_postal_uai", width=5, required=False),
        text("commune", "libelle_commune"),
        decimal("latitude", "latitude", required=False),
        decimal("longitude", "longitude", required=False),
        text("precision_localisation", "localisation", required=False),
        code("nature_uai", "nature_uai", required=False),
        text("nature", "nature_uai_libe", required=False),
        text("etat", "etat_etablissement_libe", required=False),
        code("code_departement", "code_departement", required=False),
        code("code_region", "code_region", required=False),
        code("code_academie", "code_academie", required=False),
        code("code_insee", "code_commune", shape=INSEE, width=5),
        text("date_ouverture", "date_ouverture", required=False),
    ),
)

LYCEES = Dataset(
    name="lycees",
    title="Lycées — UAI, nom, ville et code postal",
    producer="Éducation nationale (liste des lycées)",
    columns=(
        code("uai", "uai", shape=UAI, width=8, key=True),
        text("nom", "name"),
        text("ville", "city"),
        code("code_postal", "zip_code", width=5),
        code("pays", "country", required=False),
        text("departement_numero", "department_number", required=False),
        text("departement", "department_name", required=False),
        text("region", "department_region_name", required=False),
    ),
)

DATASETS = (ANNUAIRE, LYCEES)
