"""DARES: tension indicators per FAP 2009 (with their six components) and FAP ↔ ROME / PCS."""

from __future__ import annotations

from tremplin.sources.spec import ROME, Dataset, code, decimal, integer, text

PRODUCER = "DARES / France Travail"

TENSIONS = Dataset(
    name="dares_tensions",
    title="DARES — indicateurs de tension par métier",
    producer=PRODUCER,
    columns=(
        code("fap2009", "fap", key=True),
        decimal("emploi_moyen", "emploi_moyen"),
        decimal("tension", "tension"),
        decimal("categorie_tension", "categorie_tension"),
        decimal("intensite_embauches", "intensite_d_embauches"),
        decimal("lien_formation_emploi", "lien_formation_emploi"),
        decimal("manque_main_oeuvre", "manque_de_main_d_oeuvre_disponible"),
        decimal("non_durabilite_emploi", "non_durabilite_de_l_emploi"),
        decimal("conditions_travail", "conditions_de_travail_contraignantes"),
        decimal("inadequation_geographique", "inadequation_geographique"),
        integer("annee", "annee"),
        text("niveau_geo", "niveau_geo"),
        text("niveau_fap", "niveau_fap"),
        code("code_region", "reg", width=2, required=False),
        code("code_departement", "dep", width=2, required=False),
    ),
    millesime_column="annee",
)

EVOLUTION_TENSIONS = Dataset(
    name="dares_tensions_evolution",
    title="DARES — évolution de la tension par métier",
    producer=PRODUCER,
    columns=(
        code("fap2009", "fap", key=True),
        decimal("tension", "tension"),
        integer("annee", "annee"),
    ),
    millesime_column="annee",
)

FAP_ROME = Dataset(
    name="fap2009_rome",
    title="DARES — correspondance FAP 2009 ↔ ROME",
    producer=PRODUCER,
    columns=(
        code("fap2009", "fap", key=True),
        code("code_rome", "rome", "code_rome", shape=ROME),
        text("libelle_rome", "intitule_rome"),
    ),
)

FAP_PCS = Dataset(
    name="fap2009_pcs",
    title="DARES — correspondance FAP 2009 ↔ PCS",
    producer=PRODUCER,
    columns=(
        code("fap2009", "fap", key=True),
        code("pcs", "pcs", key=True),
        text("libelle_pcs", "intitule_pcs"),
    ),
)

DATASETS = (TENSIONS, EVOLUTION_TENSIONS, FAP_ROME, FAP_PCS)
