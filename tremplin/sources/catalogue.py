"""Where each official file is published: the one place that names the producers' addresses.

One :class:`CatalogueEntry` per file, laid out under the sources folder exactly as in the shared
data folder (``bcn/nMef.csv``, ``bmo/Base_open_data_BMO_2024.xlsx``…), so ``tremplin load`` reads
a fetched folder and the shared one alike. Files that no producer publishes at a stable address
(extracts redistributed by steering tools, tables reshaped by third parties) have ``url=None`` and
a French ``note`` telling a planner where to obtain them; ``tremplin fetch`` skips them.

``docs/fetch.md`` describes this catalogue for people; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from tremplin.errors import InputError

LICENCE_OUVERTE = "Licence Ouverte / Etalab 2.0"

# Opendatasoft "explore" API v2.1 of the two education ministries: a CSV export of a whole dataset
# (or of the rows matching ``where``) at a fixed address, always the current version.
_EDUCATION = "https://data.education.gouv.fr/api/explore/v2.1/catalog/datasets"
# Base centrale des nomenclatures (DEPP): CSV export of one table, ``;``-separated.
_BCN = "https://bcn.depp.education.fr/bcn/index.php/export/CSV?separator=%3B&n="
# France Travail's open data of the BMO survey, one workbook per year.
_BMO = (
    "https://www.francetravail.org/files/live/sites/peorg/files/documents/"
    "Statistiques-et-analyses/Open-data/BMO"
)
# data.gouv.fr: ``/datasets/r/<resource id>`` always redirects to the resource's latest file.
_DATA_GOUV_RESOURCE = "https://www.data.gouv.fr/fr/datasets/r"


@dataclass(frozen=True)
class CatalogueEntry:
    """One downloadable file.

    ``key`` names the file for ``--only`` and in the manifest; ``path`` is relative to the sources
    folder, with ``/`` separators; ``url`` is the producer's own address, or ``None`` when the file
    is not openly published at a stable address (``note`` then says where to obtain it).
    """

    key: str
    path: str
    url: str | None
    producer: str
    licence: str
    title: str
    note: str = ""

    @property
    def folder(self) -> str:
        """The dataset family: the first folder of ``path`` (``bcn``, ``bmo``…)."""
        return self.path.split("/", 1)[0]

    @property
    def fetchable(self) -> bool:
        return self.url is not None


def _bcn(key: str, path: str, table: str, title: str) -> CatalogueEntry:
    return CatalogueEntry(
        key=key,
        path=path,
        url=_BCN + table,
        producer="Ministère de l'Éducation nationale — DEPP, Base centrale des nomenclatures",
        licence=LICENCE_OUVERTE,
        title=f"{title} (table {table})",
    )


def _unpublished(key: str, path: str, producer: str, title: str, note: str) -> CatalogueEntry:
    return CatalogueEntry(
        key=key,
        path=path,
        url=None,
        producer=producer,
        licence=LICENCE_OUVERTE,
        title=title,
        note=note,
    )


_ORION = (
    "Diffusé par Orion, l'outil de pilotage de la carte des formations du ministère : "
    "à demander au service statistique académique (SSA) ou à la DRAFPIC."
)

CATALOGUE: tuple[CatalogueEntry, ...] = (
    # ── affelnet ─────────────────────────────────────────────────────────────────────────────
    _unpublished(
        "affelnet_1pro_spe",
        "affelnet/affelnet1PROspe.csv",
        "Ministère de l'Éducation nationale — DEPP (Affelnet)",
        "Affelnet 1re année pro : capacités, vœux 1 et affectés par établissement × MEF",
        "Extrait Affelnet non publié en open data. " + _ORION,
    ),
    _unpublished(
        "affelnet_2nde",
        "affelnet/affelnet2nde.csv",
        "Ministère de l'Éducation nationale — DEPP (Affelnet)",
        "Affelnet : capacités de 2nde par académie, établissement et MEF",
        "Extrait Affelnet non publié en open data. " + _ORION,
    ),
    _unpublished(
        "affelnet_attractivite_2021",
        "affelnet/attractivite_capacite_2021.csv",
        "Ministère de l'Éducation nationale — DEPP (Affelnet)",
        "Affelnet 2021 : capacité et demandes vœux 1 par établissement × MEF STAT 11",
        "Extrait Affelnet non publié en open data. " + _ORION,
    ),
    # ── bcn ──────────────────────────────────────────────────────────────────────────────────
    _bcn("bcn_n_mef", "bcn/nMef.csv", "N_MEF", "Modules élémentaires de formation (MEF)"),
    _bcn(
        "bcn_n_formation_diplome",
        "bcn/nFormationDiplome_.csv",
        "N_FORMATION_DIPLOME",
        "Formations et diplômes (CFD)",
    ),
    _bcn(
        "bcn_n_dispositif_formation",
        "bcn/nDispositifFormation_.csv",
        "N_DISPOSITIF_FORMATION",
        "Dispositifs de formation",
    ),
    _bcn(
        "bcn_n_niveau_formation_diplome",
        "bcn/nNiveauFormationDiplome_.csv",
        "N_NIVEAU_FORMATION_DIPLOME",
        "Niveaux des formations et diplômes",
    ),
    _bcn(
        "bcn_n_categorie_specialite",
        "bcn/n_categorie_specialite_.csv",
        "N_CATEGORIE_SPECIALITE",
        "Catégories de spécialités (NSF)",
    ),
    _bcn(
        "bcn_n_domaine_specialite",
        "bcn/n_domaine_specialite_.csv",
        "N_DOMAINE_SPECIALITE",
        "Domaines de spécialités (NSF)",
    ),
    _bcn(
        "bcn_n_groupe_specialite",
        "bcn/n_groupe_specialite_.csv",
        "N_GROUPE_SPECIALITE",
        "Groupes de spécialités (NSF)",
    ),
    _bcn(
        "bcn_n_famille_metier",
        "bcn/bcn_n_famille_metier_spec_pro.csv",
        "N_FAMILLE_METIER_SPEC_PRO",
        "Familles de métiers de la voie professionnelle",
    ),
    _bcn(
        "bcn_n_lien_mef_famille_metier",
        "bcn/bcn_n_lien_mef_famille_metier.csv",
        "N_LIEN_MEF_FAMILLE_METIER",
        "Lien entre MEF et familles de métiers",
    ),
    _unpublished(
        "bcn_diplomes_professionnels",
        "bcn/diplomesProfessionnels.csv",
        "Ministère de l'Éducation nationale — DGESCO (CPC)",
        "Diplômes professionnels par commission professionnelle consultative",
        "Liste diffusée par la DGESCO sur éduscol (page des diplômes professionnels), "
        "sans adresse de fichier stable : la télécharger depuis éduscol.",
    ),
    _unpublished(
        "bcn_familles_metiers",
        "bcn/familleMetiers.csv",
        "Ministère de l'Éducation nationale — DGESCO",
        "Familles de métiers et spécialités de bac pro (MEF STAT 11, CFD)",
        "Table de correspondance tirée des tables BCN N_FAMILLE_METIER_SPEC_PRO et "
        "N_LIEN_MEF_FAMILLE_METIER. " + _ORION,
    ),
    # ── bmo ──────────────────────────────────────────────────────────────────────────────────
    CatalogueEntry(
        key="bmo_2024",
        path="bmo/Base_open_data_BMO_2024.xlsx",
        url=f"{_BMO}/Base_open_data_BMO_2024.xlsx",
        producer="France Travail (enquête Besoins en main-d'œuvre)",
        licence=LICENCE_OUVERTE,
        title="BMO 2024 : projets de recrutement par bassin d'emploi × métier FAP 2021",
    ),
    _unpublished(
        "bmo_intitules_fap2021",
        "bmo/Intitules_FAP2021.csv",
        "DARES (nomenclature des familles professionnelles 2021)",
        "Intitulés des familles professionnelles FAP 2021 (341, 228, 86 et 22 postes)",
        "La DARES publie la nomenclature FAP 2021 en classeur Excel sur son site "
        "(dares.travail-emploi.gouv.fr, « Les familles professionnelles ») ; ce CSV en est une "
        "mise en forme : exporter la feuille des intitulés en CSV (séparateur « ; »).",
    ),
    _unpublished(
        "bmo_bassins_communes",
        "bmo/bassin_emploi_BMO_communes.csv",
        "France Travail (zonage des bassins d'emploi BMO)",
        "Bassins d'emploi BMO ↔ communes",
        "France Travail diffuse le zonage des bassins BMO avec la documentation de l'enquête "
        "(statistiques.francetravail.org/bmo) ; ce CSV est une table redistribuée, sans adresse "
        "stable : la demander à la direction régionale de France Travail.",
    ),
    # ── certifications ───────────────────────────────────────────────────────────────────────
    CatalogueEntry(
        key="certif_info",
        path="certifications/certif_info.csv",
        url=f"{_DATA_GOUV_RESOURCE}/f2981d6f-e55c-42cd-8eba-3e891777e222",
        producer="Réseau des Carif-Oref (Certif Info)",
        licence=LICENCE_OUVERTE,
        title="Référentiel national des certifications (Certif Info) : CFD, RNCP, ROME, NSF",
    ),
    # ── dares ────────────────────────────────────────────────────────────────────────────────
    _unpublished(
        "dares_tensions",
        "dares/tensions.csv",
        "DARES / Pôle emploi",
        "Indicateurs de tension 2019 par FAP 2009 et leurs six composantes",
        "La DARES publie « Les tensions sur le marché du travail » en classeurs Excel sur "
        "dares.travail-emploi.gouv.fr ; ce CSV (national, régional, départemental) en est une "
        "mise en forme redistribuée, sans adresse stable.",
    ),
    _unpublished(
        "dares_evol_tensions",
        "dares/evol_tensions.csv",
        "DARES / Pôle emploi",
        "Évolution de l'indicateur de tension par FAP 2009, 2011–2019",
        "Série tirée des classeurs « Les tensions sur le marché du travail » de la DARES "
        "(dares.travail-emploi.gouv.fr) ; mise en forme redistribuée, sans adresse stable.",
    ),
    _unpublished(
        "dares_fap_rome",
        "dares/fap225_rome.csv",
        "DARES",
        "Correspondance FAP 2009 (225 familles) ↔ ROME",
        "Table de passage publiée par la DARES en classeur Excel (« Les familles "
        "professionnelles », dares.travail-emploi.gouv.fr) ; ce CSV en est un export.",
    ),
    _unpublished(
        "dares_fap_pcs",
        "dares/FAP_PCS.csv",
        "DARES",
        "Correspondance FAP 2009 ↔ PCS",
        "Table de passage publiée par la DARES en classeur Excel (« Les familles "
        "professionnelles », dares.travail-emploi.gouv.fr) ; ce CSV en est un export.",
    ),
    # ── effectifs ────────────────────────────────────────────────────────────────────────────
    _unpublished(
        "constat_2020",
        "effectifs/constat_2020.csv",
        "Ministère de l'Éducation nationale — DEPP (constat de rentrée)",
        "Constat de rentrée 2020 : élèves par UAI × MEF",
        "Extrait du constat de rentrée au niveau MEF, non publié à ce grain en open data "
        "(data.education.gouv.fr ne publie que des effectifs par niveau). " + _ORION,
    ),
    # ── etablissements ───────────────────────────────────────────────────────────────────────
    CatalogueEntry(
        key="colleges_aura",
        path="etablissements/fr-en-annuaire-education_colleges_AURA.csv",
        url=(
            f"{_EDUCATION}/fr-en-adresse-et-geolocalisation-etablissements-premier-et-second-degre"
            "/exports/csv?delimiter=%3B&where=code_region%3D%2784%27%20and%20nature_uai_libe"
            "%20in%20(%27COLLEGE%27%2C%27COLLEGE%20SPECIALISE%27)"
        ),
        producer="Ministère de l'Éducation nationale (annuaire des établissements)",
        licence=LICENCE_OUVERTE,
        title="Collèges d'Auvergne-Rhône-Alpes, avec coordonnées",
    ),
    _unpublished(
        "lycees_france",
        "etablissements/lycees_france.json",
        "Ministère de l'Éducation nationale (annuaire), via un projet public",
        "Lycées de France (UAI, nom, ville, code postal)",
        "Fichier d'amorçage redistribué par un projet public, sans adresse stable ; la même "
        "information est dans l'annuaire de l'éducation sur data.education.gouv.fr.",
    ),
    # ── inserjeunes ──────────────────────────────────────────────────────────────────────────
    CatalogueEntry(
        key="inserjeunes_cfa",
        path="inserjeunes/fr-en-inserjeunes-cfa.csv",
        url=(
            f"{_EDUCATION}/fr-en-inserjeunes-cfa/exports/csv"
            "?delimiter=%3B&use_labels=true&lang=fr&timezone=Europe%2FParis"
        ),
        producer="DEPP / DARES (InserJeunes)",
        licence=LICENCE_OUVERTE,
        title="InserJeunes : insertion des apprentis par CFA",
    ),
    *(
        _unpublished(
            f"inserjeunes_{years.replace('-', '_')}_{voie}",
            f"inserjeunes/depp-inserjeunes-etablissements-{years}-{voie}.csv",
            "DEPP / DARES (InserJeunes)",
            f"InserJeunes {years.replace('_', '-')} par établissement ({label})",
            "Fichier annuel de la DEPP par établissement, sans adresse stable aujourd'hui ; les "
            "jeux fr-en-inserjeunes-* de data.education.gouv.fr publient les mêmes indicateurs "
            "dans une autre mise en forme. À demander au service statistique académique (SSA).",
        )
        for years in ("2018_2019", "2019_2020", "2020_2021", "2021_2022")
        for voie, label in (("pro", "lycées professionnels"), ("apprentissage", "apprentissage"))
    ),
    _unpublished(
        "inserjeunes_regions",
        "inserjeunes/ij_region_data.csv",
        "DEPP / DARES (InserJeunes)",
        "InserJeunes par région × formation (taux d'emploi à 6–24 mois, poursuite d'études)",
        "Extrait de l'API InserJeunes (accès sur compte). " + _ORION,
    ),
    # ── parcoursup ───────────────────────────────────────────────────────────────────────────
    *(
        _unpublished(
            f"parcoursup_bts_{year}",
            f"parcoursup/BTS_attractivite_capacite_{year}.csv",
            "MESR / Parcoursup",
            f"Parcoursup {year} : vœux confirmés et capacités des BTS par UAI × formation",
            "Extrait Parcoursup non publié à ce grain en open data. " + _ORION,
        )
        for year in (2021, 2022, 2023)
    ),
    _unpublished(
        "parcoursup_formations_gps",
        "parcoursup/parcoursup_formations_gps_reduced_crysis421.csv",
        "MESR / Parcoursup",
        "Formations post-bac de Parcoursup avec coordonnées GPS (extrait réduit)",
        "Extrait réduit, redistribué par un projet public, du jeu fr-esr-parcoursup de "
        "data.enseignementsup-recherche.gouv.fr (dont l'export complet a d'autres colonnes).",
    ),
    # ── rome ─────────────────────────────────────────────────────────────────────────────────
    *(
        _unpublished(
            f"rome_{name}",
            f"rome/{name}.csv",
            "France Travail (ROME 4.0)",
            title,
            "France Travail publie le ROME 4.0 par API sur francetravail.io (compte gratuit) ; "
            "ce CSV en est une mise en forme redistribuée, sans adresse stable.",
        )
        for name, title in (
            ("rome", "ROME 4.0 : fiches métiers"),
            ("metier", "ROME 4.0 : appellations"),
            ("domaine_professionnel", "ROME 4.0 : domaines professionnels"),
        )
    ),
    _unpublished(
        "rome_metiers_onisep",
        "rome/rome_metiers_onisep.csv",
        "ONISEP, France Travail",
        "Correspondance ROME ↔ métiers ONISEP, avec liens",
        "Table redistribuée par un projet public de la Mission apprentissage, sans adresse "
        "stable ; l'ONISEP publie ses métiers sur opendata.onisep.fr.",
    ),
    # ── territoires ──────────────────────────────────────────────────────────────────────────
    _unpublished(
        "communes",
        "territoires/communes_2026_pop_geopoint.csv",
        "INSEE (COG) via Etalab",
        "Communes 2026 : code INSEE, population, codes postaux, centroïde",
        "Table construite à partir du Code officiel géographique (INSEE) et de l'API Découpage "
        "administratif (geo.api.gouv.fr), qui n'en publie pas d'export CSV stable.",
    ),
    _unpublished(
        "departements",
        "territoires/departements.json",
        "INSEE (COG) via Etalab",
        "Départements (code, région, chef-lieu)",
        "Fichier du paquet « @etalab/decoupage-administratif » (données du COG de l'INSEE), "
        "diffusé par le registre npm et non à une adresse de fichier stable.",
    ),
    _unpublished(
        "regions",
        "territoires/regions.json",
        "INSEE (COG) via Etalab",
        "Régions (code, chef-lieu)",
        "Fichier du paquet « @etalab/decoupage-administratif » (données du COG de l'INSEE), "
        "diffusé par le registre npm et non à une adresse de fichier stable.",
    ),
    _unpublished(
        "departements_academies_regions",
        "territoires/departements_academies_regions.csv",
        "Ministère de l'Éducation nationale",
        "Départements ↔ académies ↔ régions",
        "Table redistribuée par un projet public, sans adresse stable ; la même correspondance "
        "se reconstruit avec les tables des académies et des départements de la BCN.",
    ),
    CatalogueEntry(
        key="academies_contours",
        path="territoires/fond_carte_academies.json",
        url=f"{_EDUCATION}/fr-en-contour-academies-2020/exports/geojson",
        producer="Ministère de l'Éducation nationale",
        licence=LICENCE_OUVERTE,
        title="Contours des académies (GeoJSON)",
    ),
)


def entry(key: str) -> CatalogueEntry:
    """The catalogue entry called ``key``."""
    for candidate in CATALOGUE:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def select(only: set[str] | None = None) -> list[CatalogueEntry]:
    """The entries named in ``only`` (by key or by folder, e.g. ``bcn``), in catalogue order.

    ``None`` or an empty set selects the whole catalogue. A name that matches nothing raises
    :class:`~tremplin.errors.InputError` with a French message listing the known names.
    """
    if not only:
        return list(CATALOGUE)
    known = {e.key for e in CATALOGUE} | {e.folder for e in CATALOGUE}
    unknown = sorted(only - known)
    if unknown:
        raise InputError(
            f"jeu(x) inconnu(s) : {', '.join(unknown)}. "
            f"Noms possibles : {', '.join(sorted(known))}."
        )
    return [e for e in CATALOGUE if e.key in only or e.folder in only]
