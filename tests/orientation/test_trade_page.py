"""A page per trade (``orientation/trade_page.py``): ONISEP links, appellations, transition
flags, BMO projects in the bassin recomputed from the official workbook, secrets said."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from python_calamine import CalamineWorkbook

from tremplin.errors import NotFound
from tremplin.orientation.data import OrientationData, orientation_data
from tremplin.orientation.place import find_commune
from tremplin.orientation.trade_page import Recruitment, recruitment, trade_page
from tremplin.referentials.perimeter import Perimeter


@pytest.fixture(scope="module")
def real(real_engine: sa.Engine) -> OrientationData:
    with real_engine.connect() as conn:
        return orientation_data(conn, Perimeter.load(None))


def test_soudeur_in_saint_etienne(real: OrientationData, sources_dir: Path) -> None:
    page = trade_page(real, "h2913", find_commune(real, "42218"))
    assert page.code_rome == "H2913" and page.libelle == "Soudeur / Soudeuse"
    onisep = pl.read_csv(
        sources_dir / "rome" / "rome_metiers_onisep.csv", separator=";", infer_schema_length=0
    )
    links = onisep.filter(pl.col("Code ROME") == "H2913")["lien site onisep.fr"].to_list()
    assert [link for _, link in page.onisep] == links
    assert any(flag.startswith("Transition écologique") for flag in page.transitions)
    assert "Soudeur / Soudeuse" in page.appellations or page.appellations
    assert page.voisins and all(code != "H2913" for code, _ in page.voisins)
    assert page.formations
    # BMO 2024, recomputed from the workbook: the bassin of Saint-Étienne, the family of H2913.
    found = page.recrutement
    assert found is not None and found.code_famille is not None
    sheet = (
        CalamineWorkbook.from_path(str(sources_dir / "bmo" / "Base_open_data_BMO_2024.xlsx"))
        .get_sheet_by_name("BMO_2024_open_data")
        .to_python()
    )
    header = sheet[0]
    be, code = header.index("BE24"), header.index("Code métier BMO")
    rows = [r for r in sheet[1:] if int(r[be]) == 8426 and r[code] == found.code_famille]
    assert len(rows) == 1
    met = str(rows[0][header.index("met")])
    assert str(found.projets) == met
    xmet = int(rows[0][header.index("xmet")])
    assert found.sur_dix == round(10 * xmet / int(met))
    assert found.sentence.startswith(f"{met} projet")
    assert f"dont {found.sur_dix} sur 10" in found.sentence
    assert "BMO" in found.meaning and "2024" in found.meaning


def test_secret_and_missing_are_said() -> None:
    secret = Recruitment("B", 2024, "Soudeurs", "D1X33", None, None, True, True)
    assert "secret statistique" in secret.sentence and "0" not in secret.sentence
    hidden = Recruitment("B", 2024, "Soudeurs", "D1X33", 40, None, False, True)
    assert hidden.sentence.startswith("40 projets") and "secret" in hidden.sentence
    missing = Recruitment(None, None, "Soudeurs", "D1X33", None, None, False, False)
    assert "aucun chiffre" in missing.sentence
    assert Recruitment(None, None, None, None, None, None, False, False).sentence.startswith(
        "Ce métier n’est rattaché"
    )


def test_a_secret_cell_of_the_store_reads_secret(real: OrientationData) -> None:
    cell = real.recrutement.filter(pl.col("projets_secret")).row(0, named=True)
    found = recruitment(real, cell["fap2021"], cell["bassin_bmo"])
    assert found.secret and found.projets is None
    assert "secret statistique" in found.sentence


def test_unknown_trade(real: OrientationData) -> None:
    with pytest.raises(NotFound):
        trade_page(real, "Z9999")
