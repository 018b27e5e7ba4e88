"""Constat de rentrée: students per UAI × MEF STAT 11 (DEPP)."""

from __future__ import annotations

from tremplin.sources.spec import MEF_STAT_11, UAI, Dataset, code, integer

CONSTAT = Dataset(
    name="constat",
    title="Constat de rentrée — élèves par établissement et formation",
    producer="DEPP",
    columns=(
        integer("rentree_scolaire", "rentree_scolaire", "rentree"),
        code("uai", "uai", shape=UAI, width=8, key=True),
        code("mef_stat_11", "mef_bcp_11", "mef_stat_11", "mefstat11", shape=MEF_STAT_11, key=True),
        integer("effectif", "nombre_d_eleves_total", "nombre_d_eleves", "effectif"),
    ),
    millesime_column="rentree_scolaire",
)

DATASETS = (CONSTAT,)
