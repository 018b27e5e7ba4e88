"""Base centrale des nomenclatures (Éducation nationale): MEF, diplomas, levels, NSF groups,
dispositifs and familles de métiers."""

from __future__ import annotations

from tremplin.sources.spec import CFD, MEF_STAT_11, Dataset, code, integer, text

PRODUCER = "Éducation nationale (BCN)"

_VALIDITY = (
    text("date_ouverture", "date_ouverture", required=False),
    text("date_fermeture", "date_fermeture", required=False),
)

MEF = Dataset(
    name="bcn_mef",
    title="BCN — modules élémentaires de formation (MEF)",
    producer=PRODUCER,
    columns=(
        code("mef", "mef", key=True),
        code("dispositif_formation", "dispositif_formation"),
        code("cfd", "formation_diplome", shape=CFD),
        integer("duree_dispositif", "duree_dispositif", required=False),
        integer("annee_dispositif", "annee_dispositif", required=False),
        text("libelle_court", "libelle_court", required=False),
        text("libelle_long", "libelle_long"),
        *_VALIDITY,
        code("statut_mef", "statut_mef", required=False),
        code("mef_stat_11", "mef_stat_11", shape=MEF_STAT_11),
        code("mef_stat_9", "mef_stat_9", required=False),
        text("libelle_edition", "libelle_edition", required=False),
    ),
)

SUCCESSORS = tuple(
    code(f"nouveau_diplome_{n}", f"nouveau_diplome_{n}", shape=CFD, required=False)
    for n in range(1, 8)
)

FORMATIONS_DIPLOMES = Dataset(
    name="bcn_formations",
    title="BCN — formations diplômes (CFD)",
    producer=PRODUCER,
    columns=(
        code("cfd", "formation_diplome", shape=CFD, key=True),
        code("niveau_formation_diplome", "niveau_formation_diplome"),
        code("groupe_specialite", "groupe_specialite"),
        code("lettre_specialite", "lettre_specialite", required=False),
        text("libelle_court", "libelle_court", required=False),
        text("libelle_stat_33", "libelle_stat_33", required=False),
        text("libelle_long", "libelle_long_200"),
        *_VALIDITY,
        code("nature_formation_diplome", "nature_formation_diplome", required=False),
        code("niveau_qualification_rncp", "niveau_qualification_rncp", required=False),
        # The diplomas that replace this one (a renovated bac pro): 1re pro lines of a year
        # may still carry the replaced CFD.
        *SUCCESSORS,
    ),
)

NIVEAUX = Dataset(
    name="bcn_niveaux",
    title="BCN — niveaux de formation diplôme",
    producer=PRODUCER,
    columns=(
        code("niveau_formation_diplome", "niveau_formation_diplome", key=True),
        code("niveau_interministeriel", "niveau_interministeriel"),
        text("libelle_court", "libelle_court"),
        text("libelle", "libelle_100"),
        *_VALIDITY,
        code("niveau_qualification_rncp", "niveau_qualification_rncp", required=False),
    ),
)

DISPOSITIFS = Dataset(
    name="bcn_dispositifs",
    title="BCN — dispositifs de formation",
    producer=PRODUCER,
    columns=(
        code("dispositif_formation", "dispositif_formation", key=True),
        code("niveau_formation_diplome", "niveau_formation_diplome"),
        text("libelle_court", "libelle_court"),
        text("libelle_long", "libelle_long"),
        *_VALIDITY,
    ),
)

CATEGORIES = Dataset(
    name="bcn_nsf_categories",
    title="BCN — catégories de spécialités (NSF)",
    producer=PRODUCER,
    columns=(
        code("categorie_specialite", "categorie_specialite", key=True),
        text("libelle_court", "libelle_court"),
        text("libelle_long", "libelle_long"),
        text("libelle_stat_3", "libelle_stat_3"),
    ),
)

DOMAINES = Dataset(
    name="bcn_nsf_domaines",
    title="BCN — domaines de spécialités (NSF)",
    producer=PRODUCER,
    columns=(
        code("domaine_specialite", "domaine_specialite", key=True),
        code("categorie_specialite", "categorie_specialite"),
        text("libelle_long", "libelle_long"),
    ),
)

GROUPES = Dataset(
    name="bcn_nsf_groupes",
    title="BCN — groupes de spécialités (NSF)",
    producer=PRODUCER,
    columns=(
        code("groupe_specialite", "groupe_specialite", key=True),
        code("domaine_specialite", "domaine_specialite"),
        text("libelle_long", "libelle_long"),
        text("libelle_edition", "libelle_edition", required=False),
    ),
)

FAMILLES_METIERS = Dataset(
    name="bcn_familles_metiers",
    title="BCN — familles de métiers de la voie professionnelle",
    producer=PRODUCER,
    columns=(
        code("famille_metier", "famille_metier", key=True),
        text("libelle_long", "libelle_long"),
        text("libelle_edition", "libelle_edition"),
        *_VALIDITY,
    ),
)

MEF_FAMILLES = Dataset(
    name="bcn_mef_familles_metiers",
    title="BCN — MEF de chaque famille de métiers",
    producer=PRODUCER,
    columns=(
        code("famille_metier", "famille_metier", key=True),
        code("mef", "mef", key=True),
        *_VALIDITY,
        text("tag", "tag", required=False),
    ),
)

FAMILLES_SPECIALITES = Dataset(
    name="familles_metiers_specialites",
    title="Familles de métiers — 2nde commune et spécialités (MEF STAT 11, CFD)",
    producer=PRODUCER,
    columns=(
        text("famille", "famille", key=True),
        text("specialite", "specialite"),
        code("mef_stat_11_commun", "mefstat11_commun", shape=MEF_STAT_11),
        code("cfd_commun", "cfd_commun", shape=CFD),
        code("mef_stat_11_specialite", "mefstat11_specialite", shape=MEF_STAT_11),
        code("cfd_specialite", "cfd_specialite", shape=CFD),
        code("code_ministere_tutelle", "code_ministere_tutelle", required=False),
    ),
)

DIPLOMES_PROFESSIONNELS = Dataset(
    name="diplomes_professionnels",
    title="Diplômes professionnels — CPC, secteur, niveau, RNCP",
    producer="Éducation nationale (CPC)",
    columns=(
        text("cpc", "commission_professionnelle_consultative"),
        text("secteur", "secteur"),
        text("sous_secteur", "sous_secteur", required=False),
        text("niveau", "niveau"),
        text("code_diplome", "code_diplome", key=True),
        text("diplome", "diplome"),
        text("specialite", "intitule_de_la_specialite_et_options"),
        code("code_rncp", "code_rncp", required=False),
        text("date_arrete_creation", "date_de_l_arrete_de_creation", required=False),
        integer("premiere_session", "premiere_session", required=False),
        integer("derniere_session", "derniere_session", required=False),
        text("commentaire", "commentaire", required=False),
    ),
)

DATASETS = (
    MEF,
    FORMATIONS_DIPLOMES,
    NIVEAUX,
    DISPOSITIFS,
    CATEGORIES,
    DOMAINES,
    GROUPES,
    FAMILLES_METIERS,
    MEF_FAMILLES,
    FAMILLES_SPECIALITES,
    DIPLOMES_PROFESSIONNELS,
)
