"""Where a young person is (``orientation/place.py``): a commune by INSEE code, postal code or
name, checked against the communes file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from tremplin.errors import InputError, NotFound
from tremplin.orientation.data import OrientationData, orientation_data
from tremplin.orientation.place import find_commune
from tremplin.referentials.perimeter import Perimeter


@pytest.fixture(scope="module")
def real(real_engine: sa.Engine) -> OrientationData:
    with real_engine.connect() as conn:
        return orientation_data(conn, Perimeter.load(None))


def test_commune_by_name_postal_code_and_insee(real: OrientationData, sources_dir: Path) -> None:
    raw = pl.read_csv(
        sources_dir / "territoires" / "communes_2026_pop_geopoint.csv", infer_schema_length=0
    )
    by_name = find_commune(real, "saint etienne")
    assert by_name.code_insee == "42218"
    assert find_commune(real, "42218") == by_name
    # A postal code (no commune has it as INSEE code): the most populous of its communes.
    assert raw.filter(pl.col("code_insee") == "42000").is_empty()
    postal = raw.filter(pl.col("codes_postaux").str.contains("42000"))
    biggest = postal.sort(pl.col("population").cast(pl.Int64), descending=True)["code_insee"][0]
    assert find_commune(real, "42000").code_insee == biggest == "42218"
    # A code both INSEE and postal is read as the INSEE code (the addresses the pages write).
    assert find_commune(real, "69100").code_insee == "69100"
    row = raw.filter(pl.col("code_insee") == "42218").row(0, named=True)
    assert by_name.latitude == pytest.approx(float(row["latitude"]))


def test_nothing_or_an_unknown_commune(real: OrientationData) -> None:
    with pytest.raises(InputError):
        find_commune(real, "  ")
    with pytest.raises(NotFound):
        find_commune(real, "Atlantide")
    assert find_commune(real, "ST ETIENNE").code_insee == "42218"
