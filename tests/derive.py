"""Small fixtures derived at test time from the real official files (never committed)."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def head_lines(source: Path, count: int) -> bytes:
    """The first ``count`` lines of ``source`` (header included), bytes as published."""
    with source.open("rb") as handle:
        return b"".join(handle.readline() for _ in range(count))


def write_head(source: Path, target: Path, count: int) -> Path:
    """Copy the first ``count`` lines of ``source`` to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(head_lines(source, count))
    return target


def replace_cell(
    content: bytes, line: int, column: int, value: str, separator: bytes = b";"
) -> bytes:
    """``content`` with the cell at 1-based ``line`` and ``column`` replaced by ``value``."""
    lines = content.split(b"\n")
    cells = lines[line - 1].split(separator)
    cells[column - 1] = value.encode("utf-8")
    lines[line - 1] = separator.join(cells)
    return b"\n".join(lines)


def entry_mefs(sources_dir: Path) -> pl.Series:
    """The MEF STAT 11 of entry years (BCN ``ANNEE_DISPOSITIF`` = 1), read from the raw nMef."""
    nmef = pl.read_csv(sources_dir / "bcn" / "nMef.csv", separator=";", infer_schema=False)
    return nmef.filter(pl.col("ANNEE_DISPOSITIF") == "1").get_column("MEF_STAT_11").unique()


def raw_affelnet_entries(sources_dir: Path) -> pl.DataFrame:
    """The raw Affelnet 2021 lines the diagnostic counts (status ST, not vœux de recensement,
    entry MEF), with ``capacite``, ``demandes`` and the UAI's ``departement``."""
    raw = pl.read_csv(
        sources_dir / "affelnet" / "attractivite_capacite_2021.csv",
        separator=";",
        infer_schema=False,
    )
    return raw.filter(
        (pl.col("Statut Offre de formation") == "ST")
        & (pl.col("Voeu de recensement O/N") == "N")
        & pl.col("MEF STAT 11").is_in(entry_mefs(sources_dir).implode())
    ).with_columns(
        pl.col("Capacité carte scolaire").cast(pl.Int64).alias("capacite"),
        pl.col("Demandes vœux 1").cast(pl.Int64).alias("demandes"),
        # A UAI's département is in its first three characters: « 069… » is the Rhône, « 974… »
        # La Réunion.
        pl.col("Etablissement d'accueil")
        .str.slice(0, 3)
        .str.strip_prefix("0")
        .alias("departement"),
    )
