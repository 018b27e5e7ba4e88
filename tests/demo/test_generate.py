"""The demo territory: deterministic, in the official formats, realistic, and loadable."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from tremplin.cli import app
from tremplin.demo import DEFAULT_SEED, MARKER, DemoSummary, generate_demo
from tremplin.demo.parameters import load_parameters, median
from tremplin.demo.territory import UAI_KEY_LETTERS
from tremplin.sources.ingest import load_paths
from tremplin.store.provenance import list_loaded_files

BMO = "bmo/Base_open_data_BMO_2024.xlsx"
BMO_DATA_SHEET = "BMO_2024_open_data"
_AFFELNET = "affelnet/attractivite_capacite_2021.csv"
_PARCOURSUP = "parcoursup/BTS_attractivite_capacite_2023.csv"
_ANNUAIRE = "etablissements/fr-en-annuaire-education_colleges_AURA.csv"
_LEVELS = {"2321": "cap", "2381": "seconde_pro", "2382": "premiere_pro"}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _rows(path: Path) -> list[dict[str, str]]:
    """A demo CSV as dictionaries (the demo, like the originals, never quotes a value)."""
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    lines = raw.replace("\r\n", "\n").rstrip("\n").split("\n")
    separator = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    header = lines[0].split(separator)
    return [dict(zip(header, line.split(separator), strict=True)) for line in lines[1:]]


def _first_line(raw: bytes) -> bytes:
    end = raw.find(b"\n")
    return raw[: end + 1]


def _header_row(cells: Sequence[Sequence[object]]) -> tuple[int, Sequence[object]]:
    """Where a sheet's header is: its first row with at least two filled cells."""
    for index, row in enumerate(cells):
        if sum(1 for c in row if c not in ("", None)) >= 2:
            return index, row
    raise AssertionError("feuille sans en-tête")


# --- determinism ---------------------------------------------------------------------------


def test_the_same_seed_writes_the_same_bytes(demo: DemoSummary, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "again", seed=DEFAULT_SEED)

    assert _tree(again.directory) == _tree(demo.directory)


def test_another_seed_draws_another_territory(demo: DemoSummary, tmp_path: Path) -> None:
    other = generate_demo(tmp_path / "other", seed=DEFAULT_SEED + 1)
    first, second = _tree(demo.directory), _tree(other.directory)

    assert first.keys() == second.keys()
    assert first[_AFFELNET] != second[_AFFELNET]
    assert first[BMO] != second[BMO]
    # The real nomenclatures do not depend on the seed.
    assert first["bcn/nMef.csv"] == second["bcn/nMef.csv"]


def test_the_folder_is_marked_as_demo_data(demo: DemoSummary) -> None:
    marker = (demo.directory / MARKER).read_text(encoding="utf-8")

    assert "fictives" in marker
    assert {f.path for f in demo.files} == set(_tree(demo.directory)) - {MARKER}


# --- formats ---------------------------------------------------------------------------------


@pytest.mark.realdata
def test_every_file_has_the_layout_of_its_real_counterpart(
    demo: DemoSummary, sources_dir: Path
) -> None:
    for written in demo.files:
        ours = (demo.directory / written.path).read_bytes()
        real = (sources_dir / written.path).read_bytes()
        if written.path.endswith(".csv"):
            assert _first_line(ours) == _first_line(real), written.path  # header, BOM, CRLF
            assert ours.endswith(b"\n") == real.endswith(b"\n"), written.path
            for encoding in ("utf-8", "cp1252"):
                try:
                    real.decode(encoding)
                except UnicodeDecodeError:
                    continue
                ours.decode(encoding)  # the same encoding reads both
                break
        elif written.path.endswith(".json"):
            ours_json, real_json = json.loads(ours), json.loads(real)
            assert type(ours_json) is type(real_json), written.path
            assert ours_json[-1].keys() == real_json[-1].keys(), written.path
            assert ours[:2] == real[:2], written.path  # one object per line, or all on one
        else:
            ours_book = CalamineWorkbook.from_path(str(demo.directory / written.path))
            real_book = CalamineWorkbook.from_path(str(sources_dir / written.path))
            assert ours_book.sheet_names == real_book.sheet_names
            for sheet in real_book.sheet_names:
                real_cells = real_book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                our_cells = ours_book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                assert _header_row(our_cells) == _header_row(real_cells), sheet
            description = "Description des variables"
            assert ours_book.get_sheet_by_name(description).to_python(
                skip_empty_area=False
            ) == real_book.get_sheet_by_name(description).to_python(skip_empty_area=False)


@pytest.mark.realdata
def test_no_demo_uai_is_a_real_one(demo: DemoSummary, sources_dir: Path) -> None:
    demo_uais = {r["numero_uai"] for r in _rows(demo.directory / _ANNUAIRE)} | {
        r["UAI"] for r in _rows(demo.directory / _PARCOURSUP)
    }
    real = "".join(
        (sources_dir / path).read_text(encoding="utf-8-sig")
        for path in (_ANNUAIRE, _PARCOURSUP, _AFFELNET, "effectifs/constat_2020.csv")
    )

    assert demo_uais
    assert not [uai for uai in demo_uais if uai in real]


