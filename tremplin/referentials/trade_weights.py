"""Trades as weights: each formation (CFD) spread over its FAP 2021 trades, weights summing to 1.

A certification leads to several trades: Certif Info lists up to five ROME codes, in order. One
trade per formation (``trades.trades_of_cfd``, its primary chain) puts a whole formation under one
trade, so a formation whose first ROME is a minor outlet (« Aéronautique » → avionics) moves all
its places to the wrong trade. Here each formation keeps all its trades, weighted:

1. **ROME rank.** The ROME codes of the CFD (``trades.cfd_romes``, ranks renumbered from 1) weigh
   linearly by rank: with ``n`` codes, rank ``k`` weighs ``(n − k + 1) / (n (n + 1) / 2)`` —
   5/15, 4/15, 3/15, 2/15, 1/15 for five codes; 2/3, 1/3 for two; 1 for one. Certif Info orders
   them from the main outlet down, and no source gives their respective sizes, so the weight
   decreases with the rank without dropping the later ones.
2. **ROME → FAP 2009.** Each ROME goes to its primary FAP 2009 (``trades.rome_faps``).
3. **FAP 2009 → FAP 2021.** Each FAP 2009 spreads over its FAP 2021 codes with the bridge's
   weights (shares of BMO projects; they sum to 1, ``docs/trades.md``).
4. **A CFD Certif Info does not list** (a BTS « 1re année commune », a closed bac pro): it takes
   the mean of the weights of the Certif Info CFDs of the same level (first three digits) whose
   label, without the diploma's type, starts with its own BCN label (BTS CPRP 32022316 → its
   options A and B, 32022318 and 32022317).
5. **Unreached ROME.** A ROME that reaches no FAP 2021 passes its weight to the formation's
   other ROME codes (in proportion to theirs); a formation none of whose codes reaches a FAP
   2021 keeps one row without a trade (« Non rattaché »), weight 1.

So every CFD of Certif Info has rows whose ``poids`` sum to 1: totals spread over trades are
conserved. A 2nde commune (a famille de métiers) is spread over its specialities in
``diagnostic.facts`` (by the 1re pro first wishes observed for them), then over their trades.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from tremplin.referentials.fap_bridge import FapBridge
from tremplin.referentials.tables import read_query
from tremplin.referentials.trades import cfd_romes, fap2021_families, rome_faps
from tremplin.sources.tables import DATASET_TABLES

COLUMNS = (
    "cfd",
    "rang_rome",
    "code_rome",
    "libelle_rome",
    "part_rome",
    "fap2009",
    "fap2021",
    "libelle_fap2021",
    "fap86",
    "libelle_fap86",
    "fap22",
    "libelle_fap22",
    "poids",
)


def rank_weight(rank: pl.Expr, count: pl.Expr) -> pl.Expr:
    """Weight of the ROME of rank ``rank`` (1-based) among ``count``: ``(n − k + 1) ÷ (n (n + 1)
    ÷ 2)``; the weights of ranks 1..n sum to 1."""
    return (count - rank + 1).cast(pl.Float64) / (count * (count + 1) / 2).cast(pl.Float64)


def spread(romes: pl.DataFrame, faps: pl.DataFrame, bridge: pl.DataFrame) -> pl.DataFrame:
    """The weights of each CFD from its ranked ROME codes (cfd, code_rome, rank), the primary
    FAP 2009 of each ROME (code_rome, fap2009) and the bridge (fap2009, fap2021, weight):
    cfd, rang_rome, code_rome, part_rome, fap2009, fap2021, poids — the steps of the module's
    docstring; each CFD's ``poids`` sum to 1 (pure, tested by properties)."""
    ranked = romes.with_columns(
        rank_weight(pl.col("rank"), pl.len().over("cfd")).alias("part_rome")
    ).rename({"rank": "rang_rome"})
    chain = ranked.join(faps, on="code_rome", how="left").join(
        bridge.select("fap2009", "fap2021", "weight"), on="fap2009", how="left"
    )
    raw = pl.col("part_rome") * pl.col("weight")
    reached = chain.filter(pl.col("fap2021").is_not_null() & (raw > 0))
    keep = ["cfd", "rang_rome", "code_rome", "part_rome", "fap2009", "fap2021", "poids"]
    weighted = reached.with_columns((raw / raw.sum().over("cfd")).alias("poids")).select(keep)
    # A CFD none of whose ROME codes reaches a FAP 2021: one row, no trade, weight 1 (its
    # primary ROME kept, to say why).
    lost = (
        chain.filter(~pl.col("cfd").is_in(weighted["cfd"].implode()))
        .sort("cfd", "rang_rome")
        .unique("cfd", keep="first", maintain_order=True)
        .select(
            "cfd",
            "rang_rome",
            "code_rome",
            "part_rome",
            "fap2009",
            pl.lit(None, pl.String).alias("fap2021"),
            pl.lit(1.0).alias("poids"),
        )
    )
    return pl.concat([weighted, lost], how="vertical_relaxed").sort("cfd", "rang_rome", "fap2021")


