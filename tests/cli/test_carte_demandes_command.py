"""``tremplin carte campagne creer|lister``, ``tremplin carte demandes importer|exporter`` and
``tremplin carte note``: a file written in tmp_path, the command run, the store or the file
read back."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner, Result

from tests.planning.samples import seeded_carte
from tests.planning.test_exchange import GOOD
from tests.reports.pdf_reading import is_pdf, page_count, titles
from tremplin.cli import app
from tremplin.planning.requests import list_requests
from tremplin.store.audit import COMMAND_LINE
from tremplin.store.database import open_store


def _run(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"TREMPLIN_DATABASE_URL": url})


def _text(result: Result) -> str:
    return " ".join(result.output.split())


def test_a_campaign_is_created_filled_from_a_file_and_exported(
    sqlite_url: str, tmp_path: Path
) -> None:
    created = _run(
        sqlite_url, "carte", "campagne", "creer", "--nom", "Carte 2025", "--annee", "2024"
    )
    assert created.exit_code == 0, created.output
    assert "Campagne 1 créée : Carte 2025 (rentrée 2025)." in _text(created)
    listed = _run(sqlite_url, "carte", "campagne", "lister", "--json")
    assert [(c["id"], c["premiere_rentree"], c["statut"]) for c in json.loads(listed.output)] == [
        (1, 2025, "en_cours")
    ]
    source = tmp_path / "demandes.csv"
    source.write_text(GOOD, encoding="utf-8")
    imported = _run(sqlite_url, "carte", "demandes", "importer", str(source), "--campagne", "1")
    assert imported.exit_code == 0, imported.output
    assert "2 demande(s) importée(s) dans la campagne 1" in _text(imported)
    engine = open_store(sqlite_url)
    try:
        with engine.connect() as conn:
            found = list_requests(conn, 1)
    finally:
        engine.dispose()
    assert [(r.fields.uai, r.auteur) for r in found] == [("0010001W", COMMAND_LINE)] * 2
    out = tmp_path / "restitution.xlsx"
    exported = _run(
        sqlite_url, "carte", "demandes", "exporter", "--campagne", "1", "--format", "xlsx",
        "-o", str(out),
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    rows = list(openpyxl.load_workbook(out)["Demandes"].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][1] == "0010001W"


def test_a_bad_file_or_campaign_is_a_french_error(sqlite_url: str, tmp_path: Path) -> None:
    _run(sqlite_url, "carte", "campagne", "creer", "--nom", "Carte 2025", "--annee", "2024")
    source = tmp_path / "demandes.csv"
    source.write_text(GOOD.replace(";15;Besoins", ";0;Besoins"), encoding="utf-8")
    refused = _run(sqlite_url, "carte", "demandes", "importer", str(source), "--campagne", "1")
    assert refused.exit_code == 1
    assert "ligne 2, colonne « Future capacité en voie scolaire »" in _text(refused)
    assert "une ouverture crée au moins une place" in _text(refused)
    unknown = _run(sqlite_url, "carte", "demandes", "importer", str(source), "--campagne", "9")
    assert unknown.exit_code == 1 and "campagne n° 9 introuvable" in _text(unknown)
    bad_date = _run(
        sqlite_url, "carte", "campagne", "creer", "--nom", "x", "--annee", "2024", "--debut", "1/9"
    )
    assert bad_date.exit_code == 1 and "--debut : date « 1/9 » invalide" in _text(bad_date)


def test_the_committees_note_is_written_as_a_pdf(demo_store_url: str, tmp_path: Path) -> None:
    seeded = seeded_carte(demo_store_url, tmp_path)
    out = tmp_path / "note.pdf"
    written = _run(seeded.url, "carte", "note", "--campagne", "1", "-o", str(out))
    assert written.exit_code == 0, written.output
    assert f"Note de la campagne 1 (Carte 2025, 3 demande(s)) écrite dans {out}." in _text(written)
    content = out.read_bytes()
    assert is_pdf(content) and page_count(content) >= 2
    found = titles(content)
    assert "Demande n° 1 — Diminution (demande validée)" in found
    assert "Demande n° 3 — Augmentation nette (prêt pour le vote)" in found
    unknown = _run(seeded.url, "carte", "note", "--campagne", "9", "-o", str(out))
    assert unknown.exit_code == 1 and "campagne n° 9 introuvable" in _text(unknown)
