"""The carte des formations of a territory, prepared once for impact and optimiser.

See docs/optimiser.md.

:func:`carte` reads the diagnostic's facts and keeps, for a territory (« 84 », « region:84 »,
« academie:10 », « departement:69 »):

- ``offres``: its lycée pro offers (Affelnet, entry year: CAP and bac pro, statut scolaire) and BTS
  offers (Parcoursup, first year, scolaire and apprentissage, not at a distance), of the latest year
  of each source, with a capacity of 1 to 500, one row per UAI × MEF × statut, with their places,
  their **demand** in pupils (Affelnet: first wishes; Parcoursup: confirmed wishes ÷ the national
  number of confirmed wishes per BTS place, so that an offer asked as much as the average BTS has a
  demand equal to its places), their pressure (demand ÷ places), their **section size** (the median
  places of the formation's offers in France, at least 8 and at most 36: the step in which places
  open or close), the InserJeunes taux d'emploi à 6 mois of the formation in the région and voie,
  their coordinates and the key of similar formations (famille de métiers, else NSF group, and
  level);
- ``metiers``: each offer spread over its trades (``Facts.metiers``: the weights sum to 1), with
  its FAP 22 domain, FAP 86 family and département;
- ``besoins``: BMO 2024 recruitment projects per département × FAP 86 family (secret cells
  left out, never read as 0), and the places of the territory's offers weighted by trades.

Kept in the facts' memo: computed once per set of loaded files and territory.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tremplin.diagnostic import rules
from tremplin.diagnostic.facts import Facts
from tremplin.errors import InputError
from tremplin.referentials.territory_ref import TerritoryRef

__all__ = ["CARTE_VERSION", "Carte", "carte", "territory_column"]

CARTE_VERSION = "1"
"""Bump when what :func:`carte` keeps changes (it is memoised under this version)."""

SECTION_MIN, SECTION_MAX = 8, 36


def territory_column(spec: str) -> tuple[str, str]:
    """« 84 » (a région) or « maille:code » → (column, code). Raises :class:`InputError`."""
    text = spec.strip()
    if text.isdigit():
        return "code_region", text
    ref = TerritoryRef.parse(
        text,
        mailles=("region", "academie", "departement"),
        expected="un code de région (84) ou region:CODE, academie:CODE, departement:CODE",
    )
    return f"code_{ref.maille}", ref.code


@dataclass(frozen=True, eq=False)
class Carte:
    territoire: str
    offres: pl.DataFrame
    metiers: pl.DataFrame
    besoins: pl.DataFrame
    libelles_fap: pl.DataFrame


def _all_offers(facts: Facts) -> pl.DataFrame:
    """Every lycée pro and BTS offer of France with its demand (see the module)."""
    o = facts.offres.filter(
        pl.col("entree")
        & (
            ((pl.col("source") == "affelnet") & (pl.col("statut") == "scolaire"))
            | ((pl.col("source") == "parcoursup") & (pl.col("niveau") == "BTS"))
        )
        & pl.col("capacite").is_between(1, rules.CAPACITY_MAX)
        & ~pl.col("a_distance").fill_null(False)
    )
    # The latest year of each source: Parcoursup holds several.
    o = o.filter(pl.col("annee") == pl.col("annee").max().over("source"))
    bts = o.filter(pl.col("source") == "parcoursup")
    per_place = float(bts.get_column("voeux_confirmes").fill_null(0).sum()) / max(
        float(bts.get_column("capacite").sum()), 1.0
    )
    demand = (
        pl.when(pl.col("source") == "affelnet")
        .then(pl.col("demandes_voeux_1").cast(pl.Float64))
        .otherwise(pl.col("voeux_confirmes").cast(pl.Float64) / per_place)
    )
    formation = pl.coalesce("mef_stat_11", "cfd")
    o = (
        o.with_columns(
            demand.alias("demande"),
            formation.alias("formation"),
            pl.col("capacite")
            .median()
            .over(formation, "statut")
            .round()
            .clip(SECTION_MIN, SECTION_MAX)
            .cast(pl.Int64)
            .alias("pas"),
        )
        .group_by("uai", "mef_stat_11", "statut", maintain_order=True)
        .agg(
            pl.col("id_offre").first(),
            pl.col("capacite").sum(),
            pl.when(pl.col("demande").is_not_null().any())
            .then(pl.col("demande").sum())
            .alias("demande"),
            *(
                pl.col(c).first()
                for c in (
                    "source",
                    "cfd",
                    "niveau",
                    "libelle_mef",
                    "libelle_formation",
                    "famille_metiers",
                    "groupe_nsf",
                    "etablissement",
                    "commune",
                    "code_departement",
                    "code_academie",
                    "code_region",
                    "pas",
                    "part_industrie",
                    "industrie",
                )
            ),
        )
    )
    return o


def _insertion(facts: Facts) -> pl.DataFrame:
    i = facts.insertion
    if i.is_empty():
        return pl.DataFrame(
            schema={
                "code_region": pl.String,
                "cfd": pl.String,
                "statut": pl.String,
                "taux_emploi": pl.Float64,
            }
        )
    return (
        i.filter(pl.col("nb_sortant") > 0)
        .group_by("code_region", "cfd", pl.col("voie").alias("statut"))
        .agg(
            (pl.col("nb_en_emploi_6_mois").sum() / pl.col("nb_sortant").sum()).alias("taux_emploi")
        )
    )


def _build(facts: Facts, territoire: str) -> dict[str, pl.DataFrame]:
    column, code = territory_column(territoire)
    offers = _all_offers(facts).filter(pl.col(column) == code)
    if offers.is_empty():
        raise InputError(
            f"aucune offre de lycée professionnel ou de BTS dans le territoire « {territoire} »",
            where=["territoire"],
        )
    places = facts.etablissements.select("uai", "latitude", "longitude").unique("uai")
    similar = pl.concat_str(
        pl.col("niveau"),
        pl.coalesce(
            pl.col("famille_metiers"), pl.lit("NSF ") + pl.col("groupe_nsf").cast(pl.String)
        ),
        separator=" · ",
    )
    offers = (
        offers.join(places, on="uai", how="left")
        .join(_insertion(facts), on=["code_region", "cfd", "statut"], how="left")
        .with_columns(
            pl.coalesce("libelle_formation", "libelle_mef", "mef_stat_11").alias("libelle"),
            (pl.col("demande") / pl.col("capacite")).alias("pression"),
            similar.fill_null(pl.col("niveau")).alias("proches"),
        )
        .with_row_index("offre")
        .with_columns(pl.col("offre").cast(pl.Int64))
    )
    metiers = facts.metiers if facts.metiers is not None else pl.DataFrame()
    weights = (
        offers.select("offre", "id_offre", "code_departement")
        .join(
            metiers.select("id_offre", "fap86", "fap22", "poids", "industrie"),
            on="id_offre",
            how="inner",
        )
        .drop_nulls("fap86")
        .drop("id_offre")
    )
    recrutement = (
        facts.recrutement.filter(pl.col(column) == code)
        if not facts.recrutement.is_empty()
        else facts.recrutement
    )
    needs = (
        recrutement.filter(~pl.col("projets_secret") & pl.col("fap86").is_not_null())
        .group_by("code_departement", "fap86")
        .agg(pl.col("projets").sum().cast(pl.Float64), pl.col("industrie").any())
    )
    labels = (
        (facts.familles_fap if facts.familles_fap is not None else pl.DataFrame())
        .select("fap86", "libelle_fap86", "fap22", "libelle_fap22")
        .unique("fap86", keep="first")
    )
    return {"offres": offers, "metiers": weights, "besoins": needs, "libelles_fap": labels}


_NAMES = ("offres", "metiers", "besoins", "libelles_fap")


def carte(facts: Facts, territoire: str) -> Carte:
    """The territory's carte (see the module), memoised with the facts."""
    built: dict[str, pl.DataFrame] = {}

    def frame(name: str) -> pl.DataFrame:
        if not built:
            built.update(_build(facts, territoire))
        return built[name]

    frames = {
        name: facts.memoised(
            ("planning.carte", CARTE_VERSION, territoire, name),
            lambda name=name: frame(name),  # type: ignore[misc]
        )
        for name in _NAMES
    }
    return Carte(territoire, **frames)
