"""Parcoursup: BTS wishes and capacities per UAI × formation, and the formations' GPS extract.

The yearly BTS files rename their MEF column: in 2021 ``MEFSTAT11`` is the original code and
``MEFSTAT11 rectifié`` the corrected one; from 2022 the original is ``MEFSTAT11_old`` and the
corrected one is ``MEFSTAT11``. Aliases are tried in order, so both layouts map the same way.
Files that publish the MEF STAT 11 without the CFD columns load too.
"""

from __future__ import annotations

import polars as pl

from tremplin.sources.spec import (
    CFD,
    MEF_STAT_11,
    UAI,
    Dataset,
    Derived,
    Kind,
    boolean,
    code,
    integer,
    text,
)

PARCOURSUP_BTS = Dataset(
    name="parcoursup_bts",
    title="Parcoursup — BTS : vœux confirmés et capacités",
    producer="MESR / Parcoursup",
    columns=(
        code("uai", "uai", shape=UAI, width=8, key=True),
        text("libelle_formation", "libelleformation", "libelle_formation"),
        code("mef_stat_11", "mefstat11_old", "mefstat11", shape=MEF_STAT_11),
        integer("nb_voeux_confirmes", "nb_voeux_confirmes"),
        text("statut", "statut"),
        integer("capacite", "capacitepsup", "capacite"),
        # Later files publish the MEF STAT 11 only: the diagnostic takes the CFD from the BCN's
        # MEF → CFD (referentials.formations) for every file.
        code("cfd", "cfd", shape=CFD, required=False),
        code("cfd_rectifie", "cfd_rectifie", shape=CFD, required=False),
        boolean("rectifie", "rectif", required=False),
        code(
            "mef_stat_11_rectifie",
            "mefstat11_rectifie",
            "mefstat11",
            shape=MEF_STAT_11,
            required=False,
        ),
        integer("nb_apparitions", "nb_apparitions", required=False),
    ),
    # The 2022 file republished the 2021 rows re-sorted, with some CFDs re-coded: the same rows
    # are told by what Parcoursup observed, not by the codes.
    same_rows_on=(
        "uai",
        "libelle_formation",
        "mef_stat_11",
        "statut",
        "nb_voeux_confirmes",
        "capacite",
    ),
)


def _split_gps(frame: pl.DataFrame) -> pl.DataFrame:
    parts = pl.col("coordonnees_gps").str.split(",")
    return frame.with_columns(
        parts.list.get(0, null_on_oob=True)
        .str.strip_chars()
        .cast(pl.Float64, strict=False)
        .alias("latitude"),
        parts.list.get(1, null_on_oob=True)
        .str.strip_chars()
        .cast(pl.Float64, strict=False)
        .alias("longitude"),
    )


PARCOURSUP_FORMATIONS = Dataset(
    name="parcoursup_formations",
    title="Parcoursup — formations et coordonnées GPS",
    producer="MESR / Parcoursup (fr-esr-parcoursup)",
    columns=(
        text(
            "statut_etablissement",
            "statut_de_l_etablissement_de_la_filiere_de_formation_public_prive",
        ),
        code("uai", "code_uai_de_l_etablissement", shape=UAI, width=8, key=True),
        text("etablissement", "etablissement"),
        text("region", "region_de_l_etablissement"),
        text("filiere", "filiere_de_formation"),
        text("coordonnees_gps", "coordonnees_gps_de_la_formation"),
    ),
    derived=(Derived("latitude", Kind.DECIMAL), Derived("longitude", Kind.DECIMAL)),
    transform=_split_gps,
)

DATASETS = (PARCOURSUP_BTS, PARCOURSUP_FORMATIONS)
