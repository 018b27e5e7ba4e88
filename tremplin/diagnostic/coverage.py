"""What each join of the chain keeps: share of rows and of volume surviving, France and the
partnership's région (``TREMPLIN_REGION``, Auvergne-Rhône-Alpes by default).

The chain: offer → establishment placed in a commune → bassin BMO; offer → formation (MEF STAT 11
→ CFD) → ROME (Certif Info) → FAP 2009 (DARES) → FAP 2021 (bridge); offer → insertion figures of
its région × formation; BMO projects → families of FAP 2021 and académie; DARES employment →
FAP 2021. Each step is cumulative: a row reaches a step only if it passed the previous ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tremplin.config import DEFAULT_REGION
from tremplin.diagnostic.facts import Facts, voie
from tremplin.referentials.fap_bridge import BridgeCoverage
from tremplin.referentials.places import placement_report


@dataclass(frozen=True)
class Step:
    label: str
    condition: pl.Expr


def _steps_offres(insertion_keys: pl.DataFrame) -> list[Step]:
    placed = pl.col("code_insee").is_not_null()
    formation = pl.col("cfd").is_not_null()
    rome = formation & pl.col("code_rome").is_not_null()
    fap2009 = rome & pl.col("fap2009").is_not_null()
    fap2021 = fap2009 & pl.col("fap2021").is_not_null()
    return [
        Step("établissement → commune", placed),
        Step("commune → bassin BMO", placed & pl.col("bassin_bmo").is_not_null()),
        Step("MEF STAT 11 → formation (CFD)", formation),
        Step("CFD → ROME (Certif Info)", rome),
        Step("ROME → FAP 2009 (DARES)", fap2009),
        Step("FAP 2009 → FAP 2021 (passerelle)", fap2021),
        Step("formation → insertion (InserJeunes)", pl.col("_insertion").fill_null(False)),
    ]


def _measure(
    frame: pl.DataFrame, source: str, scope: str, steps: list[Step], volumes: list[str]
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for step in steps:
        for volume in volumes:
            kept = frame.filter(step.condition)
            total_volume = float(frame.get_column(volume).fill_null(0).sum())
            kept_volume = float(kept.get_column(volume).fill_null(0).sum())
            rows.append(
                {
                    "source": source,
                    "jointure": step.label,
                    "territoire": scope,
                    "lignes": frame.height,
                    "lignes_conservees": kept.height,
                    "part_lignes": kept.height / frame.height if frame.height else None,
                    "volume": volume,
                    "volume_total": int(total_volume),
                    "volume_conserve": int(kept_volume),
                    "part_volume": kept_volume / total_volume if total_volume else None,
                }
            )
    return rows


def region_name(facts: Facts, region: str) -> str:
    """The name of ``region`` (« Auvergne-Rhône-Alpes » for 84), else « Région 84 »."""
    names = facts.territoires.filter(
        (pl.col("maille") == "region") & (pl.col("code") == region)
    ).get_column("nom")
    return str(names[0]) if len(names) and names[0] else f"Région {region}"


def coverage(facts: Facts, region: str = DEFAULT_REGION) -> pl.DataFrame:
    """One row per source × join × territory (France, then ``region``) × volume measured."""
    offres = facts.offres.filter(pl.col("entree"))
    keys = (
        facts.insertion.select("code_region", "cfd", "voie")
        .unique()
        .with_columns(pl.lit(True).alias("_insertion"))
    )
    if keys.is_empty():
        offres = offres.with_columns(pl.lit(False).alias("_insertion"))
    else:
        reached = (
            offres.with_row_index("_offre")
            .select(
                "_offre", "code_region", pl.col("cfds_insertion").alias("cfd"), voie().alias("voie")
            )
            .explode("cfd")
            .join(keys, on=["code_region", "cfd", "voie"], how="inner")
            .select("_offre")
            .unique()
            .with_columns(pl.lit(True).alias("_insertion"))
        )
        offres = offres.with_row_index("_offre").join(reached, on="_offre", how="left")
    rows: list[dict[str, object]] = []
    for scope, in_scope in (
        ("France", pl.lit(True)),
        (region_name(facts, region), pl.col("code_region") == region),
    ):
        affelnet = offres.filter((pl.col("source") == "affelnet") & in_scope)
        parcoursup = offres.filter((pl.col("source") == "parcoursup") & in_scope)
        steps = _steps_offres(keys)
        rows += _measure(affelnet, "Affelnet", scope, steps, ["demandes_voeux_1", "capacite"])
        rows += _measure(parcoursup, "Parcoursup", scope, steps, ["voeux_confirmes", "capacite"])
        if not facts.recrutement.is_empty():
            bmo = facts.recrutement.filter(in_scope)
            bmo_steps = [
                Step("bassin → académie", pl.col("code_academie").is_not_null()),
                Step("FAP 2021 → domaine professionnel", pl.col("fap22").is_not_null()),
            ]
            rows += _measure(bmo, "BMO", scope, bmo_steps, ["projets"])
    if facts.passerelle is not None:
        rows += _bridge_rows(facts.passerelle)
    return pl.DataFrame(rows, infer_schema_length=None)


def _bridge_rows(bridge: BridgeCoverage) -> list[dict[str, object]]:
    """The FAP 2009 ↔ 2021 bridge, national: DARES employment bridged, BMO projects reached."""
    measures = (
        (
            "DARES",
            "fap2009",
            bridge.fap2009_codes,
            bridge.fap2009_bridged,
            "emploi_moyen",
            bridge.emploi_total,
            bridge.emploi_bridged,
        ),
        (
            "BMO",
            "fap2021",
            bridge.bmo_codes,
            bridge.bmo_codes_reached,
            "projets",
            bridge.projets_total,
            bridge.projets_reached,
        ),
    )
    return [
        {
            "source": source,
            "jointure": "FAP 2009 ↔ FAP 2021 (passerelle)",
            "territoire": "France",
            "lignes": codes,
            "lignes_conservees": kept_codes,
            "part_lignes": kept_codes / codes if codes else None,
            "volume": volume,
            "volume_total": int(total),
            "volume_conserve": int(kept),
            "part_volume": kept / total if total else None,
        }
        for source, _kind, codes, kept_codes, volume, total, kept in measures
    ]


def placement(facts: Facts, region: str = DEFAULT_REGION) -> pl.DataFrame:
    """How precisely establishments are placed (annuaire, commune, département…), France and
    ``region``: territoire, precision, etablissements, part."""
    return pl.concat(
        [
            placement_report(facts.etablissements, code).with_columns(
                pl.lit(scope).alias("territoire")
            )
            for scope, code in (("France", None), (region_name(facts, region), region))
        ]
    ).select("territoire", "precision", "etablissements", "part")
