"""Requests in and out of files: a CSV or XLSX import is all or nothing, every error naming
the file, line, column and rule; the restitution has Orion's columns and reads back."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import sqlalchemy as sa

from tremplin.planning.campaigns import create_campaign
from tremplin.planning.exchange import RESTITUTION_COLUMNS, import_requests, restitution_frame
from tremplin.planning.requests import list_requests
from tremplin.reports.carte_export import restitution_export
from tremplin.sources.errors import SourceError
from tremplin.store.audit import Actor, read_audit

ME = Actor("ligne de commande")
HEADER = "Type de demande;UAI;MEF STAT 11;RS;Capacité en voie scolaire actuelle;"
HEADER += "Future capacité en voie scolaire;Motif(s) de la demande;Partenaire économique 1\n"
GOOD = (
    HEADER + "Ouverture nette;0010001W;24020022710;2025;0;15;Besoins économiques avérés localement;"
    "UIMM de l’Ain\n" + "fermeture;0010001W;23210031224;2025;15;0;recrutements_baisse;\n"
)


def _campaign(store: sa.Engine) -> int:
    with store.begin() as conn:
        return create_campaign(conn, ME, nom="Carte 2025", annee=2024).id


def test_a_csv_with_orions_headers_is_imported_as_drafts(store: sa.Engine, tmp_path: Path) -> None:
    campaign = _campaign(store)
    path = tmp_path / "demandes.csv"
    path.write_text(GOOD, encoding="utf-8-sig")
    with store.begin() as conn:
        made = import_requests(conn, ME, campaign, path, path.read_bytes(), None)
    assert [(r.fields.type, r.statut) for r in made] == [
        ("ouverture_nette", "brouillon"),
        ("fermeture", "brouillon"),
    ]
    assert made[0].fields.motifs == ("besoins_economiques_locaux",)
    assert made[0].fields.partenaires == ("UIMM de l’Ain",)
    assert made[0].territoires == ("departement:01",)  # no facts: the UAI's département


def test_an_import_with_errors_writes_nothing_and_names_each_line_and_column(
    store: sa.Engine, tmp_path: Path
) -> None:
    campaign = _campaign(store)
    bad = GOOD + "Diminution;0010001W;24020022799;2025;12;14;locaux;\n"
    bad += "ouverture_nette;0010001W;24020022710;2025;0;15;locaux;\n"  # twice the first offer
    bad += "fermeture;0010001W;2321003;deux mille;15;0;locaux;\n"
    path = tmp_path / "demandes.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(SourceError) as refused, store.begin() as conn:
        import_requests(conn, ME, campaign, path, path.read_bytes(), None)
    text = str(refused.value)
    assert refused.value.line == 4
    assert refused.value.column == "Future capacité en voie scolaire"
    assert "une diminution baisse le nombre total de places" in text
    assert "3 erreurs en tout, aucune demande importée" in text
    assert "ligne 5, colonne « UAI » : une seule demande par établissement" in text
    assert "ligne 6, colonne « RS » : valeur « deux mille » invalide" in text
    with store.connect() as conn:
        assert list_requests(conn, campaign) == []
        assert read_audit(conn)["action"].to_list() == ["campagne.gerer"]


def test_an_unknown_column_is_named(store: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "demandes.csv"
    path.write_text(GOOD.replace("RS;", "Rentrée souhaitée;", 1), encoding="utf-8")
    with pytest.raises(SourceError) as refused, store.begin() as conn:
        import_requests(conn, ME, _campaign(store), path, path.read_bytes(), None)
    assert (refused.value.line, refused.value.column) == (1, "Rentrée souhaitée")


def test_an_xlsx_import_names_excel_rows(store: sa.Engine, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in GOOD.splitlines():
        sheet.append([int(c) if c.isdigit() and len(c) < 5 else c for c in line.split(";")])
    sheet.append(["fermeture", "0010001W", "24020022711", 2025, 15, 3, "locaux", None])
    path = tmp_path / "demandes.xlsx"
    book.save(path)
    with pytest.raises(SourceError) as refused, store.begin() as conn:
        import_requests(conn, ME, _campaign(store), path, path.read_bytes(), None)
    assert (refused.value.line, refused.value.column) == (4, "Future capacité en voie scolaire")
    assert "une fermeture finit à 0 place" in str(refused.value)


def test_the_restitution_has_orions_columns_and_reads_back(
    store: sa.Engine, tmp_path: Path
) -> None:
    campaign = _campaign(store)
    path = tmp_path / "demandes.csv"
    path.write_text(GOOD, encoding="utf-8")
    with store.begin() as conn:
        import_requests(conn, ME, campaign, path, path.read_bytes(), None)
        found = list_requests(conn, campaign)
    frame = restitution_frame(found, None)
    assert frame.columns == [label for _, label in RESTITUTION_COLUMNS]
    csv = restitution_export(frame, "csv", "Carte 2025")
    back = pl.read_csv(io.BytesIO(csv), separator=";", comment_prefix="#", infer_schema_length=0)
    assert back["Type de demande"].to_list() == ["Ouverture nette", "Fermeture"]
    assert back["Nombre de places en voie scolaire"].to_list() == ["15", "-15"]
    assert back["Partenaire économique 1"].to_list() == ["UIMM de l’Ain", None]
    assert back["Statut"].to_list() == ["Brouillon", "Brouillon"]
    assert back["Suivi à la rentrée"][0].startswith("Cette demande n’est pas validée")
    xlsx = openpyxl.load_workbook(io.BytesIO(restitution_export(frame, "xlsx", "Carte 2025")))
    rows = list(xlsx["Demandes"].iter_rows(values_only=True))
    assert rows[0][:3] == ("N° demande", "UAI", "Établissement")
    assert (
        rows[2][RESTITUTION_COLUMNS.index(("diff_scolaire", "Nombre de places en voie scolaire"))]
        == -15
    )
    formulas = [c for row in rows for c in row if isinstance(c, str) and c.startswith("=")]
    assert formulas == []
