"""Hostile files: each is refused with a French message naming the file (and its line where it
can be told), the command exits non-zero without a traceback, and nothing is written.

Each file is derived at test time from a real one: the same header and rows, with one thing made
hostile (nesting, a huge integer, features that are not objects, an XML entity, a huge header).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.derive import head_lines, write_head
from tests.snapshot import refused_load, store_snapshot
from tremplin.cli import app
from tremplin.sources.ingest import load_paths
from tremplin.store.database import open_store
from tremplin.store.provenance import list_loaded_files, list_rejected_rows

pytestmark = pytest.mark.realdata

CONSTAT = Path("effectifs") / "constat_2020.csv"
REGIONS = Path("territoires") / "regions.json"
ACADEMIES = Path("territoires") / "fond_carte_academies.json"
HUGE_FIELD = 140_000  # over the csv module's field limit of 131,072 characters


def _deep_json(sources: Path, folder: Path) -> Path:
    """The régions list, buried under 100,000 levels of lists."""
    path = folder / "regions.json"
    depth = 100_000
    path.write_text("[" * depth + (sources / REGIONS).read_text("utf-8") + "]" * depth)
    return path


def _huge_integer(sources: Path, folder: Path) -> Path:
    """The régions list, with a 5,000-digit « typeLiaison » on the line of the second région."""
    lines = (sources / REGIONS).read_text("utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace('"typeLiaison":3', '"typeLiaison":' + "9" * 5_000)
    path = folder / "regions.json"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _features_not_objects(sources: Path, folder: Path) -> Path:
    """The académies map with its second feature replaced by a number."""
    document = json.loads((sources / ACADEMIES).read_bytes())
    document["features"] = [document["features"][0], 42, *document["features"][2:]]
    path = folder / "fond_carte_academies.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _constat_workbook(sources: Path) -> io.BytesIO:
    """The first rows of the constat as an ordinary xlsx workbook."""
    rows = head_lines(sources / CONSTAT, 20).decode("utf-8-sig").splitlines()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row.split(";"))
    plain = io.BytesIO()
    book.save(plain)
    return plain


def _workbook_with_an_entity(sources: Path, folder: Path) -> Path:
    """The first rows of the constat as an xlsx whose sheet declares and uses an XML entity."""
    plain = _constat_workbook(sources)
    hostile = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                entity = b'<!DOCTYPE worksheet [<!ENTITY uai "UAI">]>'
                data = entity + data.replace(b"<t>UAI</t>", b"<t>&uai;</t>")
            target.writestr(item, data)
    path = folder / "constat_2020.xlsx"
    path.write_bytes(hostile.getvalue())
    return path


def _huge_header(sources: Path, folder: Path) -> Path:
    """The constat with one more column whose name is 140,000 characters long."""
    lines = head_lines(sources / CONSTAT, 50).decode("utf-8-sig").splitlines()
    lines[0] += ";" + "x" * HUGE_FIELD
    path = folder / "constat_2020.csv"
    path.write_text("\n".join(line + ";" if i else line for i, line in enumerate(lines)) + "\n")
    return path


def _zip_bomb(sources: Path, folder: Path) -> Path:
    """The first rows of the constat as an xlsx whose sheet ends with 300 Mio of spaces: a file
    of a few hundred kilobytes that decompresses past the 256 Mio limit (the probe's bomb was
    2.8 Mo and passed 4 Gio during a load)."""
    plain = _constat_workbook(sources)
    path = folder / "constat_2020.xlsx"
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, data)
                continue
            head, tail = data.rsplit(b"</worksheet>", 1)
            with target.open(item.filename, "w", force_zip64=True) as part:
                part.write(head)
                spaces = b" " * (1024 * 1024)
                for _ in range(300):
                    part.write(spaces)
                part.write(b"</worksheet>" + tail)
    assert path.stat().st_size < 2_000_000
    return path


Case = Callable[[Path, Path], Path]
CASES: dict[str, tuple[Case, str, int | None]] = {
    # name: (builder, words of the message, line named)
    "json_trop_profond": (_deep_json, "imbriqués trop profondément", None),
    "entier_trop_long": (_huge_integer, "plus de 4\u202f300 chiffres", 3),
    "geojson_entites": (_features_not_objects, "l'entité n° 2 de « features »", None),
    "xlsx_entite": (_workbook_with_an_entity, "feuille « Sheet » illisible", None),
    "entete_trop_long": (_huge_header, "un champ dépasse 131\u202f072 caractères", 1),
    "xlsx_bombe": (_zip_bomb, "au-delà de la limite de 256 Mio", None),
}


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_file_is_refused_and_nothing_written(
    case: str, seeded: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    build, words, line = CASES[case]
    path = build(sources_dir, tmp_path)
    error = refused_load(seeded, path)
    assert words in str(error)
    assert error.line == line


@pytest.mark.parametrize("case", CASES)
def test_the_cli_says_it_in_french_without_a_traceback(
    case: str, sqlite_url: str, sources_dir: Path, tmp_path: Path
) -> None:
    build, words, _line = CASES[case]
    path = build(sources_dir, tmp_path)
    engine = open_store(sqlite_url)
    before = store_snapshot(engine)
    result = CliRunner().invoke(app, ["load", str(path)], env={"TREMPLIN_DATABASE_URL": sqlite_url})
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    output = _words(result.output)
    assert "Erreur :" in output
    assert path.name in output.replace(" ", "")  # rich may break a long path anywhere
    assert _words(words) in output
    assert "Rien n'a été enregistré" in output
    assert store_snapshot(engine) == before
    engine.dispose()


def _markup_header(sources: Path, folder: Path) -> Path:
    """The constat with « [/x] » in a column's name (still recognised) and one bad row in it."""
    lines = head_lines(sources / CONSTAT, 40).decode("utf-8-sig").splitlines()
    lines[0] = lines[0].replace("Nombre d'élèves : Total", "Nombre d'élèves : Total [/x]")
    cells = lines[5].split(";")
    lines[5] = ";".join([*cells[:-1], "[bold]douze[/x]"])
    path = folder / "constat_2020.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _words(text: str) -> str:
    """``text`` with every run of spaces and line breaks as one space (rich wraps lines)."""
    return " ".join(text.split())


