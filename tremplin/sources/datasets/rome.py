"""ROME 4.0 (France Travail): fiches, appellations, professional domains, ONISEP links."""

from __future__ import annotations

from tremplin.sources.spec import ROME, Dataset, boolean, code, text

PRODUCER = "France Travail (ROME 4.0)"

_TRANSITIONS = (
    text("transition_eco", "transition_eco", required=False),
    text("transition_num", "transition_num", required=False),
    text("transition_demo", "transition_demo", required=False),
    text("emploi_reglemente", "emploi_reglemente", required=False),
    text("emploi_cadre", "emploi_cadre", required=False),
)

ROME_FICHES = Dataset(
    name="rome_fiches",
    title="ROME — fiches métiers",
    producer=PRODUCER,
    columns=(
        code("code_rome", "code_rome", shape=ROME, key=True),
        code("code_fiche_metier", "code_fiche_metier"),
        code("code_ogr", "code_ogr", required=False),
        text("libelle_rome", "libelle_rome"),
        *_TRANSITIONS,
        code("code_rome_parent", "code_rome_parent", shape=ROME, required=False),
    ),
)

ROME_APPELLATIONS = Dataset(
    name="rome_appellations",
    title="ROME — appellations de métier",
    producer=PRODUCER,
    columns=(
        code("code_ogr", "code_ogr", key=True),
        text("libelle_long", "libelle_appellation_long"),
        text("libelle_court", "libelle_appellation_court"),
        code("code_rome", "code_rome", shape=ROME, key=True),
        *_TRANSITIONS,
        text("classification", "classification", required=False),
        text("origine", "origine", required=False),
    ),
)

ROME_DOMAINES = Dataset(
    name="rome_domaines",
    title="ROME — domaines professionnels",
    producer=PRODUCER,
    columns=(
        code("code_domaine", "code_domaine_professionnel", key=True),
        text("libelle_domaine", "libelle_domaine_professionnel"),
    ),
)

ROME_ONISEP = Dataset(
    name="rome_onisep",
    title="ROME ↔ métiers ONISEP",
    producer="ONISEP, France Travail",
    columns=(
        code("code_rome", "code_rome", shape=ROME, key=True),
        text("libelle_onisep", "libelle_metier_onisep"),
        text("lien_onisep", "lien_site_onisep_fr"),
        text("libelle_rome", "lib_rome_ft", required=False),
        text("lien_france_travail", "lien_site_ft", required=False),
        boolean("transition_ecologique", "transitionecologique", required=False),
        text("transition_ecologique_detail", "transitionecologiquedetaillee", required=False),
        boolean("transition_numerique", "transitionnumerique", required=False),
        boolean("transition_demographique", "transitiondemographique", required=False),
    ),
)

DATASETS = (ROME_FICHES, ROME_APPELLATIONS, ROME_DOMAINES, ROME_ONISEP)
