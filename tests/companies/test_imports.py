"""Importing a file of needs: the template round-trips, every wrong line is named with its
line and column, and a file with one wrong line writes nothing."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.companies.sample import OTHER_SIRET, SIRET, sample_codes
from tremplin.companies.imports import (
    COLUMNS,
    ImportRefused,
    import_needs,
    template_csv,
    template_xlsx,
)
from tremplin.companies.needs import NeedScope, list_needs
from tremplin.sources.errors import SourceError
from tremplin.store.audit import Actor, count_audit

ACTOR = Actor("emploi@uimm-ain.test", 5)


def _csv(rows: list[dict[str, str]]) -> bytes:
    lines = [";".join(COLUMNS)] + [";".join(r.get(c, "") for c in COLUMNS) for r in rows]
    return ("\n".join(lines) + "\n").encode("cp1252")


def _row(codes, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "siret": SIRET,
        "raison_sociale": "Chaudronnerie de l’Ain",
        "code_rome": codes.code_rome,
        "nombre": "2",
        "contrat": "apprentissage",
        "debut": "01/09/2027",
        "code_insee": codes.commune,
    } | changes


def test_a_good_file_writes_every_need_and_its_companies(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        rows = [_row(codes), _row(codes, siret=OTHER_SIRET, raison_sociale="Deux", nombre="5")]
        done = import_needs(conn, ACTOR, "besoins.csv", _csv(rows))
        assert (len(done.needs), done.companies_created) == (2, 2)
        assert list_needs(conn, NeedScope(all=True))[0] == 2
        assert sorted(n.nombre for n in done.needs) == [2, 5]


def test_every_wrong_line_is_named_and_nothing_is_written(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        before = count_audit(conn)
        rows = [
            _row(codes),
            _row(codes, siret="12345678200011"),
            _row(codes, nombre="beaucoup"),
            _row(codes, code_rome="Z9999"),
            _row(codes, siret=OTHER_SIRET, raison_sociale=""),
            _row(codes, code_insee=codes.far_commune),
        ]
        with pytest.raises(ImportRefused) as refused:
            import_needs(
                conn,
                ACTOR,
                "/chemin/besoins.csv",
                _csv(rows),
                in_scope=lambda places: f"departement:{codes.departement}" in places,
            )
        assert list_needs(conn, NeedScope(all=True))[0] == 0
        assert count_audit(conn) == before
    found = [(p.line, p.column) for p in refused.value.problems]
    assert found == [
        (3, "siret"),
        (4, "nombre"),
        (5, "code_rome"),
        (6, "raison_sociale"),
        (7, "code_insee"),
    ]
    text = str(refused.value)
    assert "besoins.csv" in text and "ligne 3" in text and "aucun besoin importé" in text
    assert "hors de votre territoire" in text and "attendu : un entier" in text


def test_a_file_without_a_required_column_is_refused(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn, pytest.raises(SourceError, match=r"manquante.*contrat"):
        import_needs(conn, ACTOR, "b.csv", b"siret;code_rome;nombre;code_insee\n1;2;3;4\n")


def test_the_templates_are_read_back(needs_engine: sa.Engine) -> None:
    assert template_csv().decode("utf-8-sig").splitlines()[0] == ";".join(COLUMNS)
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(COLUMNS))
        row = _row(codes)
        sheet.append([row.get(c, "") for c in COLUMNS])
        output = io.BytesIO()
        book.save(output)
        done = import_needs(conn, ACTOR, "besoins.xlsx", output.getvalue())
        assert [n.code_insee for n in done.needs] == [codes.commune]
    assert template_xlsx()[:2] == b"PK"
