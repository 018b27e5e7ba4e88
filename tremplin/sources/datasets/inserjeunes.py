"""InserJeunes: insertion of leavers, per lycée (pro and apprentissage), per CFA, per région ×
formation.

The per-lycée files leave some headers empty: in 2018-19 and 2019-20 the columns between
« Région » and « Taux » are unnamed. Their meaning follows from their place (see
``spec.name_blank_headers``): the field (« ensemble » / « dont apprentis ») then the rate of
further study. ``Taux`` is the employment rate 6 months after leaving. The trailing unnamed
columns of the oldest files are not documented and are left out (listed as ignored columns).
"""

from __future__ import annotations

import polars as pl

from tremplin.sources.spec import CFD, MEF_STAT_11, UAI, Dataset, code, decimal, integer, text

PRODUCER = "DEPP / DARES (InserJeunes)"
_FIELDS = ["ensemble", "dont apprentis"]


def _lycee_variant(frame: pl.DataFrame) -> str:
    values = frame.get_column("champ").cast(pl.String).drop_nulls().str.to_lowercase()
    return "lycee_pro" if values.len() and values.is_in(_FIELDS).all() else "apprentissage"


def _lycee_fields(frame: pl.DataFrame) -> pl.DataFrame:
    # In apprentissage files the second unnamed column carries another figure, not a field.
    champ = pl.col("champ").cast(pl.String).str.to_lowercase()
    return frame.with_columns(
        pl.when(champ.is_in(_FIELDS)).then(champ).otherwise(None).alias("champ")
    )


INSERJEUNES_LYCEES = Dataset(
    name="inserjeunes_lycees",
    title="InserJeunes — insertion par lycée (voie professionnelle et apprentissage)",
    producer=PRODUCER,
    columns=(
        code(
            "uai",
            "ndeguai_de_l_etablissement",
            "n_uai_de_l_etablissement",
            "uai",
            shape=UAI,
            width=8,
            key=True,
        ),
        text("etablissement", "libelle_de_l_etablissement"),
        text("region", "region"),
        text("champ", "dont_apprentis_en_eple", "region+1", required=False),
        decimal(
            "taux_poursuite",
            "taux_de_poursuite_d_etudes",
            "dont_apprentis_en_eple+1",
            "region+2",
            required=False,
        ),
        decimal("taux_emploi_6_mois", "taux", "taux_d_emploi_6_mois"),
        decimal("taux_emploi_6_mois_attendu", "taux_attendu"),
        decimal("valeur_ajoutee", "valeur_ajoutee"),
        decimal("part_poursuite", "part_en_poursuite_d_etudes", required=False),
        decimal("part_emploi_6_mois", "part_en_emploi_6_mois_apres_la_sortie", required=False),
        decimal("part_autres", "part_des_autres_situations", required=False),
    ),
    variant=_lycee_variant,
    transform=_lycee_fields,
)

INSERJEUNES_CFA = Dataset(
    name="inserjeunes_cfa",
    title="InserJeunes — insertion par CFA",
    producer=PRODUCER,
    columns=(
        text("annee", "annee"),
        code("uai", "uai", shape=UAI, width=8, key=True),
        text("libelle", "libelle"),
        text("region", "region"),
        decimal("part_poursuite", "devenir_part_poursuite_etudes"),
        decimal("part_emploi_6_mois", "devenir_part_en_emploi_6_mois"),
        decimal("part_autres", "devenir_part_autre_situation_6_mois"),
        decimal(
            "part_contrats_interrompus", "part_contrats_apprentissage_interrompus", required=False
        ),
        decimal("taux_poursuite", "taux_poursuite_etudes"),
        decimal("taux_emploi_6_mois", "taux_emploi_6_mois"),
        decimal("taux_emploi_6_mois_attendu", "taux_emploi_6_mois_attendu"),
        decimal("valeur_ajoutee", "va_emploi_6_mois"),
        decimal("taux_emploi_12_mois", "taux_emploi_12_mois", required=False),
        decimal("taux_emploi_18_mois", "taux_emploi_18_mois", required=False),
        decimal("taux_emploi_24_mois", "taux_emploi_24_mois", required=False),
    ),
    millesime_column="annee",
)

INSERJEUNES_REGIONS = Dataset(
    name="inserjeunes_regions",
    title="InserJeunes — insertion par région et formation",
    producer=PRODUCER,
    columns=(
        text("id", "id", required=False),
        text("millesime", "millesime"),
        code("code_region_ij", "code_region_ij", required=False),
        code("code_region", "code_region", width=2),
        text("voie", "voie"),
        code("cfd", "cfd", shape=CFD),
        code("mef_stat_11", "mefstat11", "mef_stat_11", shape=MEF_STAT_11),
        integer("nb_annee_term", "nb_annee_term"),
        integer("nb_en_emploi_6_mois", "nb_en_emploi_6_mois"),
        integer("nb_en_emploi_12_mois", "nb_en_emploi_12_mois"),
        integer("nb_en_emploi_18_mois", "nb_en_emploi_18_mois"),
        integer("nb_en_emploi_24_mois", "nb_en_emploi_24_mois"),
        integer("nb_poursuite_etudes", "nb_poursuite_etudes"),
        integer("nb_sortant", "nb_sortant"),
        decimal("taux_emploi_6_mois", "taux_emploi_6_mois"),
        decimal("taux_emploi_12_mois", "taux_emploi_12_mois"),
        decimal("taux_emploi_18_mois", "taux_emploi_18_mois"),
        decimal("taux_emploi_24_mois", "taux_emploi_24_mois"),
        decimal("taux_poursuite_etudes", "taux_poursuite_etudes"),
    ),
    millesime_column="millesime",
)

DATASETS = (INSERJEUNES_LYCEES, INSERJEUNES_CFA, INSERJEUNES_REGIONS)
