"""Trades (métiers): CFD → ROME → FAP 2009 → FAP 2021, with ROME domains and FAP families.

The chain, and the rule that makes every formation count once:

- **CFD → ROME** (:func:`cfd_romes`): Certif Info lists up to five ROME codes per certification,
  in order; the first is the **primary** ROME of the formation. When several Certif Info records
  share one CFD, one record is kept: one with ROME codes first, then the published one (``etat``
  0), then the one still
  open (no last session, else the latest last session), then the latest first session, then the
  newest record (highest Certif Info code), then the first in the file.
- **ROME → FAP 2009** (:func:`rome_faps`): the DARES table puts a ROME in up to three FAP; the
  **primary** FAP is the one where the ROME weighs most, i.e. the FAP with the fewest ROME codes
  (« soudage manuel » H2913 is in D2Z42 « soudeurs » and in D3Z20 « ouvriers non qualifiés du
  montage »: D2Z42), then the largest DARES employment, then the smallest code. ROME 4.0 codes
  that the (ROME v3) table does not know take the FAP of their parent fiche.
- **FAP 2009 → FAP 2021**: the primary link of :func:`~tremplin.referentials.fap_bridge.fap_bridge`.

:func:`trades_of_cfd` follows the primary link at every step, so a formation has exactly one
trade chain and is counted once, under the trade of its first ROME, never twice.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from tremplin.referentials.fap_bridge import (
    FapBridge,
    fap2009_labels,
    fap2021_codes,
    fap_bridge,
    national_employment,
)
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.frames import read_query

ROME_GRANDS_DOMAINES: dict[str, str] = {
    "A": "Agriculture et pêche, espaces naturels et espaces verts, soins aux animaux",
    "B": "Arts et façonnage d'ouvrages d'art",
    "C": "Banque, assurance, immobilier",
    "D": "Commerce, vente et grande distribution",
    "E": "Communication, média et multimédia",
    "F": "Construction, bâtiment et travaux publics",
    "G": "Hôtellerie-restauration, tourisme, loisirs et animation",
    "H": "Industrie",
    "I": "Installation et maintenance",
    "J": "Santé",
    "K": "Services à la personne et à la collectivité",
    "L": "Spectacle",
    "M": "Support à l'entreprise",
    "N": "Transport et logistique",
}
"""The fourteen grands domaines of the ROME (the first letter of a ROME code)."""

_ROME_COLUMNS = tuple(f"code_rome_{rank}" for rank in range(1, 6))


def rome_domain_of(code_rome: str | None) -> str | None:
    """The professional domain of a ROME code: its first three characters (``H2913`` →
    ``H29``); None for anything that is not a ROME code."""
    if code_rome is None or len(code_rome) != 5 or not code_rome[1:].isdigit():
        return None
    return code_rome[:3]


def rome_grand_domain_of(code_rome: str | None) -> str | None:
    """The grand domaine of a ROME code: its letter (``H2913`` → ``H``)."""
    domain = rome_domain_of(code_rome)
    return domain[0] if domain else None


def rome_domain_expr(column: str = "code_rome") -> pl.Expr:
    """:func:`rome_domain_of` as a polars expression over a column of ROME codes."""
    code = pl.col(column)
    return pl.when(code.str.contains(r"^[A-N][0-9]{4}$")).then(code.str.slice(0, 3))


def rome_domains(conn: sa.Connection) -> pl.DataFrame:
    """domaine_rome, libelle_domaine_rome, grand_domaine_rome, libelle_grand_domaine_rome: the
    ROME professional domains loaded (one row per domain)."""
    t = DATASET_TABLES["rome_domaines"]
    rows = read_query(conn, sa.select(t.c.code_domaine, t.c.libelle_domaine))
    return (
        rows.drop_nulls("code_domaine")
        .unique("code_domaine", keep="last", maintain_order=True)
        .select(
            pl.col("code_domaine").alias("domaine_rome"),
            pl.col("libelle_domaine").alias("libelle_domaine_rome"),
            pl.col("code_domaine").str.slice(0, 1).alias("grand_domaine_rome"),
        )
        .with_columns(
            pl.col("grand_domaine_rome")
            .replace_strict(ROME_GRANDS_DOMAINES, default=None, return_dtype=pl.String)
            .alias("libelle_grand_domaine_rome")
        )
        .sort("domaine_rome")
    )


def cfd_romes(conn: sa.Connection) -> pl.DataFrame:
    """cfd, code_rome, rank (1..5), is_primary, code_certif_info: the ROME codes of each CFD,
    from the one Certif Info record kept per CFD (rule in the module's docstring). Ranks are
    renumbered after empty or repeated cells, so rank 1 is always the primary ROME."""
    t = DATASET_TABLES["certif_info"]
    columns = ("cfd", "code_certif_info", "etat", "annee_premiere_session")
    rows = read_query(
        conn,
        sa.select(
            *(t.c[c] for c in columns),
            t.c.annee_derniere_session,
            t.c.line,
            t.c.source_file_id,
            *(t.c[c] for c in _ROME_COLUMNS),
        ),
    ).drop_nulls("cfd")
    kept = (
        rows.with_columns(
            pl.all_horizontal(pl.col(c).is_null() for c in _ROME_COLUMNS).alias("_no_rome"),
            (pl.col("etat") != "0").fill_null(True).alias("_not_published"),
            pl.col("annee_derniere_session").is_not_null().alias("_closed"),
            pl.col("code_certif_info").cast(pl.Int64, strict=False).alias("_record"),
        )
        .sort(
            [
                "cfd",
                "_no_rome",
                "_not_published",
                "_closed",
                "annee_derniere_session",
                "annee_premiere_session",
                "_record",
                "source_file_id",
                "line",
            ],
            descending=[False, False, False, False, True, True, True, False, False],
            nulls_last=True,
        )
        .unique("cfd", keep="first", maintain_order=True)
    )
    long = (
        kept.select("cfd", "code_certif_info", *_ROME_COLUMNS)
        .unpivot(index=["cfd", "code_certif_info"], variable_name="_column", value_name="code_rome")
        .drop_nulls("code_rome")
        .with_columns(pl.col("_column").str.slice(len("code_rome_")).cast(pl.Int64).alias("_rank"))
        .sort(["cfd", "_rank"])
        .unique(["cfd", "code_rome"], keep="first", maintain_order=True)
        .with_columns((pl.int_range(pl.len()).over("cfd") + 1).alias("rank"))
    )
    return long.select(
        "cfd",
        "code_rome",
        "rank",
        (pl.col("rank") == 1).alias("is_primary"),
        "code_certif_info",
    ).sort(["cfd", "rank"])


def rome_faps(conn: sa.Connection) -> pl.DataFrame:
    """code_rome, fap2009, is_primary, via: the FAP 2009 of each ROME code, one primary per
    ROME (rule in the module's docstring). ``via`` is « table DARES » or, for a ROME 4.0 code
    the table does not list, « fiche parente ROME 4.0 »."""
    t = DATASET_TABLES["fap2009_rome"]
    pairs = read_query(conn, sa.select(t.c.code_rome, t.c.fap2009)).drop_nulls().unique()
    fiches = DATASET_TABLES["rome_fiches"]
    parents = (
        read_query(conn, sa.select(fiches.c.code_rome, fiches.c.code_rome_parent))
        .drop_nulls()
        .filter(pl.col("code_rome") != pl.col("code_rome_parent"))
        .filter(~pl.col("code_rome").is_in(pairs["code_rome"].implode()))
        .unique("code_rome")
    )
    inherited = parents.join(
        pairs.rename({"code_rome": "code_rome_parent"}), on="code_rome_parent"
    ).select("code_rome", "fap2009")
    size = pairs.group_by("fap2009").agg(pl.len().alias("_romes"))
    employment = national_employment(conn)
    links = pl.concat(
        [
            pairs.with_columns(pl.lit("table DARES").alias("via")),
            inherited.with_columns(pl.lit("fiche parente ROME 4.0").alias("via")),
        ]
    )
    return (
        links.join(size, on="fap2009", how="left")
        .join(employment, on="fap2009", how="left")
        .sort(
            ["code_rome", "_romes", "emploi_moyen", "fap2009"],
            descending=[False, False, True, False],
            nulls_last=True,
        )
        .with_columns((pl.int_range(pl.len()).over("code_rome") == 0).alias("is_primary"))
        .select("code_rome", "fap2009", "is_primary", "via")
    )


def fap2021_families(conn: sa.Connection) -> pl.DataFrame:
    """Every FAP 2021 code at the 341 and the 228 level (BMO surveys both) with its families:
    fap2021, libelle_fap2021, fap228, libelle_fap228, fap86, libelle_fap86, fap22,
    libelle_fap22."""
    codes = fap2021_codes(conn).rename({"libelle": "libelle_fap2021"})
    parents = (
        codes.filter(pl.col("fap228") != pl.col("fap2021"))
        .filter(~pl.col("fap228").is_in(codes["fap2021"].implode()))
        .unique("fap228", keep="first", maintain_order=True)
        .with_columns(
            pl.col("fap228").alias("fap2021"), pl.col("libelle_fap228").alias("libelle_fap2021")
        )
    )
    return pl.concat([codes, parents]).sort("fap2021")


def bmo_trades(conn: sa.Connection) -> pl.DataFrame:
    """One row per BMO métier code: fap2021 (the BMO code, 341 or 228 level), metier,
    famille_bmo and libelle_famille_bmo (BMO's own one-letter family), fap228, fap86, fap22 and
    their labels from the FAP 2021 nomenclature (null when BMO uses a code it does not list)."""
    t = DATASET_TABLES["bmo"]
    rows = read_query(
        conn,
        sa.select(
            t.c.fap2021, t.c.metier, t.c.famille_metier, t.c.libelle_famille_metier, t.c.annee
        ),
    ).drop_nulls("fap2021")
    codes = (
        rows.sort("annee", descending=True, nulls_last=True)
        .unique("fap2021", keep="first", maintain_order=True)
        .select(
            "fap2021",
            "metier",
            pl.col("famille_metier").alias("famille_bmo"),
            pl.col("libelle_famille_metier").alias("libelle_famille_bmo"),
        )
    )
    families = fap2021_families(conn).drop("libelle_fap2021")
    return codes.join(families, on="fap2021", how="left").sort("fap2021")


def trades_of_cfd(conn: sa.Connection, bridge: FapBridge | None = None) -> pl.DataFrame:
    """One row per CFD of Certif Info with its primary trade chain.

    Columns: cfd, code_rome, libelle_rome, domaine_rome, libelle_domaine_rome,
    grand_domaine_rome, libelle_grand_domaine_rome, fap2009, libelle_fap2009, fap2021,
    libelle_fap2021, fap228, libelle_fap228, fap86, libelle_fap86, fap22, libelle_fap22,
    code_bmo (the BMO métier code the FAP 2021 falls under, to join BMO projects),
    methode_fap2021 (how the bridge linked the FAP 2009). A link that does not exist (no ROME,
    no FAP) leaves the rest of the chain null; the CFD keeps its row. ``bridge`` defaults to
    :func:`fap_bridge`.
    """
    bridge = bridge if bridge is not None else fap_bridge(conn)
    certif = DATASET_TABLES["certif_info"]
    every_cfd = read_query(conn, sa.select(certif.c.cfd).distinct()).drop_nulls()
    primary_rome = every_cfd.join(
        cfd_romes(conn).filter(pl.col("is_primary")).select("cfd", "code_rome"),
        on="cfd",
        how="left",
    )
    fiches = DATASET_TABLES["rome_fiches"]
    rome_labels = (
        read_query(conn, sa.select(fiches.c.code_rome, fiches.c.libelle_rome))
        .drop_nulls()
        .unique("code_rome", keep="last", maintain_order=True)
    )
    table = DATASET_TABLES["fap2009_rome"]
    dares_labels = (
        read_query(conn, sa.select(table.c.code_rome, table.c.libelle_rome))
        .drop_nulls()
        .unique("code_rome", keep="first", maintain_order=True)
        .rename({"libelle_rome": "_libelle_dares"})
    )
    faps = rome_faps(conn).filter(pl.col("is_primary")).select("code_rome", "fap2009")
    labels2009 = fap2009_labels(conn).select("fap2009", pl.col("libelle").alias("libelle_fap2009"))
    links = bridge.primary().select(
        "fap2009", "fap2021", "code_bmo", pl.col("method").alias("methode_fap2021")
    )
    families = fap2021_families(conn)
    return (
        primary_rome.join(rome_labels, on="code_rome", how="left")
        .join(dares_labels, on="code_rome", how="left")
        .with_columns(
            pl.coalesce("libelle_rome", "_libelle_dares").alias("libelle_rome"),
            rome_domain_expr().alias("domaine_rome"),
        )
        .join(rome_domains(conn), on="domaine_rome", how="left")
        .with_columns(
            pl.coalesce("grand_domaine_rome", pl.col("domaine_rome").str.slice(0, 1)).alias(
                "grand_domaine_rome"
            )
        )
        .with_columns(
            pl.col("grand_domaine_rome")
            .replace_strict(ROME_GRANDS_DOMAINES, default=None, return_dtype=pl.String)
            .alias("libelle_grand_domaine_rome")
        )
        .join(faps, on="code_rome", how="left")
        .join(labels2009, on="fap2009", how="left")
        .join(links, on="fap2009", how="left")
        .join(families, on="fap2021", how="left")
        .select(
            "cfd",
            "code_rome",
            "libelle_rome",
            "domaine_rome",
            "libelle_domaine_rome",
            "grand_domaine_rome",
            "libelle_grand_domaine_rome",
            "fap2009",
            "libelle_fap2009",
            "fap2021",
            "libelle_fap2021",
            "fap228",
            "libelle_fap228",
            "fap86",
            "libelle_fap86",
            "fap22",
            "libelle_fap22",
            "code_bmo",
            "methode_fap2021",
        )
        .sort("cfd")
    )