def test_the_bmo_workbook_reads_back_with_its_header_and_suppressed_cells(
    demo: DemoSummary,
) -> None:
    parameters = load_parameters()
    book = CalamineWorkbook.from_path(str(demo.directory / BMO))
    rows = book.get_sheet_by_name(BMO_DATA_SHEET).to_python()
    description = book.get_sheet_by_name("Description des variables").to_python(
        skip_empty_area=False
    )

    assert book.sheet_names == ["Description des variables", BMO_DATA_SHEET]
    assert rows[0] == parameters["bmo"]["header"]
    assert len(rows) > 1_000
    assert all(row[0] == 2024.0 and isinstance(row[9], float) for row in rows[1:])
    assert any(row[12] == "*" for row in rows[1:])
    assert description[7][1] == "annee"


# --- realism ---------------------------------------------------------------------------------


def _frequency_median(table: list[list[int]]) -> float:
    return statistics.median([value for value, count in table for _ in range(count)])


def test_capacities_and_first_wishes_follow_the_real_distributions(demo: DemoSummary) -> None:
    parameters = load_parameters()
    formations = parameters["formations"]
    levels = parameters["quantile_levels"]
    offers = _rows(demo.directory / _AFFELNET)

    assert 800 <= len(offers) <= 1_300
    for prefix, level in _LEVELS.items():
        mine = [o for o in offers if o["MEF STAT 11"].startswith(prefix)]
        capacities = [int(o["Capacité carte scolaire"]) for o in mine]
        pressure = [int(o["Demandes vœux 1"]) / int(o["Capacité carte scolaire"]) for o in mine]

        assert len(mine) >= 50, level
        assert statistics.median(capacities) == pytest.approx(
            _frequency_median(formations["capacity"][level]), rel=0.25
        ), level
        assert statistics.median(pressure) == pytest.approx(
            median(formations["pressure"][level], levels), rel=0.3
        ), level


def test_bts_demand_follows_the_real_distribution(demo: DemoSummary) -> None:
    parameters = load_parameters()
    formations = parameters["formations"]
    offers = _rows(demo.directory / _PARCOURSUP)

    for status in ("Scolaire", "Apprentissage"):
        mine = [o for o in offers if o["STATUT"] == status and o["CAPACITEPSUP"]]
        demand = [int(o["NB_VOEUX_CONFIRMES"]) / int(o["CAPACITEPSUP"]) for o in mine]

        assert len(mine) >= 80, status
        assert statistics.median(demand) == pytest.approx(
            median(formations["bts_demand"][status], parameters["quantile_levels"]), rel=0.35
        ), status


def test_establishments_are_fictional_with_valid_uai_in_real_communes(demo: DemoSummary) -> None:
    parameters = load_parameters()
    communes = {row[0] for row in parameters["territory"]["communes"]}
    colleges = _rows(demo.directory / _ANNUAIRE)
    block = str(parameters["uai_block"])

    assert 120 <= len(colleges) <= 200
    assert sum(demo.establishments[k] for k in ("LP", "LPO", "LGT", "CFA")) >= 100
    for college in colleges:
        uai = college["numero_uai"]
        assert uai[3] == block
        assert uai[7] == UAI_KEY_LETTERS[int(uai[:7]) % 23]
        assert college["code_commune"] in communes
        assert uai[1:3] == college["code_commune"][:2]


# --- interfaces ------------------------------------------------------------------------------


def test_the_command_writes_the_demo_and_says_so_in_french(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", str(tmp_path / "demo")])

    assert result.exit_code == 0, result.output
    assert "fichiers écrits" in result.output
    assert (tmp_path / "demo" / MARKER).is_file()
    assert (tmp_path / "demo" / _AFFELNET).is_file()


def test_the_command_writes_to_the_configured_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREMPLIN_DEMO_DIR", str(tmp_path / "configured"))

    result = CliRunner().invoke(app, ["demo"])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "configured" / BMO).is_file()


def test_the_whole_demo_loads_as_demo_data_without_a_rejected_row(
    demo: DemoSummary, store: sa.Engine
) -> None:
    report = load_paths(store, [demo.directory])

    loaded = {o.path.relative_to(demo.directory).as_posix(): o for o in report.loaded}
    assert set(loaded) == {f.path for f in demo.files}
    assert [(path, o.rows_rejected) for path, o in loaded.items() if o.rows_rejected] == []
    for written in demo.files:
        assert loaded[written.path].rows_loaded == written.rows, written.path
    with store.connect() as conn:
        files = list_loaded_files(conn)
    assert len(files) == len(demo.files)
    assert all(f.is_demo for f in files)
