"""The generic reading machinery: encodings, separators, headers, typing of cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from tremplin.sources.csvfile import decode, read_csv, sniff_separator
from tremplin.sources.detect import match_header, recognise
from tremplin.sources.errors import SourceError
from tremplin.sources.parse import parse
from tremplin.sources.rawtable import RawTable
from tremplin.sources.registry import DATASETS, dataset
from tremplin.sources.spec import name_blank_headers, normalise_header

CONSTAT_HEADER = "\ufeffRentrée scolaire;UAI;Mef Bcp 11;Nombre d'élèves : Total\r\n"


def _table(header: list[str], rows: list[list[str]]) -> RawTable:
    return RawTable(Path("essai.csv"), "csv", header, rows, list(range(2, len(rows) + 2)))


def test_header_names_are_normalised() -> None:
    assert normalise_header("Demandes vœux 1") == "demandes_voeux_1"
    assert normalise_header("\ufeffNombre d'élèves : Total") == "nombre_d_eleves_total"
    assert normalise_header("LIBELLÉFORMATION") == "libelleformation"


def test_blank_headers_are_named_after_the_previous_column() -> None:
    assert name_blank_headers(["UAI", "Région", "", "", "Taux"]) == [
        "uai",
        "region",
        "region+1",
        "region+2",
        "taux",
    ]


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("é;à\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "é;à\n".encode(), "utf-8-sig"),
        ("é;à\n".encode("cp1252"), "cp1252"),
        ("é;…\n".encode("cp1252"), "cp1252"),
        ("é;à\n".encode("utf-16"), "utf-16"),
    ],
)
def test_encodings_are_recognised(raw: bytes, encoding: str) -> None:
    text, found = decode(Path("f.csv"), raw)
    assert found == encoding
    assert text.startswith("é;")


def test_a_file_mixing_utf8_and_latin1_is_refused_with_its_line() -> None:
    raw = "a;b\nélève;1\n".encode() + "élève;2\n".encode("latin-1")
    with pytest.raises(SourceError) as caught:
        decode(Path("mixte.csv"), raw)
    assert caught.value.line == 3
    assert "encodage" in str(caught.value)
    assert "mixte.csv" in str(caught.value)


@pytest.mark.parametrize(
    ("line", "separator"), [("a;b;c", ";"), ("a,b,c", ","), ("a\tb", "\t"), ('"a;b",c,d', ",")]
)
def test_separator_is_sniffed_from_the_header(line: str, separator: str) -> None:
    assert sniff_separator(line) == separator


def test_crlf_bom_and_line_numbers(tmp_path: Path) -> None:
    raw = (
        CONSTAT_HEADER + "2020;0750330B;32211022207;83\r\n\r\n2020;0750419Y;23210031122;32\r\n"
    ).encode()
    table = read_csv(tmp_path / "c.csv", raw)
    assert table.header[0] == "Rentrée scolaire"
    assert table.lines == [2, 4]
    assert table.separator == ";"


def test_a_file_cut_in_the_middle_of_a_line_is_truncated(tmp_path: Path) -> None:
    raw = (CONSTAT_HEADER + "2020;0750330B;32211022207;83\r\n2020;0750419Y").encode()
    with pytest.raises(SourceError) as caught:
        read_csv(tmp_path / "c.csv", raw)
    assert caught.value.line == 3
    assert "tronqué" in str(caught.value)


def test_cells_are_typed_and_problems_explained() -> None:
    table = _table(
        ["Rentrée scolaire", "UAI", "Mef Bcp 11", "Nombre d'élèves : Total"],
        [
            ["2020", "750330B", "32211022207", "83"],  # leading zero lost by a spreadsheet
            ["2020", "0750419Y", "23210031122", "*"],  # statistical secret
            ["2020", "0750419Y", "23210031122", "douze"],
            ["2020", "XX", "23210031122", "1 234"],
        ],
    )
    parsed = parse(match_header(dataset("constat"), table))
    assert parsed.frame.get_column("uai").to_list() == ["0750330B", "0750419Y"]
    assert parsed.frame.get_column("effectif").to_list() == [83, None]
    assert parsed.cells_suppressed == 1
    assert [(p.line, p.column, p.value) for p in parsed.problems] == [
        (4, "Nombre d'élèves : Total", "douze"),
        (5, "UAI", "XX"),
    ]
    assert "nombre entier" in parsed.problems[0].reason
    assert "UAI" in parsed.problems[1].reason


def test_a_renamed_column_is_found_approximately() -> None:
    table = _table(
        ["Rentrée scolaire", "UAI", "Mef Bcp 11", "Nombre total d'élèves"],
        [["2021", "0750330B", "32211022207", "80"]],
    )
    match = match_header(dataset("constat"), table)
    assert match.complete
    assert match.approximate == frozenset({"effectif"})


def test_parcoursup_layouts_map_the_original_and_rectified_mef_alike() -> None:
    row = [
        "0010001W",
        "BTS",
        "32211022709",
        "535",
        "Scolaire",
        "15",
        "32022709",
        "32022709",
        "FAUX",
        "32211022799",
    ]
    layout_2022 = [
        "UAI",
        "LIBELLÉFORMATION",
        "MEFSTAT11_old",
        "NB_VOEUX_CONFIRMES",
        "STATUT",
        "CAPACITEPSUP",
        "CFD",
        "CFD rectifié",
        "Rectif",
        "MEFSTAT11",
    ]
    layout_2021 = [h.replace("MEFSTAT11_old", "MEFSTAT11") for h in layout_2022[:9]] + [
        "MEFSTAT11 rectifié"
    ]
    for header in (layout_2021, layout_2022):
        frame = parse(match_header(dataset("parcoursup_bts"), _table(header, [row]))).frame
        assert frame.get_column("mef_stat_11").to_list() == ["32211022709"]
        assert frame.get_column("mef_stat_11_rectifie").to_list() == ["32211022799"]
        assert frame.get_column("rectifie").to_list() == [False]


def test_an_unknown_header_is_not_recognised() -> None:
    with pytest.raises(SourceError) as caught:
        recognise([_table(["nom", "prénom", "âge"], [["a", "b", "1"]])], DATASETS)
    assert "non reconnu" in str(caught.value)
    assert caught.value.line == 1


def test_a_header_missing_a_required_column_names_it() -> None:
    header = [
        "Etablissement d'accueil",
        "MEF STAT 11",
        "Voeu de recensement O/N",
        "Statut Offre de formation",
        "Demandes vœux 1",
    ]
    with pytest.raises(SourceError) as caught:
        recognise([_table(header, [["0010001W", "23820022703", "N", "ST", "12"]])], DATASETS)
    assert "capacite_carte_scolaire" in str(caught.value)
    assert "manquante" in str(caught.value)


def test_a_code_written_as_a_decimal_number_is_restored() -> None:
    header = ["fap", "Tension ", "Année", "niveau_geo", "niveau_fap", "reg", "dep"]
    table = _table(
        header,
        [
            ["A0Z40", "0.11", "2019", "reg", "fap 225", "1.0", ""],
            ["A0Z40", "0.2", "2019", "reg", "fap 225", "84.0", ""],
        ],
    )
    match = match_header(dataset("dares_tensions"), table)
    assert parse(match).frame.get_column("code_region").to_list() == ["01", "84"]


def test_a_secret_cell_keeps_its_flag_beside_the_null() -> None:
    header = ["annee", "Code métier BMO", "Nom métier BMO", "Famille_met", "Lbl_fam_met", "REG"]
    header += ["NOM_REG", "Dept", "NomDept", "BE24", "NOMBE24", "met", "xmet", "smet"]
    row = ["2024", "D1Z40", "Régleurs", "D", "Mécanique", "84", "AURA", "01", "Ain", "8201"]
    table = _table(
        header,
        [
            [*row, "OYONNAX", "120", "*", ""],  # xmet secret, smet left blank
            [*row, "OYONNAX", "*", "*", "*"],
        ],
    )
    parsed = parse(match_header(dataset("bmo"), table))
    frame = parsed.frame
    assert frame.get_column("projets").to_list() == [120, None]
    assert frame.get_column("projets_secret").to_list() == [False, True]
    assert frame.get_column("projets_difficiles_secret").to_list() == [True, True]
    # A blank cell is missing, not secret: only « * » says the producer hid the figure.
    assert frame.get_column("projets_saisonniers").to_list() == [None, None]
    assert frame.get_column("projets_saisonniers_secret").to_list() == [False, True]
    assert parsed.cells_suppressed == 4
