"""The public nomenclatures and the geography, as real extracts limited to what the demo uses.

MEF, CFD, levels, Certif Info, ROME, domains, communes, départements and régions are public
codes: the demo writes the real rows for the codes its formations and communes need, so that the
joins from a demo offer to a ROME code, a FAP and a bassin work as with the real files.
"""

from __future__ import annotations

from pathlib import Path

from tremplin.demo.files import DemoFile, Layout, write_csv, write_json_lines
from tremplin.demo.parameters import Parameters

EXTRACTS = {
    "bcn/nMef.csv": "BCN : modules élémentaires de formation (extrait)",
    "bcn/nFormationDiplome_.csv": "BCN : formations et diplômes (extrait)",
    "bcn/nNiveauFormationDiplome_.csv": "BCN : niveaux de formation (extrait)",
    "certifications/certif_info.csv": "Certif Info : certifications et codes ROME (extrait)",
    "rome/rome.csv": "ROME 4.0 : fiches métiers (extrait)",
    "rome/metier.csv": "ROME 4.0 : appellations (extrait)",
    "rome/domaine_professionnel.csv": "ROME 4.0 : domaines professionnels (extrait)",
}
COMMUNES = "territoires/communes_2026_pop_geopoint.csv"
ACADEMIES = "territoires/departements_academies_regions.csv"
DEPARTEMENTS = "territoires/departements.json"
REGIONS = "territoires/regions.json"


def write_extracts(root: Path, parameters: Parameters) -> list[DemoFile]:
    written = []
    for path, description in EXTRACTS.items():
        layout = Layout.from_parameters(parameters["layouts"], path)
        rows = parameters["nomenclatures"][path]
        written.append(write_csv(root, path, layout, rows, description))
    return written


def write_geography(root: Path, parameters: Parameters) -> list[DemoFile]:
    geography = parameters["territory"]
    layouts = parameters["layouts"]
    communes = [row[:8] for row in geography["communes"]]
    return [
        write_csv(
            root,
            COMMUNES,
            Layout.from_parameters(layouts, COMMUNES),
            communes,
            "Communes de 3 000 habitants et plus : population et centroïde",
        ),
        write_csv(
            root,
            ACADEMIES,
            Layout.from_parameters(layouts, ACADEMIES),
            geography["departements_academies"],
            "Départements, académie et région",
        ),
        write_json_lines(root, DEPARTEMENTS, geography["departements_json"], "Départements"),
        write_json_lines(root, REGIONS, geography["regions_json"], "Région"),
    ]