def _tremplin(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """``tremplin ARGS`` in a process of its own, as a person runs it."""
    return subprocess.run(
        [sys.executable, "-c", "from tremplin.cli import app; app()", *args],
        env={**os.environ, "TREMPLIN_DATABASE_URL": database_url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_markup_in_a_header_is_printed_as_written(
    sqlite_url: str, sources_dir: Path, tmp_path: Path
) -> None:
    """« [/x] » is text, not rich markup: the load succeeds (exit 0) and both the load's summary
    and « tremplin sources » print it literally (it used to crash after the commit)."""
    path = _markup_header(sources_dir, tmp_path)
    loaded = _tremplin("load", str(path), database_url=sqlite_url)
    assert loaded.returncode == 0, loaded.stderr
    assert "Traceback" not in loaded.stderr
    assert "Total [/x] » : valeur « [bold]douze[/x] »" in _words(loaded.stdout)
    described = _tremplin("sources", database_url=sqlite_url)
    assert described.returncode == 0, described.stderr
    assert "colonne « Nombre d'élèves : Total [/x] »" in _words(described.stdout)
    assert "(« [bold]douze[/x] »)" in _words(described.stdout)
    engine = open_store(sqlite_url)
    with engine.connect() as conn:
        [stored] = list_loaded_files(conn)
        [rejected] = list_rejected_rows(conn, stored.id, limit=5)
    engine.dispose()
    assert stored.rows_loaded == 38
    assert (rejected.line, rejected.column) == (6, "Nombre d'élèves : Total [/x]")


def test_a_hostile_file_gets_no_traceback_from_the_command(
    sqlite_url: str, sources_dir: Path, tmp_path: Path
) -> None:
    path = _huge_integer(sources_dir, tmp_path)
    refused = _tremplin("load", str(path), database_url=sqlite_url)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert "regions.json, ligne 3 : JSON refusé" in _words(refused.stderr)


def test_a_link_out_of_the_folder_is_not_followed(
    seeded: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    """A symbolic link inside a loaded folder to a file or a folder elsewhere on the server is
    passed over, unread, with a note; a link to a file inside the folder is read as usual."""
    elsewhere = tmp_path / "ailleurs"
    secret = write_head(sources_dir / CONSTAT, elsewhere / "constat_2019.csv", 100)
    folder = tmp_path / "depot"
    (folder / "dedans").mkdir(parents=True)
    # A file the loader passes over by its name, read through a link that names it as JSON.
    inside = folder / "dedans" / "regions.json.orig"
    inside.write_bytes((sources_dir / REGIONS).read_bytes())
    (folder / "constat_2019.csv").symlink_to(secret)
    (folder / "dossier_ailleurs").symlink_to(elsewhere, target_is_directory=True)
    (folder / "lien_regions.json").symlink_to(inside)

    report = load_paths(seeded, [folder])

    notes = {o.path.relative_to(folder): (o.status, o.note) for o in report.outcomes}
    outside_note = ("ignoré", "lien symbolique vers un fichier hors du dossier chargé : non suivi")
    assert notes[Path("constat_2019.csv")] == outside_note
    # A linked folder is not walked into (or, walked into, its files are passed over).
    assert {
        status for path, (status, _) in notes.items() if path.parts[0] == "dossier_ailleurs"
    } <= {"ignoré"}
    # Inside the folder, a link is an ordinary file.
    assert notes[Path("lien_regions.json")][0] == "chargé"
    with seeded.connect() as conn:
        names = sorted(f.file_name for f in list_loaded_files(conn))
    assert "constat_2019.csv" not in names
    assert names == ["constat_2020.csv", "lien_regions.json"]
