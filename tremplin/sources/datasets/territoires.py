"""Territories (INSEE COG): communes with population and centroid, départements, régions,
département ↔ académie ↔ région, and the académies' map (GeoJSON)."""

from __future__ import annotations

from tremplin.sources.spec import (
    DEPARTEMENT,
    INSEE,
    Dataset,
    code,
    decimal,
    geometry,
    integer,
    text,
)

PRODUCER = "INSEE (COG) via Etalab, Éducation nationale"

COMMUNES = Dataset(
    name="communes",
    title="Communes — population et centroïde",
    producer=PRODUCER,
    columns=(
        code(
            "code_insee",
            "code_insee",
            "code_commune_insee",
            "code_commune",
            shape=INSEE,
            width=5,
            key=True,
        ),
        text("nom", "nom", "nom_commune"),
        code("code_departement", "departement", "code_departement", shape=DEPARTEMENT, width=2),
        code("code_region", "region", "code_region", width=2),
        integer("population", "population"),
        text("codes_postaux", "codes_postaux", required=False),
        decimal("latitude", "latitude"),
        decimal("longitude", "longitude"),
    ),
)

DEPARTEMENTS = Dataset(
    name="departements",
    title="Départements",
    producer=PRODUCER,
    columns=(
        code("code_departement", "code", shape=DEPARTEMENT, width=2, key=True),
        code("code_region", "region", width=2),
        code("chef_lieu", "cheflieu", shape=INSEE, required=False),
        text("nom", "nom"),
        integer("type_liaison", "typeliaison", required=False),
        text("zone", "zone", required=False),
    ),
)

REGIONS = Dataset(
    name="regions",
    title="Régions",
    producer=PRODUCER,
    columns=(
        code("code_region", "code", width=2, key=True),
        code("chef_lieu", "cheflieu", shape=INSEE, required=False),
        text("nom", "nom"),
        integer("type_liaison", "typeliaison", required=False),
        text("zone", "zone", required=False),
    ),
)

ACADEMIES = Dataset(
    name="departements_academies",
    title="Départements, académies et régions",
    producer="Éducation nationale",
    columns=(
        text("region", "libelleregion"),
        code("code_academie", "codeacademie", width=2),
        code("code_region", "coderegion", width=2),
        code("code_departement", "codedepartement"),
        text("academie", "libelleacademie"),
        text("departement", "libelledepartement"),
    ),
)

CARTE_ACADEMIES = Dataset(
    name="carte_academies",
    title="Carte des académies (GeoJSON)",
    producer="Éducation nationale",
    columns=(
        code("code_academie", "code_academie", width=2, key=True),
        text("academie", "name", "libelle_academie"),
        text("academie_majuscules", "libelle_aca_majuscules", required=False),
        code("code_region", "code_region_2016", "code_region", width=2, required=False),
        text("region", "libelle_region_2016", "libelle_region", required=False),
        geometry("centre", "geo_point_2d", required=False),
        geometry("geometry", "geometry"),
    ),
)

DATASETS = (COMMUNES, DEPARTEMENTS, REGIONS, ACADEMIES, CARTE_ACADEMIES)