def _label_key(column: str) -> pl.Expr:
    """A label without accents, case, punctuation, its diploma type or what follows it."""
    text = (
        pl.col(column)
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
    )
    types = r"(bts|bac pro|baccalaureat professionnel|cap|brevet de technicien superieur)"
    return (
        text.str.replace(rf"^{types} ", "")
        .str.replace(rf"( |^){types}( .*)?$", "")
        .str.replace(r" 1ere annee commune.*$", "")
        .str.strip_chars()
    )


def _relatives(conn: sa.Connection, listed: pl.Series) -> pl.DataFrame:
    """cfd → cfd_certif: the Certif Info CFDs a CFD of the BCN that Certif Info does not list
    stands for (rule 4 of the module's docstring)."""
    certif = DATASET_TABLES["certif_info"]
    bcn = DATASET_TABLES["bcn_formations"]
    certified = (
        read_query(conn, sa.select(certif.c.cfd, certif.c.libelle))
        .drop_nulls()
        .select(pl.col("cfd").alias("cfd_certif"), _label_key("libelle").alias("_key"))
        .with_columns(pl.col("cfd_certif").str.slice(0, 3).alias("_level"))
        .unique()
    )
    missing = (
        read_query(conn, sa.select(bcn.c.cfd, bcn.c.libelle_long))
        .drop_nulls()
        .filter(~pl.col("cfd").is_in(listed.implode()))
        .select("cfd", _label_key("libelle_long").alias("_stem"))
        .filter(pl.col("_stem").str.count_matches(" ") >= 2)
        .with_columns(pl.col("cfd").str.slice(0, 3).alias("_level"))
        .unique("cfd")
    )
    return (
        missing.join(certified, on="_level", how="inner")
        .filter(pl.col("_key").str.starts_with(pl.col("_stem")))
        .select("cfd", "cfd_certif")
        .unique()
    )


def cfd_trade_weights(conn: sa.Connection, bridge: FapBridge) -> pl.DataFrame:
    """Every CFD of Certif Info over its trades: one row per (CFD, ROME, FAP 2021) with
    :data:`COLUMNS`; the ``poids`` of a CFD sum to 1 (rule in the module's docstring)."""
    certif = DATASET_TABLES["certif_info"]
    every_cfd = read_query(conn, sa.select(certif.c.cfd).distinct()).drop_nulls()
    romes = cfd_romes(conn).select("cfd", "code_rome", "rank")
    faps = rome_faps(conn).filter(pl.col("is_primary")).select("code_rome", "fap2009")
    weights = spread(romes, faps, bridge.frame)
    relatives = _relatives(conn, every_cfd["cfd"])
    if relatives.height:
        borrowed = (
            relatives.join(weights.rename({"cfd": "cfd_certif"}), on="cfd_certif", how="inner")
            .with_columns(
                (pl.col("poids") / pl.col("cfd_certif").n_unique().over("cfd")).alias("poids")
            )
            .group_by("cfd", "code_rome", "fap2021")
            .agg(
                pl.col("rang_rome").min(),
                pl.col("part_rome").mean(),
                pl.col("fap2009").first(),
                pl.col("poids").sum(),
            )
            .select(weights.columns)
        )
        weights = pl.concat([weights, borrowed], how="vertical_relaxed")
    # A CFD of Certif Info without any ROME code: no trade, weight 1.
    without = every_cfd.filter(~pl.col("cfd").is_in(weights["cfd"].implode())).with_columns(
        pl.lit(None, pl.Int64).alias("rang_rome"),
        pl.lit(None, pl.String).alias("code_rome"),
        pl.lit(None, pl.Float64).alias("part_rome"),
        pl.lit(None, pl.String).alias("fap2009"),
        pl.lit(None, pl.String).alias("fap2021"),
        pl.lit(1.0).alias("poids"),
    )
    fiches = DATASET_TABLES["rome_fiches"]
    rome_labels = (
        read_query(conn, sa.select(fiches.c.code_rome, fiches.c.libelle_rome))
        .drop_nulls()
        .unique("code_rome", keep="last", maintain_order=True)
    )
    families = fap2021_families(conn).select(
        "fap2021", "libelle_fap2021", "fap86", "libelle_fap86", "fap22", "libelle_fap22"
    )
    return (
        pl.concat([weights, without], how="vertical_relaxed")
        .join(rome_labels, on="code_rome", how="left")
        .join(families, on="fap2021", how="left")
        .select(COLUMNS)
        .sort("cfd", "rang_rome", "fap2021", nulls_last=True)
    )
