"""A small ROME in the official file formats (the headers of France Travail's and ONISEP's
files), loaded into a SQLite store: enough fiches to rank, written by hand."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tremplin.orientation.search import SearchIndex
from tremplin.referentials.perimeter import Perimeter
from tremplin.sources.ingest import load_paths
from tremplin.store.database import open_store

FICHES = (
    (
        "code_rome",
        "code_fiche_metier",
        "code_ogr",
        "libelle_rome",
        "transition_eco",
        "transition_num",
        "transition_demo",
        "emploi_reglemente",
        "emploi_cadre",
        "code_rome_parent",
    ),
    (
        "H2913",
        "1",
        "100",
        "Soudeur / Soudeuse",
        "Emploi stratégique pour la Transition écologique",
        "",
        "",
        "",
        "",
        "",
    ),
    ("H2902", "2", "101", "Chaudronnier / Chaudronnière", "", "", "", "", "", ""),
    (
        "I1304",
        "3",
        "102",
        "Technicien / Technicienne de maintenance industrielle",
        "",
        "",
        "",
        "",
        "",
        "",
    ),
    ("F1602", "4", "103", "Électricien / Électricienne du bâtiment", "", "", "", "", "", ""),
    ("I1309", "5", "104", "Électricien / Électricienne de maintenance", "", "", "", "", "", ""),
    ("D1102", "6", "105", "Boulanger / Boulangère", "", "", "", "", "", ""),
    ("A1203", "7", "106", "Jardinier / Jardinière", "Emploi Vert", "", "", "", "", ""),
    ("B1601", "8", "107", "Métallier / Métallière d'art", "", "", "", "", "", ""),
)

APPELLATIONS = (
    (
        "code_ogr",
        "libelle_appellation_long",
        "libelle_appellation_court",
        "code_rome",
        "transition_eco",
        "transition_num",
        "transition_demo",
        "emploi_reglemente",
        "emploi_cadre",
        "classification",
        "origine",
    ),
    (
        "200",
        "Soudeur / Soudeuse TIG",
        "Soudeur / Soudeuse TIG",
        "H2913",
        "",
        "",
        "",
        "",
        "",
        "SYNONYME",
        "",
    ),
    (
        "201",
        "Soudeur / Soudeuse en tuyauterie",
        "Soudeur / Soudeuse en tuyauterie",
        "H2913",
        "",
        "",
        "",
        "",
        "",
        "SYNONYME",
        "",
    ),
    (
        "202",
        "Chaudronnier / Chaudronnière d'art",
        "Chaudronnier / Chaudronnière d'art",
        "B1601",
        "",
        "",
        "",
        "",
        "",
        "SYNONYME",
        "",
    ),
    (
        "203",
        "Tôlier-chaudronnier / Tôlière-chaudronnière",
        "Tôlier-chaudronnier / Tôlière-chaudronnière",
        "H2902",
        "",
        "",
        "",
        "",
        "",
        "SYNONYME",
        "",
    ),
    (
        "204",
        "Mécanicien / Mécanicienne de maintenance industrielle",
        "Mécanicien de maintenance",
        "I1304",
        "",
        "",
        "",
        "",
        "",
        "SYNONYME",
        "",
    ),
    (
        "205",
        "Électricien / Électricienne de chantier",
        "Électricien / Électricienne de chantier",
        "F1602",
        "",
        "",
        "",
        "",
        "",
        "SYNONYME",
        "",
    ),
    (
        "206",
        "Dépanneur électricien / Dépanneuse électricienne d'équipements industriels",
        "Dépanneur électricien",
        "I1309",
        "",
        "",
        "",
        "",
        "",
        "SYNONYME",
        "",
    ),
    (
        "207",
        "Ouvrier boulanger / Ouvrière boulangère",
        "Ouvrier boulanger",
        "D1102",
        "",
        "",
        "",
        "",
        "",
        "SYNONYME",
        "",
    ),
    (
        "208",
        "Jardinier / Jardinière d'espaces verts",
        "Jardinier d'espaces verts",
        "A1203",
        "",
        "",
        "",
        "",
        "",
        "SYNONYME",
        "",
    ),
)

DOMAINES = (
    ("code_domaine_professionnel", "libelle_domaine_professionnel"),
    ("A12", "Espaces naturels et espaces verts"),
    ("B16", "Métal, verre, bijouterie et horlogerie"),
    ("D11", "Commerce alimentaire et métiers de bouche"),
    ("F16", "Second oeuvre"),
    ("H29", "Mécanique, travail des métaux et outillage"),
    ("I13", "Equipements de production, équipements collectifs"),
)

ONISEP = (
    (
        "Code ROME",
        "libellé métier onisep",
        "lien site onisep.fr",
        "Lib_ROME_FT",
        "lien site FT",
        "transitionEcologique",
        "transitionEcologiqueDetaillee",
        "transitionNumerique",
        "transitionDemographique",
    ),
    (
        "H2913",
        "soudeur / soudeuse",
        "https://www.onisep.fr/http/redirection/metier/slug/MET.899",
        "Soudeur / Soudeuse",
        "https://candidat.francetravail.fr/metierscope/fiche-metier/H2913",
        "Oui",
        "",
        "Non",
        "Non",
    ),
    (
        "I1304",
        "technicien / technicienne de maintenance industrielle",
        "https://www.onisep.fr/http/redirection/metier/slug/MET.1",
        "Technicien / Technicienne de maintenance industrielle",
        "https://candidat.francetravail.fr/metierscope/fiche-metier/I1304",
        "Non",
        "",
        "Oui",
        "Non",
    ),
)
CODES = ("H2913", "H2902", "I1304", "F1602", "I1309", "D1102", "A1203", "B1601")


def write_rome(folder: Path) -> Path:
    """The four ROME files of this small ROME, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows, quoting in (
        ("rome.csv", FICHES, csv.QUOTE_MINIMAL),
        ("metier.csv", APPELLATIONS, csv.QUOTE_MINIMAL),
        ("domaine_professionnel.csv", DOMAINES, csv.QUOTE_MINIMAL),
        ("rome_metiers_onisep.csv", ONISEP, csv.QUOTE_ALL),
    ):
        with (folder / name).open("w", encoding="utf-8", newline="") as file:
            csv.writer(file, delimiter=";", quoting=quoting, lineterminator="\n").writerows(rows)
    return folder


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    folder = tmp_path_factory.mktemp("rome")
    engine = open_store(f"sqlite:///{folder}/store.sqlite")
    try:
        load_paths(engine, [write_rome(folder / "rome")])
        with engine.connect() as conn:
            yield SearchIndex.build(conn, Perimeter.load(None))
    finally:
        engine.dispose()
