"""Bad input gets a clear French message (file, line, column, what was expected) and the store is
left exactly as it was. Each case alters a real file at test time."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.derive import head_lines, replace_cell, write_head
from tests.snapshot import refused_load, store_snapshot
from tremplin.sources.errors import SourceError
from tremplin.sources.ingest import load_paths

pytestmark = pytest.mark.realdata

AFFELNET = Path("affelnet") / "attractivite_capacite_2021.csv"


def test_an_unknown_file_is_refused(seeded: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "inventaire.csv"
    path.write_text("article;quantité;prix\nvis;12;0,5\n", encoding="utf-8")
    error = refused_load(seeded, path)
    assert "non reconnu" in str(error)
    assert error.line == 1


def test_a_truncated_file_is_refused(seeded: sa.Engine, sources_dir: Path, tmp_path: Path) -> None:
    content = head_lines(sources_dir / AFFELNET, 200)
    path = tmp_path / "attractivite_capacite_2021.csv"
    path.write_bytes(content[: content.rindex(b";") - 3])
    error = refused_load(seeded, path)
    assert "tronqué" in str(error)
    assert error.line == 200


def test_a_missing_column_is_named(seeded: sa.Engine, sources_dir: Path, tmp_path: Path) -> None:
    lines = head_lines(sources_dir / AFFELNET, 50).decode().splitlines(keepends=True)
    # Drop the « Capacité carte scolaire » column (the 5th) from every line.
    altered = "".join(
        ";".join(c for i, c in enumerate(line.split(";")) if i != 4) for line in lines
    )
    path = tmp_path / "attractivite_capacite_2021.csv"
    path.write_text(altered, encoding="utf-8")
    error = refused_load(seeded, path)
    assert "colonne(s) manquante(s)" in str(error)
    assert "capacite_carte_scolaire" in str(error)


def test_a_wrong_encoding_is_located(seeded: sa.Engine, sources_dir: Path, tmp_path: Path) -> None:
    content = head_lines(sources_dir / AFFELNET, 100)
    # Line 60 written in Latin-1 inside a UTF-8 file.
    lines = content.split(b"\n")
    lines[59] = (
        "0010001W;23820022703;N;ST;15;12;MÉTIERS DE LA RELATION CLIENT;1;23830022703".encode(
            "latin-1"
        )
    )
    path = tmp_path / "attractivite_capacite_2021.csv"
    path.write_bytes(b"\n".join(lines))
    error = refused_load(seeded, path)
    assert "encodage" in str(error)
    assert error.line == 60


def test_text_where_a_number_is_due_is_one_rejected_row(
    seeded: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    original = head_lines(sources_dir / AFFELNET, 20_000)
    records = len(original.splitlines()) - 1
    content = replace_cell(original, line=1234, column=6, value="douze")
    path = tmp_path / "attractivite_capacite_2021.csv"
    path.write_bytes(content)
    report = load_paths(seeded, [path])
    [outcome] = report.loaded
    assert outcome.rows_rejected == 1
    [problem] = outcome.problems
    assert (problem.line, problem.column, problem.value) == (1234, "Demandes vœux 1", "douze")
    assert "nombre entier" in problem.reason
    assert outcome.rows_loaded == records - 1


def test_strict_refuses_a_single_bad_row(
    seeded: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    content = replace_cell(
        head_lines(sources_dir / AFFELNET, 20_000), line=1234, column=6, value="douze"
    )
    path = tmp_path / "attractivite_capacite_2021.csv"
    path.write_bytes(content)
    error = refused_load(seeded, path, strict=True)
    assert error.line == 1234
    assert error.column == "Demandes vœux 1"
    assert "strict" in str(error)


def test_a_file_that_is_mostly_invalid_is_refused(
    seeded: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    content = head_lines(sources_dir / AFFELNET, 300)
    for line in range(2, 120):
        content = replace_cell(content, line=line, column=5, value="n/c?")
    path = tmp_path / "attractivite_capacite_2021.csv"
    path.write_bytes(content)
    error = refused_load(seeded, path)
    assert "invalides" in str(error)


def test_one_bad_file_among_good_ones_loads_nothing(
    seeded: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "lot"
    write_head(
        sources_dir / "parcoursup" / "BTS_attractivite_capacite_2023.csv",
        folder / "BTS_2023.csv",
        300,
    )
    broken = head_lines(sources_dir / AFFELNET, 100)
    (folder / "attractivite_capacite_2021.csv").write_bytes(broken[: broken.rindex(b";") - 3])
    before = store_snapshot(seeded)
    with pytest.raises(SourceError):
        load_paths(seeded, [folder])
    assert store_snapshot(seeded) == before
