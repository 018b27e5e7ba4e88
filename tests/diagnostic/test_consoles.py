"""The consoles (``diagnostic/consoles.py``) on the real files: thresholds recomputed from the
raw Affelnet file, several départements at once, the default ranking by places missing."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.derive import raw_affelnet_entries
from tremplin.diagnostic.consoles import ConsoleQuery, formations_table, offers_table
from tremplin.diagnostic.facts import Facts
from tremplin.diagnostic.selection import Threshold

pytestmark = pytest.mark.realdata

AIN_ISERE = "01,38"
PRESSURE = Threshold("taux_pression", "min", 1.3)


def test_a_pressure_threshold_keeps_the_raw_lines_above_it(facts: Facts, sources_dir: Path) -> None:
    raw = raw_affelnet_entries(sources_dir).filter(
        pl.col("departement").is_in(["01", "38"]) & pl.col("capacite").is_between(5, 500)
    )
    expected = (
        raw.filter(pl.col("demandes") / pl.col("capacite") >= 1.3)
        .select(
            pl.col("Etablissement d'accueil").alias("uai"),
            pl.col("MEF STAT 11").alias("mef_stat_11"),
            # The places missing: first wishes beyond the places.
            (pl.col("demandes") - pl.col("capacite")).cast(pl.Float64).alias("manquantes"),
        )
        .sort("uai", "mef_stat_11", "manquantes")
    )
    query = ConsoleQuery(perimetre="tout", code_departement=AIN_ISERE, seuils=(PRESSURE,))
    kept = (
        offers_table(facts, query)
        .filter(pl.col("source") == "affelnet")
        .select("uai", "mef_stat_11", pl.col("places_manquantes").alias("manquantes"))
        .sort("uai", "mef_stat_11", "manquantes")
    )
    assert expected.height > 50
    assert kept.equals(expected)


def test_several_departements_are_the_union_of_each(facts: Facts) -> None:
    def rows(table: pl.DataFrame) -> list[tuple[object, ...]]:
        return sorted(
            table.select("uai", "mef_stat_11", "statut", "capacite", "demandes_voeux_1").rows(),
            key=repr,
        )

    both = offers_table(facts, ConsoleQuery(perimetre="industrie", code_departement=AIN_ISERE))
    ain = offers_table(facts, ConsoleQuery(perimetre="industrie", code_departement="01"))
    isere = offers_table(facts, ConsoleQuery(perimetre="industrie", code_departement="38"))
    assert ain.height and isere.height
    assert rows(both) == sorted(rows(ain) + rows(isere), key=repr)
    assert set(both.get_column("departement")) == {"Ain", "Isère"}
    # By formation: each formation's places are those of the two départements together.
    together = formations_table(facts, ConsoleQuery(code_departement=AIN_ISERE))
    apart = pl.concat(
        [
            formations_table(facts, ConsoleQuery(code_departement=code)).select(
                "cfd", "statut", "capacite"
            )
            for code in ("01", "38")
        ]
    )
    summed = apart.group_by("cfd", "statut").agg(pl.col("capacite").sum())
    joined = together.select("cfd", "statut", "capacite").join(
        summed, on=["cfd", "statut"], how="full", coalesce=True
    )
    assert joined.height == together.height
    assert (joined.get_column("capacite") == joined.get_column("capacite_right")).all()


def test_consoles_are_ranked_by_places_missing_unless_sorted_otherwise(facts: Facts) -> None:
    for table in (offers_table, formations_table):
        ranked = table(facts, ConsoleQuery(code_region="84"))
        sizes = ranked.get_column("places_manquantes")
        known = sizes.drop_nulls().to_list()
        assert len(known) > 10, table.__name__
        assert known == sorted(known, reverse=True)
        # Rows without places missing come last.
        assert sizes.head(len(known)).null_count() == 0
        by_name = table(facts, ConsoleQuery(code_region="84", tri="libelle_formation"))
        names = by_name.get_column("libelle_formation").drop_nulls().str.to_lowercase().to_list()
        assert names == sorted(names)
        assert by_name.height == ranked.height


def test_places_missing_are_first_wishes_beyond_places_where_pressure_is_high(
    facts: Facts,
) -> None:
    table = formations_table(facts, ConsoleQuery(perimetre="tout", code_region="84"))
    affelnet = table.filter(
        pl.col("taux_pression").is_not_null() & pl.col("taux_demande").is_null()
    )
    high = affelnet.filter(pl.col("taux_pression") >= 1.3)
    low = affelnet.filter(pl.col("taux_pression") < 1.3)
    assert high.height > 10
    gap = high.get_column("places_manquantes") - (
        high.get_column("taux_pression") - 1
    ) * high.get_column("capacite").cast(pl.Float64)
    # Rounded to whole places; the pressure reads the offers whose capacity is known.
    assert gap.abs().max() <= 0.5 + 1e-9  # type: ignore[operator]
    assert low.get_column("places_manquantes").null_count() == low.height
