"""Besoins en main-d'œuvre (France Travail): recruitment projects per bassin × FAP 2021, the
bassin ↔ commune table and the FAP 2021 labels."""

from __future__ import annotations

from tremplin.sources.spec import INSEE, Dataset, code, integer, text

PRODUCER = "France Travail (enquête BMO)"

BMO = Dataset(
    name="bmo",
    title="BMO — projets de recrutement par bassin d'emploi et métier",
    producer=PRODUCER,
    columns=(
        integer("annee", "annee"),
        code("fap2021", "code_metier_bmo", key=True),
        text("metier", "nom_metier_bmo"),
        code("famille_metier", "famille_met"),
        text("libelle_famille_metier", "lbl_fam_met"),
        code("code_region", "reg", width=2),
        text("region", "nom_reg"),
        code("code_departement", "dept", width=2),
        text("departement", "nomdept"),
        code("bassin_bmo", "be24", "be23", "be22", "be", key=True),
        text("bassin", "nombe24", "nombe23", "nombe22", "nombe"),
        # « * »: fewer answers than the survey publishes; kept apart from a count (``*_secret``).
        integer("projets", "met", secret=True),
        integer("projets_difficiles", "xmet", secret=True),
        integer("projets_saisonniers", "smet", secret=True),
    ),
    millesime_column="annee",
)

BASSINS_COMMUNES = Dataset(
    name="bmo_bassins_communes",
    title="BMO — communes de chaque bassin d'emploi",
    producer=PRODUCER,
    columns=(
        code("code_region", "reg", width=2),
        code("code_departement", "dep", width=2),
        code("code_insee", "code_commune_insee", shape=INSEE, width=5, key=True),
        code("bassin_bmo", "code_bassin_bmo", key=True),
        text("bassin", "lib_bassin_bmo"),
    ),
)

FAP2021 = Dataset(
    name="fap2021",
    millesime_pattern=None,  # « 2021 » in the name is the nomenclature, not a year
    title="FAP 2021 — intitulés des familles professionnelles",
    producer="DARES / France Travail",
    columns=(
        code("fap2021", "code_fap341", key=True),
        text("libelle", "intitule_fap341"),
        code("fap228", "code_fap228"),
        text("libelle_fap228", "intitule_fap228"),
        code("fap86", "code_fap86"),
        text("libelle_fap86", "intitule_fap86"),
        code("fap22", "code_fap22"),
        text("libelle_fap22", "intitule_fap22"),
    ),
)

DATASETS = (BMO, BASSINS_COMMUNES, FAP2021)
